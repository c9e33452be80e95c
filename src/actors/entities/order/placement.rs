//! Placing an order: its payment is recorded as pending before the gateway
//! is called (idempotency key: the order id), and settled in the same batch
//! that places the order. A pending payment left by a crash or a timeout is
//! resolved later by asking the gateway what happened: never a charge
//! without an order, never an order without a charge.

use super::OrderActor;
use crate::actors::entities::customer;
use crate::actors::entities::shell::EntityMessage;
use crate::actors::payment::{Charge, ChargeOutcome};
use crate::domain::access::Principal;
use crate::domain::checkout::OrderRequest;
use crate::domain::order::{Fees, NewOrder, Notes, Order, OrderCommand, OrderLine};
use crate::domain::payment::{Payment, PaymentEvent, PaymentStatus};
use crate::domain::payment_key::PaymentKey;
use crate::domain::prep::AcceptTerms;
use crate::domain::pricing::{self, Bill};
use crate::domain::settlement::{self, PlacementStep};
use crate::domain::{DomainError, Event, LatLon, OrderId, Timestamp, Won};
use crate::error::{AppError, AppResult};
use crate::storage::{keys, Db, WriteBatch};
use crate::supervision::Supervised;
use actix::prelude::*;
use serde::{Deserialize, Serialize};

/// An order about to be paid: everything but the transaction id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub customer_id: String,
    pub store_id: String,
    pub store_name: String,
    pub pickup: LatLon,
    pub items: Vec<OrderLine>,
    pub amount: Won,
    pub discount: Won,
    pub coupon_id: Option<String>,
    pub address: String,
    pub dropoff: LatLon,
    /// Part of `amount`: the delivery fee, which no coupon takes off
    /// (since schema 6).
    #[serde(default)]
    pub delivery_fee: Won,
    /// The store's deadline and way of accepting (since schema 6).
    #[serde(default)]
    pub accept: Option<AcceptTerms>,
    #[serde(default)]
    pub notes: Notes,
    /// What the customer authorized in a real gateway's widget (since
    /// schema 6; none with the sandbox).
    #[serde(default)]
    pub payment_key: Option<PaymentKey>,
}

impl Draft {
    fn into_new_order(self, id: OrderId, transaction_id: String) -> NewOrder {
        NewOrder {
            id,
            customer_id: self.customer_id,
            store_id: self.store_id,
            store_name: self.store_name,
            pickup: self.pickup,
            items: self.items,
            amount: self.amount,
            discount: self.discount,
            coupon_id: self.coupon_id,
            address: self.address,
            dropoff: self.dropoff,
            transaction_id,
            fees: Fees {
                delivery_won: self.delivery_fee,
            },
            accept: self.accept,
            notes: self.notes,
        }
    }
}

/// What is kept while a payment is between "requested" and "settled".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingPayment {
    pub(super) draft: Draft,
    /// The customer was told it failed: if it was charged after all, the
    /// charge is refunded rather than the order placed.
    pub(super) abandoned: bool,
}

/// Pay for a draft and, once approved, place the order.
#[derive(Clone, Debug, Message)]
#[rtype(result = "AppResult<Order>")]
pub struct Place {
    pub draft: Box<Draft>,
    /// The `Idempotency-Key` this attempt answers, remembered with the
    /// pending payment (so before anything is charged).
    pub idempotency: Option<(String, IdempotencyRecord)>,
}

/// What an `Idempotency-Key` is remembered as: the request it came with and
/// the order (id) that request became.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    pub request: OrderRequest,
    pub order_id: OrderId,
    /// When the key was first used (schema 5; older records read 0, and
    /// the retention sweeper ages them by their payment).
    #[serde(default)]
    pub created_at: Timestamp,
}

/// A placement also settles its payment, in the same batch.
pub(super) fn settle_payment_in(
    db: &Db,
    id: OrderId,
    batch: &mut WriteBatch,
    cmd: &OrderCommand,
    now: Timestamp,
) -> AppResult<()> {
    let new = match cmd {
        OrderCommand::Place(new) => new,
        OrderCommand::Revise(r) => {
            return super::revision::settle_payment_in(db, id, batch, r, now)
        }
        _ => return Ok(()),
    };
    let approved = payment_of(db, id)?.apply(
        &PaymentEvent::Approved {
            transaction_id: new.transaction_id.clone(),
        },
        now,
    )?;
    batch.put(keys::payment(id), &approved)?;
    batch.remove(keys::pending(id));
    Ok(())
}

/// A reject or cancel asks for everything back in its own commit; the
/// refunds subscriber then has the gateway make each refund.
pub(super) fn request_refund_in(
    db: &Db,
    id: OrderId,
    batch: &mut WriteBatch,
    now: Timestamp,
) -> AppResult<()> {
    let payment = payment_of(db, id)?;
    if payment.status == PaymentStatus::Approved {
        batch.put(
            keys::payment(id),
            &payment.apply(&PaymentEvent::RefundRequested, now)?,
        )?;
    }
    Ok(())
}

