//! The payment of an order: its charges at the gateway, each refunded at
//! most once (`payment_ledger`), and where the whole stands.

use super::error::DomainError;
use super::payment_ledger::{self as ledger, PaymentCharge, RefundCall, RefundCause};
use super::time::Timestamp;
use super::{OrderId, Won};
use serde::{Deserialize, Serialize};

/// Where a payment is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// Everything kept is being given back (the order was rejected or
    /// canceled); the refunds are requested, not all confirmed (schema 5).
    Refunding,
    /// Everything was given back, and the gateway confirmed every refund.
    Refunded,
}

/// A payment ("payments" in the API), addressed by its order id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub order_id: OrderId,
    pub customer_id: String,
    /// Won the order costs now (after its revisions).
    pub amount: Won,
    pub status: PaymentStatus,
    /// The gateway's id of the order's own charge.
    pub transaction_id: Option<String>,
    pub requested_at: Timestamp,
    pub approved_at: Option<Timestamp>,
    /// When the last refund of a rejected or canceled order was confirmed.
    pub refunded_at: Option<Timestamp>,
    pub decline_reason: Option<String>,
    /// Changes of the amount by order revisions.
    pub revisions: Vec<PaymentRevision>,
    /// Every charge and its refunds (schema 5; empty in older records,
    /// which [`Payment::ledger`] reads from the fields above).
    #[serde(default)]
    pub charges: Vec<PaymentCharge>,
}

/// A change of a payment's amount when its order was revised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRevision {
    pub revision: u32,
    /// Charged if positive, refunded if negative.
    pub delta: i64,
    pub transaction_id: Option<String>,
    pub at: Timestamp,
}

