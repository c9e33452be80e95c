//! The customer's wallet: coupons and reviews, decided together so that a
//! review's coupon and its deletion never disagree.

use super::access::{self, Principal, Role};
use super::aggregate::Aggregate;
use super::error::DomainError;
use super::ids::validate_text;
use super::order::{Order, OrderStatus};
use super::time::Timestamp;
use super::{pricing, OrderId, Won};
use serde::{Deserialize, Serialize};

/// Longest review text.
pub const MAX_REVIEW_CHARS: usize = 1000;

/// Where a coupon is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum CouponStatus {
    Issued,
    Used,
    Revoked,
}

/// A coupon: a fixed discount, usable once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Coupon {
    pub id: String,
    pub customer_id: String,
    pub amount: Won,
    pub status: CouponStatus,
    /// The review that earned it.
    pub review_id: Option<u64>,
    /// The order it is used on, while used.
    pub order_id: Option<OrderId>,
    pub issued_at: Timestamp,
}

/// A review of a completed order. Its id is the order's: one per order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    pub id: u64,
    pub order_id: OrderId,
    pub customer_id: String,
    pub store_id: String,
    pub rating: u8,
    pub text: String,
    /// The coupon it earned; `None` when the order earned none (under
    /// [`ReviewCoupon::min_order`], or the store's owner's own order).
    pub coupon_id: Option<String>,
    pub at: Timestamp,
}

/// What a review's coupon is worth, and what an order must have cost to
/// earn one (`--review-coupon-won`, `--review-coupon-min-order-won`: a
/// 1-won order must not buy a 2,000-won coupon).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReviewCoupon {
    pub amount: Won,
    pub min_order: Won,
}

/// A customer's wallet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wallet {
    pub customer_id: String,
    pub coupons: Vec<Coupon>,
    pub reviews: Vec<Review>,
}

/// What the wallet is asked (the order's facts are checked by the caller
/// from the order itself).
#[derive(Clone, Debug, PartialEq)]
pub enum WalletCommand {
    /// Use a coupon on an order about to be paid; it discounts at most the
    /// subtotal.
    UseCoupon {
        coupon_id: String,
        order_id: OrderId,
        subtotal: Won,
    },
    /// Give back a coupon used on an order that was refunded or never placed.
    RestoreCoupon {
        coupon_id: String,
        order_id: OrderId,
    },
    /// Review a completed order of this customer; issues `coupon` if the
    /// order earns one.
    WriteReview {
        order: ReviewedOrder,
        rating: u8,
        text: String,
        coupon: ReviewCoupon,
    },
    /// Delete a review and revoke its coupon (refused if it was used).
    DeleteReview { review_id: u64 },
}

/// What happened in a wallet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WalletEvent {
    CouponUsed {
        coupon_id: String,
        order_id: OrderId,
        discount: Won,
    },
    CouponRestored {
        coupon_id: String,
        order_id: OrderId,
    },
    /// `coupon`: `None` when the order earned none.
    ReviewWritten {
        review: Review,
        coupon: Option<Coupon>,
    },
    ReviewDeleted {
        review: Review,
        coupon_id: Option<String>,
    },
}

impl Wallet {
    pub fn new(customer_id: &str) -> Self {
        Wallet {
            customer_id: customer_id.to_string(),
            ..Wallet::default()
        }
    }

    fn coupon(&self, id: &str) -> Option<&Coupon> {
        self.coupons.iter().find(|c| c.id == id)
    }

    pub fn review(&self, id: u64) -> Option<&Review> {
        self.reviews.iter().find(|r| r.id == id)
    }

    /// A coupon that may be used now: issued, not used or revoked.
    ///
    /// Errors: unknown (409 `UnknownCoupon`), used or revoked (409
    /// `CouponUnusable`).
    pub fn usable_coupon(&self, id: &str) -> Result<&Coupon, DomainError> {
        let coupon = self
            .coupon(id)
            .ok_or_else(|| DomainError::UnknownCoupon(id.to_string()))?;
        let why = match coupon.status {
            CouponStatus::Issued => return Ok(coupon),
            CouponStatus::Used => "was already used",
            CouponStatus::Revoked => "was revoked",
        };
        Err(DomainError::CouponUnusable {
            coupon: id.to_string(),
            why: why.to_string(),
        })
    }
}