/// An order's payment record, which every order has from its checkout on.
pub(super) fn payment_of(db: &Db, id: OrderId) -> AppResult<Payment> {
    db.get::<Payment>(&keys::payment(id))?
        .ok_or_else(|| AppError::Internal(format!("order {id} has no payment record")))
}

impl OrderActor {
    pub(super) fn payment(&self) -> AppResult<Payment> {
        payment_of(&self.env.db, self.id)
    }

    pub(super) fn pending(&mut self) -> AppResult<Option<PendingPayment>> {
        self.ensure_loaded()?;
        Ok(self.env.db.get(&keys::pending(self.id))?)
    }

    /// Records the payment as pending, before the gateway is called.
    fn begin_payment(
        &mut self,
        draft: &Draft,
        idempotency: Option<(String, IdempotencyRecord)>,
    ) -> AppResult<Charge> {
        self.ensure_loaded()?;
        if self.state.is_some() || self.env.db.contains(&keys::payment(self.id))? {
            return Err(DomainError::OrderExists(self.id).into());
        }
        let payment = Payment::pending(
            self.id,
            draft.customer_id.clone(),
            draft.amount,
            Timestamp::now(),
        );
        let pending = PendingPayment {
            draft: draft.clone(),
            abandoned: false,
        };
        let mut batch = WriteBatch::new();
        batch.put(keys::payment(self.id), &payment)?;
        batch.put(keys::pending(self.id), &pending)?;
        if let Some(authorized) = &draft.payment_key {
            batch.put(keys::payment_key(&authorized.gateway_order_id), &self.id)?;
        }
        if let Some((key, record)) = idempotency {
            batch.put(
                keys::idempotency(&record.request.customer_id, &key),
                &record,
            )?;
        }
        self.last_write = self.env.db.commit(batch)?;
        Ok(Charge {
            order_id: self.id,
            customer_id: draft.customer_id.clone(),
            amount: draft.amount,
            authorized: draft.payment_key.clone(),
        })
    }

    /// Ends a pending payment with `events` applied to it (none: as it is).
    /// No order comes of it: what the checkout reserved is given back, by
    /// way of the event this logs.
    pub(super) fn close_payment(&mut self, events: &[PaymentEvent]) -> AppResult<()> {
        let now = Timestamp::now();
        let mut payment = self.payment()?;
        for e in events {
            payment = payment.apply(e, now)?;
        }
        let coupon_id = self.pending()?.and_then(|p| p.draft.coupon_id);
        let mut batch = WriteBatch::new();
        batch.put(keys::payment(self.id), &payment)?;
        batch.remove(keys::pending(self.id));
        batch.append(
            now,
            Event::CheckoutAbandoned {
                order_id: self.id,
                customer_id: payment.customer_id.clone(),
                coupon_id,
            },
        );
        self.last_write = self.env.db.commit(batch)?;
        Ok(())
    }

    /// Places the order if the gateway approved; otherwise records why not.
    pub(super) fn settle(&mut self, draft: Draft, outcome: ChargeOutcome) -> AppResult<Order> {
        match settlement::settle_placement(outcome) {
            PlacementStep::Place { transaction_id } => {
                // The customer placed it, also when recovery completes it.
                let by = Principal::Customer(draft.customer_id.clone());
                let new = draft.into_new_order(self.id, transaction_id);
                Ok(self
                    .execute(&by, &OrderCommand::Place(Box::new(new)))?
                    .state)
            }
            PlacementStep::CloseDeclined { reason } => {
                self.close_payment(&[PaymentEvent::Declined {
                    reason: reason.clone(),
                }])?;
                Err(DomainError::PaymentDeclined(reason).into())
            }
            PlacementStep::CloseFailed {
                reason,
                retry_after_secs,
            } => {
                self.close_payment(&[PaymentEvent::Failed {
                    reason: reason.clone(),
                }])?;
                let message =
                    format!("{reason}; nothing was charged, please pay again in a moment");
                Err(AppError::unavailable(message, retry_after_secs))
            }
            PlacementStep::Abandon { reason } => {
                // It may have been charged: keep it pending, marked so that
                // a charge found later is refunded, not turned into an order.
                self.abandon()?;
                let message =
                    format!("{reason}; if you were charged it will be refunded, please pay again in a moment");
                Err(AppError::unavailable(message, 2))
            }
        }
    }

    /// Marks the pending payment as given up on: the customer was told it
    /// failed, so a charge found later is refunded.
    fn abandon(&mut self) -> AppResult<()> {
        let Some(pending) = self.pending()? else {
            return Ok(());
        };
        let mut batch = WriteBatch::new();
        batch.put(
            keys::pending(self.id),
            &PendingPayment {
                abandoned: true,
                ..pending
            },
        )?;
        self.last_write = self.env.db.commit(batch)?;
        Ok(())
    }
}

