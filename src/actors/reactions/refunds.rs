//! Refunds: a subscriber that gives the charge back when an order is
//! rejected or canceled, through the payment gateway (idempotent by order
//! id), recording the refund with its offset in one batch.

use crate::actors::dispatcher::LogBatch;
use crate::actors::payment::{Adjust, ChargeOutcome, PaymentActor, Refund};
use crate::actors::reactions::{commit_offset, contained, Reaction};
use crate::actors::subscribers::Wiring;
use crate::domain::event::OrderEventOf;
use crate::domain::order::OrderEvent;
use crate::domain::payment::{AdjustmentKind, Payment, PaymentEvent, PaymentStatus};
use crate::domain::Timestamp;
use crate::error::{AppError, AppResult};
use crate::storage::{keys, Db, WriteBatch};
use actix::prelude::*;

/// The subscriber's name (and offset key).
pub const NAME: &str = "refunds";

/// The refunds subscriber.
pub struct Refunds {
    db: Db,
    payment: Addr<PaymentActor>,
}

impl Refunds {
    pub fn new(db: Db, payment: Addr<PaymentActor>) -> Self {
        Refunds { db, payment }
    }
}

impl Reaction for Refunds {
    const NAME: &'static str = NAME;

    fn build(w: &Wiring) -> Self {
        Refunds::new(w.deps.db.clone(), w.payment.clone())
    }
}

impl Actor for Refunds {
    type Context = Context<Self>;
}

impl Handler<LogBatch> for Refunds {
    type Result = ResponseFuture<AppResult<u64>>;

    fn handle(&mut self, msg: LogBatch, _: &mut Context<Self>) -> Self::Result {
        let (db, payment) = (self.db.clone(), self.payment.clone());
        let refund = async move {
            let start = db.get::<u64>(&keys::offset(NAME))?.unwrap_or(0);
            let mut offset = start;
            for record in msg.0.iter().filter(|r| r.seq > start) {
                let Some(OrderEventOf {
                    order_id,
                    customer_id,
                    event,
                    ..
                }) = record.event.as_order()
                else {
                    offset = record.seq;
                    continue;
                };
                if let OrderEvent::Revised(r) = event {
                    if r.delta < 0 {
                        // A revision down: give back the difference (the
                        // payment record already says so).
                        let refund = Adjust {
                            order_id,
                            key: r.key,
                            kind: AdjustmentKind::PartialRefund,
                            customer_id: customer_id.to_string(),
                            delta: r.delta,
                        };
                        match payment.send(refund).await? {
                            ChargeOutcome::Approved { .. } => {}
                            other => {
                                return Err(AppError::unavailable(
                                    format!(
                                        "partial refund of order {order_id} not done: {other:?}"
                                    ),
                                    1,
                                ))
                            }
                        }
                    }
                }
                if event.refunds_payment() {
                    let key = keys::payment(order_id);
                    if let Some(charged) = db
                        .get::<Payment>(&key)?
                        .filter(|p| p.status == PaymentStatus::Approved)
                    {
                        payment.send(Refund { order_id }).await??;
                        let refunded = charged.apply(&PaymentEvent::Refunded, Timestamp::now())?;
                        let mut batch = WriteBatch::new();
                        batch.put(key, &refunded)?;
                        batch.put(keys::offset(NAME), &record.seq)?;
                        db.commit(batch)?;
                    }
                }
                offset = record.seq;
            }
            commit_offset(&db, NAME, start, offset)?;
            Ok(offset)
        };
        contained(NAME, refund)
    }
}