/// What a review needs to know of the order it reviews.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewedOrder {
    pub id: OrderId,
    pub store_id: String,
    pub customer_id: String,
    pub status: OrderStatus,
    /// What was paid for the food, after any discount (the delivery fee
    /// is not the food: `pricing::food_paid`).
    pub amount: Won,
    /// The store's owner's account, if it has one.
    pub store_owner: Option<String>,
}

impl ReviewedOrder {
    /// `order`, from a store owned by `store_owner`.
    pub fn of(order: &Order, store_owner: Option<String>) -> Self {
        ReviewedOrder {
            id: order.id,
            store_id: order.store_id.clone(),
            customer_id: order.customer_id.clone(),
            status: order.status,
            amount: pricing::food_paid(order.amount, order.fees.delivery_won),
            store_owner,
        }
    }

    /// Whether reviewing it earns `rule`'s coupon: it cost at least the
    /// minimum, and was not ordered by the store's own owner.
    fn earns(&self, rule: &ReviewCoupon) -> bool {
        self.amount >= rule.min_order && self.store_owner.as_ref() != Some(&self.customer_id)
    }
}

impl Aggregate for Wallet {
    /// The customer's id.
    type Id = String;
    type Command = WalletCommand;
    type Event = WalletEvent;

    /// Every customer has a wallet, empty until a review earns a coupon.
    fn initial(customer: &String) -> Option<Wallet> {
        Some(Wallet::new(customer))
    }

