//! A payment's ledger: every charge at the gateway, each with its own
//! transaction id, and every refund made of it.
//!
//! A gateway refunds a transaction, not an order (Toss Payments cancels a
//! `paymentKey`), so baedal does too: the order's charge and each
//! revision's extra charge are separate [`PaymentCharge`]s, and a refund
//! names the charge it gives back, its amount and its own idempotency key.
//! A refund is recorded as requested (in the same commit as the event that
//! asks for it) before the gateway is called, and as done once the gateway
//! confirmed it: a crash in between repeats the call under the same key,
//! which the gateway answers without refunding again.

use super::time::Timestamp;
use super::{OrderId, Won};
use serde::{Deserialize, Serialize};

/// One charge at the gateway (schema 5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentCharge {
    /// The gateway's id of the charge.
    pub transaction_id: String,
    /// The revision whose extra charge it is; 0 for the order's own charge.
    pub revision: u32,
    /// Won charged.
    pub amount: Won,
    /// What was given back of it, in the order asked.
    pub refunds: Vec<ChargeRefund>,
}

/// A refund of (part of) one charge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChargeRefund {
    pub cause: RefundCause,
    /// Won given back.
    pub amount: Won,
    /// The gateway's id of the refund, once it confirmed it (`None` for
    /// refunds recorded before schema 5, which had none).
    pub transaction_id: Option<String>,
    pub requested_at: Timestamp,
    /// When the gateway confirmed it; `None` while it is requested.
    pub refunded_at: Option<Timestamp>,
}

/// Why a refund was made. With the order and the charge it makes the
/// refund's idempotency key ([`ChargeRefund::key`]), so each is made once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum RefundCause {
    /// The order was rejected or canceled: what is left of every charge.
    Order,
    /// A revision down, numbered: part of the charges, newest first.
    Revision(u32),
    /// A revision's extra charge whose outcome was unknown, given back
    /// whole; the revision attempt's key.
    Compensation(u64),
}

/// A refund the gateway is to make: the call, as the payment actor makes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundCall {
    /// The idempotency key: the same key refunds once.
    pub key: String,
    /// The charge's transaction id.
    pub transaction_id: String,
    /// Won to give back.
    pub amount: Won,
}

impl ChargeRefund {
    /// Requested now, not yet confirmed.
    pub fn requested(cause: RefundCause, amount: Won, at: Timestamp) -> Self {
        ChargeRefund {
            cause,
            amount,
            transaction_id: None,
            requested_at: at,
            refunded_at: None,
        }
    }

    /// Whether the gateway confirmed it.
    pub fn is_done(&self) -> bool {
        self.refunded_at.is_some()
    }

    /// The idempotency key of this refund of charge number `charge` of
    /// `order_id`. Stable: the gateway holds it.
    pub fn key(&self, order_id: OrderId, charge: usize) -> String {
        match self.cause {
            RefundCause::Order => format!("refund-{order_id}-{charge}-order"),
            RefundCause::Revision(n) => format!("refund-{order_id}-{charge}-revision-{n}"),
            // Made before the charge is in the ledger: keyed by the attempt.
            RefundCause::Compensation(attempt) => {
                format!("refund-{order_id}-compensation-{attempt}")
            }
        }
    }
}

impl PaymentCharge {
    /// A charge with nothing given back yet.
    pub fn new(transaction_id: String, revision: u32, amount: Won) -> Self {
        PaymentCharge {
            transaction_id,
            revision,
            amount,
            refunds: Vec::new(),
        }
    }

    /// Won given back or being given back.
    pub fn refunded(&self) -> Won {
        self.refunds.iter().map(|r| r.amount).sum()
    }

    /// Won still kept: charged less every refund asked for.
    pub fn remaining(&self) -> Won {
        self.amount.saturating_sub(self.refunded())
    }
}

/// Asks for `amount` back from `charges`, newest charge first (a revision
/// down undoes the latest extra charge before touching the order's own), as
/// requested refunds. What the charges cannot cover is left unasked and
/// returned (0 when the ledger is consistent).
pub fn allocate_refund(
    charges: &mut [PaymentCharge],
    mut amount: Won,
    cause: RefundCause,
    at: Timestamp,
) -> Won {
    for charge in charges.iter_mut().rev() {
        let part = charge.remaining().min(amount);
        if part > 0 {
            charge
                .refunds
                .push(ChargeRefund::requested(cause, part, at));
            amount -= part;
        }
    }
    amount
}

/// Asks for everything still kept back, charge by charge.
pub fn refund_everything(charges: &mut [PaymentCharge], at: Timestamp) {
    for charge in charges.iter_mut() {
        let left = charge.remaining();
        if left > 0 {
            charge
                .refunds
                .push(ChargeRefund::requested(RefundCause::Order, left, at));
        }
    }
}

/// The refunds requested and not yet confirmed, as gateway calls.
pub fn pending_calls(order_id: OrderId, charges: &[PaymentCharge]) -> Vec<RefundCall> {
    charges
        .iter()
        .enumerate()
        .flat_map(|(i, charge)| {
            charge
                .refunds
                .iter()
                .filter(|r| !r.is_done())
                .map(move |r| RefundCall {
                    key: r.key(order_id, i),
                    transaction_id: charge.transaction_id.clone(),
                    amount: r.amount,
                })
        })
        .collect()
}

/// Marks the refund with idempotency key `key` confirmed. Answers whether
/// one was waiting (a repeated confirmation changes nothing).
pub fn confirm(
    order_id: OrderId,
    charges: &mut [PaymentCharge],
    key: &str,
    transaction_id: &str,
    at: Timestamp,
) -> bool {
    for (i, charge) in charges.iter_mut().enumerate() {
        for refund in charge.refunds.iter_mut() {
            if !refund.is_done() && refund.key(order_id, i) == key {
                refund.transaction_id = Some(transaction_id.to_string());
                refund.refunded_at = Some(at);
                return true;
            }
        }
    }
    false
}
