//! Revising a Placed order: its items change and its payment follows.
//!
//! Down: the order changes at once; its payment asks for the difference
//! back in the same commit (newest charge first), and the refunds
//! subscriber has the gateway make it. Up: the extra charge comes first, a
//! transaction of its own under the idempotency key (order, revision
//! attempt), recorded as pending before the gateway is called; only an
//! approved charge changes the order. A declined or failed one leaves the
//! order as it was; one whose outcome is unknown (timeout, crash) is
//! compensated by the resolver: that charge refunded if it happened, and
//! the order left as it was. A cancel meanwhile refunds only the charges
//! the ledger holds, so the unknown one is refunded once, by the resolver.

use super::OrderActor;
use crate::actors::entities::shell::EntityMessage;
use crate::actors::payment::{Adjust, ChargeOutcome, LookupAdjustment, Refund};
use crate::domain::access::Principal;
use crate::domain::aggregate::Aggregate;
use crate::domain::order::{Order, OrderCommand, OrderLine, Revision};
use crate::domain::payment::{AdjustmentKind, PaymentEvent, PaymentRevision};
use crate::domain::payment_key::PaymentKey;
use crate::domain::payment_ledger::{ChargeRefund, PaymentCharge, RefundCall, RefundCause};
use crate::domain::pricing::{self, Bill};
use crate::domain::settlement::{self, PendingRevisionStep, RevisionStep};
use crate::domain::{DomainError, OrderId, Timestamp};
use crate::error::{AppError, AppResult};
use crate::storage::{keys, Db, WriteBatch};
use crate::supervision::Supervised;
use actix::prelude::*;
use serde::{Deserialize, Serialize};

/// Change a Placed order's items to these, priced by the caller.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<Order>")]
pub struct Revise {
    /// Who asks: refused before anything is charged unless they may.
    pub by: Principal,
    pub items: Vec<OrderLine>,
    pub bill: Bill,
    /// What the customer authorized for an extra charge in a real
    /// gateway's widget (none with the sandbox).
    pub payment_key: Option<PaymentKey>,
}

/// Settle a revision's extra charge left pending (by a crash or timeout)
/// since before `requested_before`; a younger one may still be in flight at
/// the gateway.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<bool>")]
pub struct ResolveRevision {
    pub requested_before: Timestamp,
}

/// A revision whose extra charge is being requested.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingRevision {
    revision: Revision,
    customer_id: String,
    requested_at: Timestamp,
    /// The extra charge's authorization at a real gateway, which finds it
    /// by that (since schema 6).
    #[serde(default)]
    payment_key: Option<PaymentKey>,
}

/// A revision also moves its payment, in the same batch.
pub(super) fn settle_payment_in(
    db: &Db,
    id: OrderId,
    batch: &mut WriteBatch,
    r: &Revision,
    now: Timestamp,
) -> AppResult<()> {
    let change = PaymentRevision {
        revision: r.revision,
        delta: r.delta,
        transaction_id: r.transaction_id.clone(),
        at: now,
    };
    let payment =
        super::placement::payment_of(db, id)?.apply(&PaymentEvent::Revised(change), now)?;
    batch.put(keys::payment(id), &payment)?;
    // Only this attempt's own record: another's is settled by the resolver.
    let pending = db.get::<PendingRevision>(&keys::revision_pending(id))?;
    if pending.is_some_and(|p| p.revision.key == r.key) {
        batch.remove(keys::revision_pending(id));
    }
    Ok(())
}

impl OrderActor {
    /// The revision this request makes, checked against the order as it is.
    fn plan_revision(&mut self, msg: &Revise) -> AppResult<(Revision, String)> {
        self.ensure_loaded()?;
        // One change at a time: an extra charge whose outcome is unknown is
        // settled (refunded if it happened) before another may begin.
        if self.env.db.contains(&keys::revision_pending(self.id))? {
            return Err(DomainError::RevisionInProgress(self.id).into());
        }
        let key = self.env.db.next_id()?;
        let order = self
            .state
            .as_ref()
            .ok_or(DomainError::OrderNotFound(self.id))?;
        self.env.limits.check_revision(order)?;
        let revision = Revision {
            revision: order.revision + 1,
            items: msg.items.clone(),
            amount: msg.bill.amount,
            discount: msg.bill.discount,
            delta: pricing::amount_delta(order.amount, msg.bill.amount),
            delivery_fee: msg.bill.delivery_fee,
            transaction_id: None,
            key,
        };
        // Refuse now what the order would refuse (not Placed, say).
        Order::decide(
            Some(order),
            &self.id,
            &msg.by,
            &OrderCommand::Revise(Box::new(revision.clone())),
            Timestamp::now(),
        )?;
        Ok((revision, order.customer_id.clone()))
    }

