//! Settling a pending payment that a crash or a timeout left behind: the
//! gateway is asked what became of the charge, and the order is placed, the
//! charge refunded, or the attempt dropped, never a charge without an order.

use super::placement::PendingPayment;
use super::OrderActor;
use crate::actors::entities::shell::EntityMessage;
use crate::actors::payment::{ChargeOutcome, GatewayCharge, Lookup, Refund};
use crate::domain::order::Order;
use crate::domain::payment::{Payment, PaymentEvent};
use crate::domain::payment_ledger::RefundCall;
use crate::domain::settlement::{self, FoundCharge, PendingPaymentStep};
use crate::error::AppResult;
use crate::supervision::Supervised;
use actix::prelude::*;

/// Settle a pending payment left behind by a crash or a timeout.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<Resolution>")]
pub struct Resolve;

/// How a pending payment was settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Nothing was pending.
    Nothing,
    /// The gateway had charged it: the order is placed.
    Placed,
    /// It had been charged but the customer was told it failed: refunded.
    Refunded,
    /// The gateway never charged it: dropped.
    Dropped,
}

impl OrderActor {
    /// Settles what the gateway says of a pending payment.
    fn conclude(
        &mut self,
        pending: PendingPayment,
        charge: Option<GatewayCharge>,
    ) -> AppResult<Conclusion> {
        let found = charge.map(|c| FoundCharge {
            transaction_id: c.transaction_id,
            refunded: c.refunded,
        });
        Ok(
            match settlement::resolve_pending_payment(pending.abandoned, found) {
                PendingPaymentStep::Drop => {
                    let reason =
                        "the payment was interrupted before the card was charged".to_string();
                    self.close_payment(&[PaymentEvent::Failed { reason }])?;
                    Conclusion::Done(Resolution::Dropped)
                }
                PendingPaymentStep::Place { transaction_id } => {
                    let outcome = ChargeOutcome::Approved { transaction_id };
                    self.settle(pending.draft, outcome)?;
                    Conclusion::Done(Resolution::Placed)
                }
                // Refunded already (a crash cut the last attempt short):
                // asked again under the same key, the gateway answers the
                // first refund's id and refunds nothing more.
                PendingPaymentStep::RecordRefund { transaction_id }
                | PendingPaymentStep::Refund { transaction_id } => {
                    let asked = asked_back(&self.payment()?, transaction_id)?;
                    Conclusion::Refund(asked)
                }
            },
        )
    }
}

/// The abandoned charge approved and asked back, and the refund to make.
fn asked_back(
    payment: &Payment,
    transaction_id: String,
) -> AppResult<(Vec<PaymentEvent>, RefundCall)> {
    let now = crate::domain::Timestamp::now();
    let events = vec![
        PaymentEvent::Approved { transaction_id },
        PaymentEvent::RefundRequested,
    ];
    let mut asked = payment.clone();
    for e in &events {
        asked = asked.apply(e, now)?;
    }
    let call = asked.pending_refunds().into_iter().next().ok_or_else(|| {
        crate::error::AppError::Internal(format!("order {}: nothing to refund", payment.order_id))
    })?;
    Ok((events, call))
}

/// What is left to do after asking the gateway.
enum Conclusion {
    Done(Resolution),
    /// Make this refund at the gateway, then record these events and its
    /// confirmation.
    Refund((Vec<PaymentEvent>, RefundCall)),
}

impl EntityMessage for Resolve {
    type Entity = Order;
}

impl Handler<Resolve> for OrderActor {
    type Result = AtomicResponse<Self, AppResult<Resolution>>;

    fn handle(&mut self, _: Resolve, _: &mut Context<Self>) -> Self::Result {
        let _span = tracing::debug_span!("order.resolve", order = self.id).entered();
        self.idle.touch();
        let pending = match self.pending() {
            Ok(Some(pending)) => pending,
            other => {
                return AtomicResponse::new(Box::pin(fut::ready(
                    other.map(|_| Resolution::Nothing),
                )))
            }
        };
        let payment = self.env.payment.clone();
        let id = self.id;
        let authorized = pending.draft.payment_key.clone();
        AtomicResponse::new(Box::pin(
            async move {
                let lookup = Lookup {
                    order_id: id,
                    authorized,
                };
                payment.send(lookup).await?
            }
                .into_actor(self)
                .then(move |charge, act, ctx| {
                    let concluded = charge.and_then(|c| act.supervised(ctx, |act| act.conclude(pending, c)));
                    let payment = act.env.payment.clone();
                    async move {
                        match concluded? {
                            Conclusion::Done(r) => Ok(Ok(r)),
                            Conclusion::Refund((mut events, call)) => {
                                let key = call.key.clone();
                                let refund = Refund { order_id: id, call };
                                let transaction_id = payment.send(refund).await??;
                                events.push(PaymentEvent::RefundConfirmed { key, transaction_id });
                                Ok(Err(events))
                            }
                        }
                    }
                    .into_actor(act)
                })
                .then(|refund: AppResult<Result<Resolution, Vec<PaymentEvent>>>, act, ctx| {
                    let result = match refund {
                        Ok(Ok(r)) => Ok(r),
                        Ok(Err(events)) => act
                            .supervised(ctx, |act| act.close_payment(&events))
                            .map(|()| Resolution::Refunded),
                        Err(e) => Err(e),
                    };
                    if let Ok(r) = &result {
                        tracing::info!(order = act.id, resolution = ?r, "resolved a pending payment");
                    }
                    act.stop_if_absent(ctx);
                    act.answer(result).into_actor(act)
                }),
        ))
    }
}
