//! The payment gateway as baedal sees it: the calls it makes, whatever
//! gateway answers them. The built-in sandbox (`sandbox.rs`) is one; a real
//! gateway is another implementation of [`Gateway`]. Every call is keyed
//! so that it can be repeated without charging twice: a charge by its order
//! id, a revision's extra charge by (order, attempt, kind), a refund by the
//! key its ledger gives it (`domain::payment_ledger`).
//!
//! A real gateway approves only what the customer authorized in its
//! widget: the calls that take money carry that [`PaymentKey`], and the
//! lookups carry it too, since such a gateway finds a payment by the
//! widget's order id. The sandbox needs none and ignores it.

use crate::domain::payment::AdjustmentKind;
use crate::domain::payment_key::PaymentKey;
use crate::domain::payment_ledger::RefundCall;
use crate::domain::{OrderId, Won};
use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

/// A gateway call on its way: its answer, or why it has none.
pub type GatewayCall<T> = BoxFuture<'static, Result<T, GatewayError>>;

/// A payment gateway. The payment actor makes every call through the
/// circuit breaker, which times it out and counts its failures.
pub trait Gateway: Send + Sync + 'static {
    /// Charges `amount` won under the idempotency key `order_id`: the same
    /// key again answers the first charge's result, charging nothing more.
    /// `authorized`: what the customer authorized in the gateway's widget.
    fn charge(
        &self,
        order_id: OrderId,
        customer_id: &str,
        amount: Won,
        authorized: Option<&PaymentKey>,
    ) -> GatewayCall<Answer>;

    /// Gives back `call.amount` won of the charge `call.transaction_id` of
    /// `order_id`, under the idempotency key `call.key`: the same key again
    /// answers the first refund, refunding nothing more. Answers the
    /// refund's own transaction id.
    fn refund(&self, order_id: OrderId, call: &RefundCall) -> GatewayCall<String>;

    /// What became of the order's charge, if it was made.
    fn lookup(
        &self,
        order_id: OrderId,
        authorized: Option<&PaymentKey>,
    ) -> GatewayCall<Option<GatewayCharge>>;

    /// A revision's extra charge (`delta` won, positive) under the key
    /// (order, attempt, kind); its own transaction.
    fn adjust(
        &self,
        order_id: OrderId,
        attempt: u64,
        kind: AdjustmentKind,
        customer_id: &str,
        delta: i64,
        authorized: Option<&PaymentKey>,
    ) -> GatewayCall<Answer>;

    /// What became of the key (order, attempt, kind), if it was used.
    fn lookup_adjustment(
        &self,
        order_id: OrderId,
        attempt: u64,
        kind: AdjustmentKind,
        authorized: Option<&PaymentKey>,
    ) -> GatewayCall<Option<GatewayAdjustment>>;

    /// Whether a charge needs a [`PaymentKey`] (a real gateway does).
    fn needs_payment_key(&self) -> bool {
        false
    }
}

/// The gateway failed to answer properly.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// It did nothing: the call may be made again as a new one.
    #[error("{0}")]
    Unavailable(String),
    /// The call reached it and its outcome is unknown (an error status or
    /// a connection lost after the request was sent): a charge may have
    /// been made, and is settled later by a lookup.
    #[error("{0}")]
    Uncertain(String),
}

/// What the gateway answered to a charge it handled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Approved { transaction_id: String },
    Declined { reason: String },
}

/// A charge as the gateway remembers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayCharge {
    pub transaction_id: String,
    pub amount: Won,
    /// Given back whole. Stored by releases before schema 5, which refunded
    /// by order; a lookup also says so once refunds of the transaction add
    /// up to its amount.
    pub refunded: bool,
}

/// A refund as the gateway received it (the sandbox's books, schema 5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayRefund {
    /// The refund's own id.
    pub transaction_id: String,
    /// The charge it gives back (part of).
    pub of: String,
    /// Won given back.
    pub amount: Won,
}

/// A revision's extra charge (positive), as the gateway remembers it; a
/// release before schema 5 also kept partial refunds here (negative).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayAdjustment {
    pub delta: i64,
    pub transaction_id: String,
}