    fn record_pending_revision(&mut self, pending: &PendingRevision) -> AppResult<()> {
        let mut batch = WriteBatch::new();
        batch.put(keys::revision_pending(self.id), pending)?;
        if let Some(authorized) = &pending.payment_key {
            batch.put(keys::payment_key(&authorized.gateway_order_id), &self.id)?;
        }
        self.last_write = self.env.db.commit(batch)?;
        Ok(())
    }

    fn drop_pending_revision(&mut self) -> AppResult<()> {
        let mut batch = WriteBatch::new();
        batch.remove(keys::revision_pending(self.id));
        self.last_write = self.env.db.commit(batch)?;
        Ok(())
    }

    /// Drops the pending revision and, if its extra charge happened and was
    /// given back, records both in the payment's ledger, in one commit.
    fn close_pending_revision(&mut self, compensated: Option<PaymentCharge>) -> AppResult<()> {
        let mut batch = WriteBatch::new();
        if let Some(charge) = compensated {
            let payment = self
                .payment()?
                .apply(&PaymentEvent::Compensated(charge), Timestamp::now())?;
            batch.put(keys::payment(self.id), &payment)?;
        }
        batch.remove(keys::revision_pending(self.id));
        self.last_write = self.env.db.commit(batch)?;
        Ok(())
    }

    /// Applies the revision if its extra charge went through.
    fn settle_revision(
        &mut self,
        by: &Principal,
        mut revision: Revision,
        outcome: ChargeOutcome,
    ) -> AppResult<Order> {
        match settlement::settle_revision(&outcome) {
            RevisionStep::Apply { transaction_id } => {
                revision.transaction_id = Some(transaction_id);
                Ok(self
                    .execute(by, &OrderCommand::Revise(Box::new(revision)))?
                    .state)
            }
            RevisionStep::Drop => {
                self.drop_pending_revision()?;
                Err(not_revised(outcome))
            }
            RevisionStep::KeepPending => Err(not_revised(outcome)),
        }
    }
}

/// What the customer is told when the extra charge did not go through.
fn not_revised(outcome: ChargeOutcome) -> AppError {
    match outcome {
        ChargeOutcome::Declined { reason } => {
            DomainError::PaymentDeclined(format!("{reason}; the order is as it was")).into()
        }
        ChargeOutcome::Unavailable {
            reason,
            retry_after_secs,
        } => AppError::unavailable(
            format!("{reason}; nothing was charged and the order is as it was"),
            retry_after_secs,
        ),
        ChargeOutcome::Unknown { reason } => AppError::unavailable(
            format!("{reason}; the order is as it was, and a charge, if any, will be refunded"),
            2,
        ),
        ChargeOutcome::Approved { transaction_id } => AppError::Internal(format!(
            "revision charge {transaction_id} was approved but not applied"
        )),
    }
}

impl EntityMessage for Revise {
    type Entity = Order;
}

impl Handler<Revise> for OrderActor {
    type Result = AtomicResponse<Self, AppResult<Order>>;