    /// Decides a wallet command. A wallet is its customer's: others are
    /// refused as if it did not exist, and an operator may only delete a
    /// review (moderation), never spend or earn for the customer.
    fn decide(
        wallet: Option<&Wallet>,
        customer: &String,
        by: &Principal,
        cmd: &WalletCommand,
        now: Timestamp,
    ) -> Result<Vec<WalletEvent>, DomainError> {
        if !access::sees_own(by, Role::Customer, customer) {
            // Another customer's review does not exist for the caller.
            return Err(match cmd {
                WalletCommand::DeleteReview { review_id } => {
                    DomainError::ReviewNotFound(*review_id)
                }
                _ => DomainError::NotFound {
                    what: format!("customer {customer:?}"),
                },
            });
        }
        if matches!(by, Principal::Operator(_))
            && !matches!(cmd, WalletCommand::DeleteReview { .. })
        {
            return Err(access::forbidden(
                by,
                "spend or earn in",
                format!("customer {customer:?}'s wallet"),
                "the customer",
            ));
        }
        let blank;
        let wallet = match wallet {
            Some(wallet) => wallet,
            None => {
                blank = Wallet::new(customer);
                &blank
            }
        };
        Ok(match cmd {
            WalletCommand::UseCoupon {
                coupon_id,
                order_id,
                subtotal,
            } => {
                let coupon = wallet.usable_coupon(coupon_id)?;
                vec![WalletEvent::CouponUsed {
                    coupon_id: coupon_id.clone(),
                    order_id: *order_id,
                    discount: pricing::coupon_discount(coupon.amount, *subtotal),
                }]
            }
            WalletCommand::RestoreCoupon {
                coupon_id,
                order_id,
            } => match wallet.coupon(coupon_id) {
                Some(c) if c.status == CouponStatus::Used && c.order_id == Some(*order_id) => {
                    vec![WalletEvent::CouponRestored {
                        coupon_id: coupon_id.clone(),
                        order_id: *order_id,
                    }]
                }
                // Already restored, or used elsewhere since: nothing to give back.
                _ => vec![],
            },
            WalletCommand::WriteReview {
                order,
                rating,
                text,
                coupon: rule,
            } => {
                // Only the customer who ordered, and only once it is Completed.
                if order.customer_id != wallet.customer_id {
                    return Err(DomainError::NotYourOrder {
                        order: order.id,
                        owner: order.customer_id.clone(),
                    });
                }
                if order.status != OrderStatus::Completed {
                    return Err(DomainError::WrongState {
                        order: order.id,
                        status: order.status.to_string(),
                        action: "reviewing",
                        expected: "Completed",
                    });
                }
                let order_id = &order.id;
                if !(1..=5).contains(rating) {
                    return Err(DomainError::Invalid {
                        field: "rating",
                        reason: "must be 1 to 5".into(),
                    });
                }
                if text.chars().count() > MAX_REVIEW_CHARS {
                    return Err(DomainError::Invalid {
                        field: "text",
                        reason: format!("must be at most {MAX_REVIEW_CHARS} characters"),
                    });
                }
                if !text.is_empty() {
                    validate_text("text", text, MAX_REVIEW_CHARS)?;
                }
                // Once per order, even after a deletion (its coupon stays, revoked).
                let coupon_id = format!("RV-{order_id}");
                if wallet.review(*order_id).is_some() || wallet.coupon(&coupon_id).is_some() {
                    return Err(DomainError::AlreadyReviewed(*order_id));
                }
                let coupon = order.earns(rule).then(|| Coupon {
                    id: coupon_id,
                    customer_id: wallet.customer_id.clone(),
                    amount: rule.amount,
                    status: CouponStatus::Issued,
                    review_id: Some(*order_id),
                    order_id: None,
                    issued_at: now,
                });
                let review = Review {
                    id: *order_id,
                    order_id: *order_id,
                    customer_id: wallet.customer_id.clone(),
                    store_id: order.store_id.clone(),
                    rating: *rating,
                    text: text.clone(),
                    coupon_id: coupon.as_ref().map(|c| c.id.clone()),
                    at: now,
                };
                vec![WalletEvent::ReviewWritten { review, coupon }]
            }
            WalletCommand::DeleteReview { review_id } => {
                let review = wallet
                    .review(*review_id)
                    .ok_or(DomainError::ReviewNotFound(*review_id))?;
                if review
                    .coupon_id
                    .as_deref()
                    .and_then(|id| wallet.coupon(id))
                    .is_some_and(|c| c.status == CouponStatus::Used)
                {
                    return Err(DomainError::ReviewCouponUsed(*review_id));
                }
                vec![WalletEvent::ReviewDeleted {
                    review: review.clone(),
                    coupon_id: review.coupon_id.clone(),
                }]
            }
        })
    }

    /// Applies a wallet event.
    fn apply(wallet: Option<Wallet>, event: &WalletEvent, _at: Timestamp) -> Option<Wallet> {
        let mut wallet = wallet?;
        let set = |w: &mut Wallet, id: &str, status: CouponStatus, order: Option<OrderId>| {
            if let Some(c) = w.coupons.iter_mut().find(|c| c.id == id) {
                c.status = status;
                c.order_id = order;
            }
        };
        match event {
            WalletEvent::CouponUsed {
                coupon_id,
                order_id,
                ..
            } => set(&mut wallet, coupon_id, CouponStatus::Used, Some(*order_id)),
            WalletEvent::CouponRestored { coupon_id, .. } => {
                set(&mut wallet, coupon_id, CouponStatus::Issued, None)
            }
            WalletEvent::ReviewWritten { review, coupon } => {
                wallet.reviews.push(review.clone());
                wallet.coupons.extend(coupon.clone());
            }
            WalletEvent::ReviewDeleted { review, coupon_id } => {
                wallet.reviews.retain(|r| r.id != review.id);
                if let Some(coupon_id) = coupon_id {
                    set(&mut wallet, coupon_id, CouponStatus::Revoked, None);
                }
            }
        }
        Some(wallet)
    }

    fn not_found(customer: &String) -> DomainError {
        DomainError::Invalid {
            field: "customerId",
            reason: format!("{customer:?} has no wallet"),
        }
    }
}

#[cfg(test)]
#[path = "wallet_tests.rs"]
mod tests;