fn charged_but_not_placed() -> AppError {
    AppError::unavailable(
        "the order could not be placed after the card was charged; the charge will be refunded, please order again in a moment",
        2,
    )
}

impl OrderActor {
    /// Takes a coupon's discount off the pending payment; answers the charge.
    fn apply_discount(&mut self, discount: Won) -> AppResult<Charge> {
        let mut pending = self.pending()?.ok_or_else(|| {
            AppError::Internal(format!("order {} has no pending payment", self.id))
        })?;
        // The draft's amount is still its subtotal and fee: nothing came
        // off yet.
        let fee = pending.draft.delivery_fee;
        let bill = Bill::new(pricing::food_paid(pending.draft.amount, fee), discount, fee);
        pending.draft.discount = bill.discount;
        pending.draft.amount = bill.amount;
        let mut payment = self.payment()?;
        payment.amount = pending.draft.amount;
        let mut batch = WriteBatch::new();
        batch.put(keys::pending(self.id), &pending)?;
        batch.put(keys::payment(self.id), &payment)?;
        self.last_write = self.env.db.commit(batch)?;
        Ok(Charge {
            order_id: self.id,
            customer_id: pending.draft.customer_id,
            amount: pending.draft.amount,
            authorized: pending.draft.payment_key,
        })
    }
}

impl EntityMessage for Place {
    type Entity = Order;
}

impl Handler<Place> for OrderActor {
    type Result = AtomicResponse<Self, AppResult<Order>>;

    fn handle(&mut self, msg: Place, ctx: &mut Context<Self>) -> Self::Result {
        let _span = tracing::debug_span!("order.place", order = self.id, amount = msg.draft.amount)
            .entered();
        self.idle.touch();
        let draft = *msg.draft;
        let charge = self.supervised(ctx, |act| act.begin_payment(&draft, msg.idempotency));
        let (db, written) = (self.env.db.clone(), self.last_write);
        let (registry, id) = (self.registry.clone(), self.id);
        let coupon = draft
            .coupon_id
            .clone()
            // A coupon comes off the food only (`pricing`).
            .map(|c| {
                let food = pricing::food_paid(draft.amount, draft.delivery_fee);
                (draft.customer_id.clone(), c, food)
            });
        AtomicResponse::new(Box::pin(
            async move {
                let charge = charge?;
                // Nothing is reserved or charged before the pending record,
                // which names the coupon, is on disk: whatever fails from
                // here closes the payment, and that gives the coupon back.
                db.durable(written).await?;
                let discount = match coupon {
                    Some((customer, coupon_id, subtotal)) => Some(
                        customer::use_coupon(&registry, &customer, &coupon_id, id, subtotal)
                            .await?,
                    ),
                    None => None,
                };
                Ok((charge, discount))
            }
            .into_actor(self)
            .then(|reserved: AppResult<(Charge, Option<Won>)>, act, ctx| {
                let charge = reserved.and_then(|(charge, discount)| match discount {
                    Some(d) => act.supervised(ctx, |act| act.apply_discount(d)),
                    None => Ok(charge),
                });
                let attempted = matches!(act.pending(), Ok(Some(_)));
                if let (Err(e), true) = (&charge, attempted) {
                    // Not charged: close it now (the coupon, if it was
                    // reserved, comes back by the abandonment).
                    let failed = PaymentEvent::Failed {
                        reason: e.to_string(),
                    };
                    if act
                        .supervised(ctx, |act| act.close_payment(&[failed]))
                        .is_err()
                    {
                        tracing::warn!(order = act.id, "left pending for the resolver");
                    }
                }
                let (payment, db, written) =
                    (act.env.payment.clone(), act.env.db.clone(), act.last_write);
                async move {
                    let charge = charge?;
                    db.durable(written).await?;
                    Ok(payment.send(charge).await?)
                }
                .into_actor(act)
            })
            .then(move |outcome: AppResult<ChargeOutcome>, act, ctx| {
                let approved = matches!(outcome, Ok(ChargeOutcome::Approved { .. }));
                let mut result = outcome.and_then(|outcome| {
                    let draft = match act.pending() {
                        Ok(Some(pending)) => pending.draft,
                        _ => draft,
                    };
                    act.supervised(ctx, |act| act.settle(draft, outcome))
                });
                if approved && result.is_err() {
                    // Charged, but the order could not be placed: the
                    // customer is told so, and the charge will be refunded.
                    result = act
                        .supervised(ctx, |act| act.abandon())
                        .and_then(|()| Err(charged_but_not_placed()));
                }
                act.stop_if_absent(ctx);
                act.answer(result).into_actor(act)
            }),
        ))
    }
}