/// What the gateway said, or a refund being asked for or confirmed.
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
    /// The order was revised: the amount changes by `delta`; an extra
    /// charge joins the ledger, or a refund of the difference is requested.
    Revised(PaymentRevision),
    /// The order was rejected or canceled: a refund of what is left of
    /// every charge is requested.
    RefundRequested,
    /// The gateway confirmed the refund with this idempotency key.
    RefundConfirmed {
        key: String,
        transaction_id: String,
    },
    /// A revision's extra charge that never changed the order, already
    /// given back (its refund confirmed): recorded so that the ledger holds
    /// every charge.
    Compensated(PaymentCharge),
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
            charges: Vec::new(),
        }
    }

    /// Every charge and its refunds: the stored ledger, or for a record
    /// from before schema 5 the one its fields describe (the order's charge,
    /// each revision's extra charge or refund, and a full refund, all
    /// confirmed, since that release refunded before recording).
    pub fn ledger(&self) -> Vec<PaymentCharge> {
        if !self.charges.is_empty() {
            return self.charges.clone();
        }
        let Some(tx) = &self.transaction_id else {
            return Vec::new();
        };
        if !matches!(
            self.status,
            PaymentStatus::Approved | PaymentStatus::Refunded
        ) {
            return Vec::new();
        }
        let net: i64 = self.revisions.iter().map(|r| r.delta).sum();
        let first = (self.amount as i64).saturating_sub(net).max(0) as Won;
        let mut charges = vec![PaymentCharge::new(tx.clone(), 0, first)];
        for r in &self.revisions {
            if r.delta > 0 {
                let tx = r.transaction_id.clone().unwrap_or_default();
                charges.push(PaymentCharge::new(tx, r.revision, r.delta as Won));
            } else if r.delta < 0 {
                let cause = RefundCause::Revision(r.revision);
                ledger::allocate_refund(&mut charges, r.delta.unsigned_abs(), cause, r.at);
            }
        }
        if self.status == PaymentStatus::Refunded {
            let at = self.refunded_at.unwrap_or(self.requested_at);
            ledger::refund_everything(&mut charges, at);
        }
        for refund in charges.iter_mut().flat_map(|c| c.refunds.iter_mut()) {
            refund.refunded_at = Some(refund.requested_at);
        }
        charges
    }

    /// Won still kept: charged less every refund asked for.
    pub fn kept(&self) -> Won {
        self.ledger().iter().map(PaymentCharge::remaining).sum()
    }

    /// Won charged, every charge summed.
    pub fn charged(&self) -> Won {
        self.ledger().iter().map(|c| c.amount).sum()
    }

    /// Won given back, refunds the gateway confirmed.
    pub fn refunded(&self) -> Won {
        self.ledger()
            .iter()
            .flat_map(|c| &c.refunds)
            .filter(|r| r.is_done())
            .map(|r| r.amount)
            .sum()
    }

    /// Nothing of it is in flight at the gateway: no charge waits for its
    /// answer and every refund asked for is confirmed.
    pub fn is_settled(&self) -> bool {
        !matches!(
            self.status,
            PaymentStatus::Pending | PaymentStatus::Refunding
        ) && self.pending_refunds().is_empty()
    }

    /// When it last changed (UTC): requested, approved, revised, or a
    /// refund asked for or confirmed.
    pub fn last_change(&self) -> Timestamp {
        let refunds = self.ledger().into_iter().flat_map(|c| c.refunds);
        let refund_times = refunds.flat_map(|r| [Some(r.requested_at), r.refunded_at]);
        [Some(self.requested_at), self.approved_at, self.refunded_at]
            .into_iter()
            .chain(self.revisions.iter().map(|r| Some(r.at)))
            .chain(refund_times)
            .flatten()
            .max()
            .unwrap_or(self.requested_at)
    }

    /// The refunds requested and not yet confirmed, as gateway calls.
    pub fn pending_refunds(&self) -> Vec<RefundCall> {
        ledger::pending_calls(self.order_id, &self.ledger())
    }

    /// Applies a gateway result or a refund; refuses transitions that would
    /// charge twice or refund what was not charged.
    pub fn apply(&self, event: &PaymentEvent, at: Timestamp) -> Result<Payment, DomainError> {
        use PaymentStatus as P;
        let mut next = self.clone();
        next.charges = self.ledger();
        match (self.status, event) {
            (P::Pending, PaymentEvent::Approved { transaction_id }) => {
                next.status = P::Approved;
                next.transaction_id = Some(transaction_id.clone());
                next.approved_at = Some(at);
                next.charges = vec![PaymentCharge::new(transaction_id.clone(), 0, self.amount)];
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
                next.amount = self
                    .amount
                    .checked_add_signed(r.delta)
                    .ok_or_else(|| self.refusal(event))?;
                if r.delta > 0 {
                    let tx = r
                        .transaction_id
                        .clone()
                        .ok_or_else(|| self.refusal(event))?;
                    next.charges
                        .push(PaymentCharge::new(tx, r.revision, r.delta as Won));
                } else if r.delta < 0 {
                    let cause = RefundCause::Revision(r.revision);
                    let amount = r.delta.unsigned_abs();
                    if ledger::allocate_refund(&mut next.charges, amount, cause, at) > 0 {
                        return Err(self.refusal(event));
                    }
                }
                next.revisions.push(r.clone());
            }
            (P::Approved, PaymentEvent::RefundRequested) => {
                ledger::refund_everything(&mut next.charges, at);
                next.status = P::Refunding;
                next.settle_refunding(at);
            }
            (
                P::Approved | P::Refunding | P::Refunded,
                PaymentEvent::RefundConfirmed {
                    key,
                    transaction_id,
                },
            ) => {
                ledger::confirm(self.order_id, &mut next.charges, key, transaction_id, at);
                next.settle_refunding(at);
            }
            (P::Approved | P::Refunding | P::Refunded, PaymentEvent::Compensated(charge)) => {
                next.charges.push(charge.clone());
            }
            _ => return Err(self.refusal(event)),
        }
        Ok(next)
    }

    /// A rejected or canceled order's payment is Refunding until the
    /// gateway confirmed every refund, then Refunded.
    fn settle_refunding(&mut self, at: Timestamp) {
        if self.status == PaymentStatus::Refunding && self.pending_refunds().is_empty() {
            self.status = PaymentStatus::Refunded;
            self.refunded_at = Some(at);
        }
    }

    fn refusal(&self, event: &PaymentEvent) -> DomainError {
        DomainError::Invalid {
            field: "payment",
            reason: format!(
                "of order {} is {:?} and cannot take {event:?}",
                self.order_id, self.status
            ),
        }
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
#[path = "payment_tests.rs"]
mod tests;
