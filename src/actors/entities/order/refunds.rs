//! Giving money back: the refunds an order's payment has requested (a
//! revision down, or a reject or cancel asking for everything still kept),
//! made at the gateway one charge at a time and recorded as each is
//! confirmed. The refunds subscriber asks for it after each such event.

use super::OrderActor;
use crate::actors::entities::shell::EntityMessage;
use crate::actors::payment::Refund;
use crate::domain::order::Order;
use crate::domain::payment::{PaymentEvent, PaymentStatus};
use crate::domain::payment_ledger::RefundCall;
use crate::domain::Timestamp;
use crate::error::{AppError, AppResult};
use crate::storage::{keys, WriteBatch};
use crate::supervision::Supervised;
use actix::prelude::*;

/// Make the refunds the order's payment has requested and not yet had
/// confirmed. Answers how many the gateway confirmed now.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<usize>")]
pub struct SettleRefunds {
    /// The order ended in a refund: if its payment has not asked for
    /// everything back yet (a cancel written before schema 5), it asks now.
    pub whole: bool,
}

impl EntityMessage for SettleRefunds {
    type Entity = Order;
}

impl OrderActor {
    /// The refund calls to make, asking for everything back first if the
    /// order ended in a refund and its payment has not.
    fn plan_refunds(&mut self, whole: bool) -> AppResult<Vec<RefundCall>> {
        self.ensure_loaded()?;
        let mut payment = self.payment()?;
        if whole && payment.status == PaymentStatus::Approved {
            payment = payment.apply(&PaymentEvent::RefundRequested, Timestamp::now())?;
            let mut batch = WriteBatch::new();
            batch.put(keys::payment(self.id), &payment)?;
            self.last_write = self.env.db.commit(batch)?;
        }
        Ok(payment.pending_refunds())
    }

    /// Records the refunds the gateway confirmed: (idempotency key, the
    /// refund's transaction id).
    fn confirm_refunds(&mut self, confirmed: &[(String, String)]) -> AppResult<()> {
        if confirmed.is_empty() {
            return Ok(());
        }
        let (mut payment, now) = (self.payment()?, Timestamp::now());
        for (key, transaction_id) in confirmed {
            let event = PaymentEvent::RefundConfirmed {
                key: key.clone(),
                transaction_id: transaction_id.clone(),
            };
            payment = payment.apply(&event, now)?;
        }
        let mut batch = WriteBatch::new();
        batch.put(keys::payment(self.id), &payment)?;
        self.last_write = self.env.db.commit(batch)?;
        Ok(())
    }
}

impl Handler<SettleRefunds> for OrderActor {
    type Result = AtomicResponse<Self, AppResult<usize>>;

    fn handle(&mut self, msg: SettleRefunds, ctx: &mut Context<Self>) -> Self::Result {
        let _span = tracing::debug_span!("order.refund", order = self.id).entered();
        self.idle.touch();
        let calls = match self.supervised(ctx, |act| act.plan_refunds(msg.whole)) {
            Ok(calls) if calls.is_empty() => {
                return AtomicResponse::new(Box::pin(self.answer(Ok(0)).into_actor(self)))
            }
            Ok(calls) => calls,
            Err(e) => return AtomicResponse::new(Box::pin(fut::ready(Err(e)))),
        };
        let (payment, db, written, id) = (
            self.env.payment.clone(),
            self.env.db.clone(),
            self.last_write,
            self.id,
        );
        AtomicResponse::new(Box::pin(
            async move {
                // The request is on disk before the gateway hears of it.
                let mut confirmed = Vec::new();
                if let Err(e) = db.durable(written).await {
                    return (confirmed, Err(e.into()));
                }
                for call in calls {
                    let key = call.key.clone();
                    let refund = Refund { order_id: id, call };
                    match payment.send(refund).await.map_err(AppError::from) {
                        Ok(Ok(transaction_id)) => confirmed.push((key, transaction_id)),
                        Ok(Err(e)) | Err(e) => return (confirmed, Err(e)),
                    }
                }
                (confirmed, Ok(()))
            }
            .into_actor(self)
            .then(|(confirmed, made), act, ctx| {
                let recorded = act.supervised(ctx, |act| act.confirm_refunds(&confirmed));
                let result = recorded.and(made).map(|()| confirmed.len());
                act.answer(result).into_actor(act)
            }),
        ))
    }
}
