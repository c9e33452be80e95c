//! The payment of an order: charged once, refunded at most once.

use super::error::DomainError;
use super::time::Timestamp;
use super::{OrderId, Won};
use serde::{Deserialize, Serialize};

/// Where a payment is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentStatus {
    /// Recorded before the gateway is called; resolved on restart if a crash
    /// interrupted it.
    Pending,
    Approved,
    /// The gateway refused the card.
    Declined,
    /// Not charged: the gateway was unavailable or the attempt was cut
    /// short. Paying again is fine.
    Failed,
    Refunded,
}

/// A payment ("payments" in the API), addressed by its order id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub order_id: OrderId,
    pub customer_id: String,
    pub amount: Won,
    pub status: PaymentStatus,
    pub transaction_id: Option<String>,
    pub requested_at: Timestamp,
    pub approved_at: Option<Timestamp>,
    pub refunded_at: Option<Timestamp>,
    pub decline_reason: Option<String>,
    /// Changes of the amount by order revisions.
    pub revisions: Vec<PaymentRevision>,
}

/// A change of a payment's amount when its order was revised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRevision {
    pub revision: u32,
    /// Charged if positive, refunded if negative.
    pub delta: i64,
    pub transaction_id: Option<String>,
    pub at: Timestamp,
}

/// What the gateway said, or a refund being recorded.
#[derive(Clone, Debug, PartialEq)]
pub enum PaymentEvent {
    Approved {
        transaction_id: String,
    },
    Declined {
        reason: String,
    },
    Failed {
        reason: String,
    },
    /// The order was revised: the amount changes by `delta`.
    Revised(PaymentRevision),
    Refunded,
}

impl Payment {
    /// A payment about to be requested from the gateway.
    pub fn pending(order_id: OrderId, customer_id: String, amount: Won, at: Timestamp) -> Self {
        Payment {
            order_id,
            customer_id,
            amount,
            status: PaymentStatus::Pending,
            transaction_id: None,
            requested_at: at,
            approved_at: None,
            refunded_at: None,
            decline_reason: None,
            revisions: Vec::new(),
        }
    }

    /// What the payment keeps: the amount unless refunded (or never approved).
    pub fn kept(&self) -> Won {
        match self.status {
            PaymentStatus::Approved => self.amount,
            _ => 0,
        }
    }

    /// Charged: approved at some point.
    pub fn charged(&self) -> Won {
        match self.status {
            PaymentStatus::Approved | PaymentStatus::Refunded => self.amount,
            _ => 0,
        }
    }

    /// Refunded: given back.
    pub fn refunded(&self) -> Won {
        match self.status {
            PaymentStatus::Refunded => self.amount,
            _ => 0,
        }
    }

    /// Applies a gateway result or a refund; refuses transitions that would
    /// charge twice or refund what was not charged.
    pub fn apply(&self, event: &PaymentEvent, at: Timestamp) -> Result<Payment, DomainError> {
        use PaymentStatus as P;
        let mut next = self.clone();
        match (self.status, event) {
            (P::Pending, PaymentEvent::Approved { transaction_id }) => {
                next.status = P::Approved;
                next.transaction_id = Some(transaction_id.clone());
                next.approved_at = Some(at);
            }
            (P::Pending, PaymentEvent::Declined { reason }) => {
                next.status = P::Declined;
                next.decline_reason = Some(reason.clone());
            }
            (P::Pending, PaymentEvent::Failed { reason }) => {
                next.status = P::Failed;
                next.decline_reason = Some(reason.clone());
            }
            (P::Approved, PaymentEvent::Revised(r)) => {
                next.amount = self.amount.checked_add_signed(r.delta).ok_or_else(|| {
                    DomainError::Invalid {
                        field: "payment",
                        reason: format!("of order {} cannot change by {}", self.order_id, r.delta),
                    }
                })?;
                next.revisions.push(r.clone());
            }
            (P::Approved, PaymentEvent::Refunded) => {
                next.status = P::Refunded;
                next.refunded_at = Some(at);
            }
            (status, event) => {
                return Err(DomainError::Invalid {
                    field: "payment",
                    reason: format!(
                        "of order {} is {status:?} and cannot take {event:?}",
                        self.order_id
                    ),
                })
            }
        }
        Ok(next)
    }
}

/// Which money movement of an order's revision a gateway call is. With
/// the order and the revision attempt's key it makes the call's
/// idempotency key at the gateway, so each is made at most once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AdjustmentKind {
    /// A revision up: the difference charged before the order changes.
    ExtraCharge,
    /// An extra charge whose outcome was unknown, given back.
    Compensation,
    /// A revision down: the difference refunded.
    PartialRefund,
}

impl AdjustmentKind {
    /// Its byte in the gateway's keys (stored: never renumber).
    pub const fn tag(self) -> u8 {
        match self {
            AdjustmentKind::ExtraCharge => 0,
            AdjustmentKind::Compensation => 1,
            AdjustmentKind::PartialRefund => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> Payment {
        Payment::pending(1, "kim".into(), 20_000, Timestamp(1))
    }

    fn approved() -> Payment {
        pending()
            .apply(
                &PaymentEvent::Approved {
                    transaction_id: "tx".into(),
                },
                Timestamp(2),
            )
            .unwrap()
    }

    #[test]
    fn approve_then_refund() {
        let p = approved();
        assert_eq!(
            (p.status, p.kept(), p.charged()),
            (PaymentStatus::Approved, 20_000, 20_000)
        );
        let r = p.apply(&PaymentEvent::Refunded, Timestamp(3)).unwrap();
        assert_eq!(
            (r.status, r.kept(), r.refunded()),
            (PaymentStatus::Refunded, 0, 20_000)
        );
        assert_eq!(r.refunded_at, Some(Timestamp(3)));
    }

    #[test]
    fn declined_keeps_nothing() {
        let d = pending()
            .apply(
                &PaymentEvent::Declined {
                    reason: "limit".into(),
                },
                Timestamp(2),
            )
            .unwrap();
        assert_eq!((d.charged(), d.kept(), d.refunded()), (0, 0, 0));
        assert!(d.apply(&PaymentEvent::Refunded, Timestamp(3)).is_err());
    }

    #[test]
    fn failed_keeps_nothing_and_says_why() {
        let f = pending()
            .apply(
                &PaymentEvent::Failed {
                    reason: "gateway down".into(),
                },
                Timestamp(2),
            )
            .unwrap();
        assert_eq!(
            (f.status, f.charged(), f.kept()),
            (PaymentStatus::Failed, 0, 0)
        );
        assert_eq!(f.decline_reason.as_deref(), Some("gateway down"));
        assert!(f.apply(&PaymentEvent::Refunded, Timestamp(3)).is_err());
    }

    #[test]
    fn never_twice() {
        let a = approved();
        assert!(a
            .apply(
                &PaymentEvent::Approved {
                    transaction_id: "tx2".into()
                },
                Timestamp(3)
            )
            .is_err());
        let r = a.apply(&PaymentEvent::Refunded, Timestamp(3)).unwrap();
        assert!(r.apply(&PaymentEvent::Refunded, Timestamp(4)).is_err());
        assert!(pending()
            .apply(&PaymentEvent::Refunded, Timestamp(2))
            .is_err());
    }
}