    fn handle(&mut self, msg: Revise, ctx: &mut Context<Self>) -> Self::Result {
        let _span = tracing::debug_span!("order.revise", order = self.id, amount = msg.bill.amount)
            .entered();
        self.idle.touch();
        let planned = self.supervised(ctx, |act| act.plan_revision(&msg));
        let (revision, customer_id) = match planned {
            // Down (or even): no money to take first.
            Ok((r, _)) if r.delta <= 0 => {
                let result = self.supervised(ctx, |act| {
                    Ok(act
                        .execute(&msg.by, &OrderCommand::Revise(Box::new(r)))?
                        .state)
                });
                return AtomicResponse::new(Box::pin(self.answer(result).into_actor(self)));
            }
            Ok(planned) => planned,
            Err(e) => return AtomicResponse::new(Box::pin(fut::ready(Err(e)))),
        };
        let pending = PendingRevision {
            revision: revision.clone(),
            customer_id: customer_id.clone(),
            requested_at: Timestamp::now(),
            payment_key: msg.payment_key.clone(),
        };
        let recorded = self.supervised(ctx, |act| act.record_pending_revision(&pending));
        let (payment, db, written) = (
            self.env.payment.clone(),
            self.env.db.clone(),
            self.last_write,
        );
        let charge = Adjust {
            order_id: self.id,
            key: revision.key,
            kind: AdjustmentKind::ExtraCharge,
            customer_id,
            delta: revision.delta,
            authorized: msg.payment_key,
        };
        let by = msg.by;
        AtomicResponse::new(Box::pin(
            async move {
                recorded?;
                db.durable(written).await?;
                Ok(payment.send(charge).await?)
            }
            .into_actor(self)
            .then(move |outcome: AppResult<ChargeOutcome>, act, ctx| {
                let result = outcome
                    .and_then(|o| act.supervised(ctx, |act| act.settle_revision(&by, revision, o)));
                act.answer(result).into_actor(act)
            }),
        ))
    }
}

impl EntityMessage for ResolveRevision {
    type Entity = Order;
}

impl Handler<ResolveRevision> for OrderActor {
    type Result = AtomicResponse<Self, AppResult<bool>>;

    /// Compensates a pending revision: whatever the gateway charged for it
    /// is refunded, and the order stays as it was. Answers whether there
    /// was one.
    fn handle(&mut self, msg: ResolveRevision, _: &mut Context<Self>) -> Self::Result {
        self.idle.touch();
        let pending = match self
            .env
            .db
            .get::<PendingRevision>(&keys::revision_pending(self.id))
        {
            Ok(Some(p))
                if settlement::pending_revision_due(p.requested_at, msg.requested_before) =>
            {
                p
            }
            // Young enough to be still on its way at the gateway.
            Ok(Some(_)) => return AtomicResponse::new(Box::pin(fut::ready(Ok(false)))),
            other => {
                return AtomicResponse::new(Box::pin(fut::ready(
                    other.map(|_| false).map_err(Into::into),
                )))
            }
        };
        let (payment, id) = (self.env.payment.clone(), self.id);
        let r = pending.revision.clone();
        AtomicResponse::new(Box::pin(
            async move {
                let lookup = LookupAdjustment {
                    order_id: id,
                    key: r.key,
                    kind: AdjustmentKind::ExtraCharge,
                    authorized: pending.payment_key.clone(),
                };
                let charged = payment.send(lookup).await??;
                if settlement::resolve_pending_revision(charged.is_some())
                    != PendingRevisionStep::Compensate
                {
                    return Ok(None);
                }
                let Some(extra) = charged else {
                    return Ok(None);
                };
                let amount = extra.delta.unsigned_abs();
                let requested = ChargeRefund::requested(
                    RefundCause::Compensation(r.key),
                    amount,
                    Timestamp::now(),
                );
                let call = RefundCall {
                    key: requested.key(id, 0),
                    transaction_id: extra.transaction_id.clone(),
                    amount,
                };
                // A release before schema 5 compensated under the key
                // (order, attempt, Compensation): if it did and a crash
                // kept it from dropping the record, that is the refund.
                let earlier = LookupAdjustment {
                    order_id: id,
                    key: r.key,
                    kind: AdjustmentKind::Compensation,
                    authorized: None,
                };
                let refund_id = match payment.send(earlier).await?? {
                    Some(made) => made.transaction_id,
                    None => payment.send(Refund { order_id: id, call }).await??,
                };
                let mut charge = PaymentCharge::new(extra.transaction_id, r.revision, amount);
                charge.refunds.push(ChargeRefund {
                    transaction_id: Some(refund_id),
                    refunded_at: Some(Timestamp::now()),
                    ..requested
                });
                Ok(Some(charge))
            }
            .into_actor(self)
            .then(|done: AppResult<Option<PaymentCharge>>, act, ctx| {
                let result = done
                    .and_then(|c| act.supervised(ctx, |act| act.close_pending_revision(c)))
                    .map(|()| true);
                act.answer(result).into_actor(act)
            }),
        ))
    }
}
