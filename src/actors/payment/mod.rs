//! The payment actor: every gateway call goes through the circuit breaker
//! (sliding-window failure and slow-call rates, per-call timeout, open wait,
//! half-open trials, bulkhead), with the order id as idempotency key.

mod gateway;
mod rules;
mod sandbox;
mod toss;
mod toss_wire;

pub use gateway::{
    Answer, Gateway, GatewayAdjustment, GatewayCall, GatewayCharge, GatewayError, GatewayRefund,
};
pub use rules::SandboxRules;
pub use sandbox::{GatewayAccount, GatewayTransaction, Sandbox};
pub use toss::Toss;

use crate::domain::payment::AdjustmentKind;
use crate::domain::payment_key::PaymentKey;
use crate::domain::payment_ledger::RefundCall;
use crate::domain::{OrderId, Won};
use crate::error::{AppError, AppResult};
use crate::supervision::{CallError, Guard, Rejection};
use actix::prelude::*;
use std::sync::Arc;

/// Charge a customer for an order.
#[derive(Clone, Debug, Message)]
#[rtype(result = "ChargeOutcome")]
pub struct Charge {
    pub order_id: OrderId,
    pub customer_id: String,
    pub amount: Won,
    /// What the customer authorized in a real gateway's widget.
    pub authorized: Option<PaymentKey>,
}

/// How a charge ended (the saga's tables in `domain::settlement` decide
/// what follows).
pub use crate::domain::settlement::ChargeOutcome;

/// Give back (part of) one charge of an order, under the refund's
/// idempotency key; answers the refund's transaction id.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<String>")]
pub struct Refund {
    pub order_id: OrderId,
    pub call: RefundCall,
}

/// A revision's extra charge (positive `delta`), keyed (order, the revision
/// attempt's key, kind).
#[derive(Clone, Debug, Message)]
#[rtype(result = "ChargeOutcome")]
pub struct Adjust {
    pub order_id: OrderId,
    pub key: u64,
    pub kind: AdjustmentKind,
    pub customer_id: String,
    pub delta: i64,
    /// What the customer authorized for it in a real gateway's widget.
    pub authorized: Option<PaymentKey>,
}

/// Ask the gateway what became of a revision's adjustment.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<Option<GatewayAdjustment>>")]
pub struct LookupAdjustment {
    pub order_id: OrderId,
    pub key: u64,
    pub kind: AdjustmentKind,
    pub authorized: Option<PaymentKey>,
}

/// Ask the gateway what became of an order's charge.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<Option<GatewayCharge>>")]
pub struct Lookup {
    pub order_id: OrderId,
    pub authorized: Option<PaymentKey>,
}

/// The payment actor. Calls run concurrently; the breaker bounds them.
pub struct PaymentActor {
    gateway: Arc<dyn Gateway>,
    guard: Guard,
}

impl PaymentActor {
    /// Payments through `gateway`, guarded by `guard`'s breaker.
    pub fn new(gateway: Arc<dyn Gateway>, guard: Guard) -> Self {
        PaymentActor { gateway, guard }
    }
}

impl Actor for PaymentActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(4096);
    }
}

/// Seconds to wait before paying again, for `Retry-After`.
pub fn retry_after_secs(rejection: Rejection) -> u64 {
    match rejection {
        Rejection::Open { retry_after } => retry_after.as_secs_f64().ceil().max(1.0) as u64,
        Rejection::Trying | Rejection::Bulkhead => 1,
    }
}

fn unavailable(e: CallError<GatewayError>) -> AppError {
    match e {
        CallError::Rejected(r) => {
            AppError::unavailable("the payment gateway is unavailable", retry_after_secs(r))
        }
        CallError::TimedOut => {
            AppError::unavailable("the payment gateway did not answer in time", 1)
        }
        CallError::Failed(e) => AppError::unavailable(e.to_string(), 1),
    }
}

/// How a guarded charge-like call ended.
fn outcome(result: Result<Answer, CallError<GatewayError>>) -> ChargeOutcome {
    match result {
        Ok(Answer::Approved { transaction_id }) => ChargeOutcome::Approved { transaction_id },
        Ok(Answer::Declined { reason }) => ChargeOutcome::Declined { reason },
        Err(CallError::Rejected(r)) => ChargeOutcome::Unavailable {
            reason: "payment is unavailable right now".into(),
            retry_after_secs: retry_after_secs(r),
        },
        Err(CallError::Failed(GatewayError::Unavailable(reason))) => ChargeOutcome::Unavailable {
            reason,
            retry_after_secs: 1,
        },
        Err(CallError::Failed(GatewayError::Uncertain(reason))) => {
            ChargeOutcome::Unknown { reason }
        }
        Err(CallError::TimedOut) => ChargeOutcome::Unknown {
            reason: "the payment gateway did not answer in time".into(),
        },
    }
}

impl Handler<Charge> for PaymentActor {
    type Result = ResponseFuture<ChargeOutcome>;

    fn handle(&mut self, msg: Charge, _: &mut Context<Self>) -> Self::Result {
        let (gateway, guard) = (self.gateway.clone(), self.guard.clone());
        Box::pin(async move {
            let call = gateway.charge(
                msg.order_id,
                &msg.customer_id,
                msg.amount,
                msg.authorized.as_ref(),
            );
            outcome(guard.call(call).await)
        })
    }
}

impl Handler<Adjust> for PaymentActor {
    type Result = ResponseFuture<ChargeOutcome>;

    fn handle(&mut self, msg: Adjust, _: &mut Context<Self>) -> Self::Result {
        let (gateway, guard) = (self.gateway.clone(), self.guard.clone());
        Box::pin(async move {
            let call = gateway.adjust(
                msg.order_id,
                msg.key,
                msg.kind,
                &msg.customer_id,
                msg.delta,
                msg.authorized.as_ref(),
            );
            outcome(guard.call(call).await)
        })
    }
}

impl Handler<LookupAdjustment> for PaymentActor {
    type Result = ResponseFuture<AppResult<Option<GatewayAdjustment>>>;

    fn handle(&mut self, msg: LookupAdjustment, _: &mut Context<Self>) -> Self::Result {
        let (gateway, guard) = (self.gateway.clone(), self.guard.clone());
        Box::pin(async move {
            let call =
                gateway.lookup_adjustment(msg.order_id, msg.key, msg.kind, msg.authorized.as_ref());
            guard.call(call).await.map_err(unavailable)
        })
    }
}

impl Handler<Refund> for PaymentActor {
    type Result = ResponseFuture<AppResult<String>>;

    fn handle(&mut self, msg: Refund, _: &mut Context<Self>) -> Self::Result {
        let (gateway, guard) = (self.gateway.clone(), self.guard.clone());
        Box::pin(async move {
            guard
                .call(gateway.refund(msg.order_id, &msg.call))
                .await
                .map_err(unavailable)
        })
    }
}

impl Handler<Lookup> for PaymentActor {
    type Result = ResponseFuture<AppResult<Option<GatewayCharge>>>;

    fn handle(&mut self, msg: Lookup, _: &mut Context<Self>) -> Self::Result {
        let (gateway, guard) = (self.gateway.clone(), self.guard.clone());
        Box::pin(async move {
            guard
                .call(gateway.lookup(msg.order_id, msg.authorized.as_ref()))
                .await
                .map_err(unavailable)
        })
    }
}
