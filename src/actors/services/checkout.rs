//! Checkout: from an order request to a paid, placed order, across the
//! store actor (pricing), the payment actor and the new order's actor.
//!
//! With an `Idempotency-Key`, the same key and body answer what the first
//! attempt answered and charge nothing more (also after a restart); the same
//! key with another body is refused. A first attempt that charged nothing
//! (the gateway was unavailable) lets the customer pay again.

use crate::actors::entities::order::{Draft, IdempotencyRecord, Place, Revise};
use crate::actors::entities::shell::Execute;
use crate::actors::entities::store::QuoteOrder;
use crate::actors::payment::retry_after_secs;
use crate::actors::Registry;
use crate::domain::access::{self, OrderAction, Principal};
use crate::domain::checkout::{self, OrderRequest, Quote, QuoteFor};
use crate::domain::geo::round_km;
use crate::domain::order::{Order, OrderCommand, OrderLine, OrderTimer};
use crate::domain::payment::{Payment, PaymentStatus};
use crate::domain::payment_key::PaymentKey;
use crate::domain::pricing::Bill;
use crate::domain::wallet::Wallet;
use crate::domain::{DomainError, OrderId, Timestamp, Won};
use crate::error::{AppError, AppResult};
use crate::storage::{keys, Db};
use dashmap::DashMap;
use serde::Serialize;
use std::sync::Arc;

/// Longest `Idempotency-Key` accepted.
const MAX_KEY_CHARS: usize = 255;

/// One lock per key in use, so concurrent retries with one key are
/// answered one after the other (the second sees what the first did).
#[derive(Debug, Default)]
pub struct KeyLocks {
    locks: DashMap<String, Arc<tokio::sync::Mutex<()>>>,
}

impl KeyLocks {
    async fn with_lock<T>(&self, key: &str, f: impl std::future::Future<Output = T>) -> T {
        let lock = self.locks.entry(key.to_string()).or_default().clone();
        let result = {
            let _held = lock.lock().await;
            f.await
        };
        // Forget the lock unless another request is waiting on it.
        self.locks.remove_if(key, |_, l| Arc::strong_count(l) <= 2);
        result
    }
}

/// Checks an `Idempotency-Key`: 1–255 visible ASCII characters.
fn validate_key(key: &str) -> AppResult<()> {
    if key.is_empty() || key.len() > MAX_KEY_CHARS || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(DomainError::Invalid {
            field: "Idempotency-Key",
            reason: format!("must be 1 to {MAX_KEY_CHARS} visible ASCII characters"),
        }
        .into());
    }
    Ok(())
}

/// Places and pays for an order of customer `by` (whose id fills a
/// request that left `customerId` out); on any refusal nothing is charged.
pub async fn place(
    registry: &Registry,
    by: &Principal,
    mut req: OrderRequest,
    key: Option<String>,
) -> AppResult<Order> {
    req.customer_id = access::acting_customer(by, &req.customer_id)?;
    checkout::validate(&req)?;
    checkout::locate(&req)?;
    required_payment_key(registry, req.payment_key()?.is_some())?;
    let Some(key) = key else {
        return place_new(registry, req, None).await;
    };
    validate_key(&key)?;
    // A key is its customer's: another's same key is another checkout.
    let stored = keys::idempotency(&req.customer_id, &key);
    let lock = format!("{}\0{key}", req.customer_id);
    let locks = registry.env().checkout_keys.clone();
    locks
        .with_lock(&lock, async {
            let db = &registry.env().db;
            let retention = registry.env().retention;
            // A key older than its window answers no more (the sweeper
            // removes it later; a record from before schema 5 has no time
            // and still answers until then).
            let live = |r: &IdempotencyRecord| {
                r.created_at == Timestamp(0)
                    || !retention.idempotency_expired(r.created_at, Timestamp::now())
            };
            if let Some(first) = db.get::<IdempotencyRecord>(&stored)?.filter(live) {
                if first.request != req {
                    return Err(DomainError::Invalid {
                        field: "Idempotency-Key",
                        reason: format!(
                            "was already used for a different order (order {})",
                            first.order_id
                        ),
                    }
                    .into());
                }
                if let Some(answer) = replay(db, first.order_id)? {
                    return answer;
                }
            }
            place_new(registry, req, Some(key.clone())).await
        })
        .await
}

/// The first attempt's answer, or `None` if it charged nothing and the
/// customer may pay again.
fn replay(db: &Db, order_id: OrderId) -> AppResult<Option<AppResult<Order>>> {
    let Some(payment) = db.get::<Payment>(&keys::payment(order_id))? else {
        return Ok(None);
    };
    let reason = payment.decline_reason.clone().unwrap_or_default();
    Ok(match payment.status {
        PaymentStatus::Approved | PaymentStatus::Refunding | PaymentStatus::Refunded => {
            db.get::<Order>(&keys::order(order_id))?.map(Ok)
        }
        PaymentStatus::Declined => Some(Err(DomainError::PaymentDeclined(reason).into())),
        PaymentStatus::Pending => Some(Err(AppError::unavailable(
            "the payment for this Idempotency-Key is still being settled; try again in a moment",
            1,
        ))),
        PaymentStatus::Failed => None,
    })
}

/// A checkout's quote, from the store's actor (so that a menu edit and a
/// checkout never interleave).
async fn checkout_quote(registry: &Registry, req: &OrderRequest) -> AppResult<Quote> {
    let quote = QuoteOrder(Box::new(req.clone()), QuoteFor::Checkout);
    registry.send(&req.store_id, quote).await?
}

async fn place_new(
    registry: &Registry,
    req: OrderRequest,
    key: Option<String>,
) -> AppResult<Order> {
    let store_id = req.store_id.clone();
    let quote = checkout_quote(registry, &req).await?;
    let bill = Bill::new(quote.subtotal, 0, quote.delivery_fee);
    registry.env().limits.check_bill(&bill)?;
    // While the breaker is open, refuse before anything is written.
    if let Err(rejection) = registry.env().payment_guard.check() {
        return Err(AppError::unavailable(
            "payment is unavailable right now; nothing was charged, please pay again in a moment",
            retry_after_secs(rejection),
        ));
    }
    let id = registry.env().db.next_id()?;
    let idempotency = key.map(|key| {
        let record = IdempotencyRecord {
            request: req.clone(),
            order_id: id,
            created_at: Timestamp::now(),
        };
        (key, record)
    });
    let notes = req.notes();
    let payment_key = req.payment_key()?;
    let draft = Draft {
        customer_id: req.customer_id,
        store_id,
        store_name: quote.store_name,
        pickup: quote.pickup,
        items: quote.lines,
        // A coupon's discount is taken by the order's actor, once the
        // pending payment naming it is on disk.
        amount: bill.amount,
        discount: 0,
        coupon_id: req.coupon_id,
        address: req.address,
        dropoff: quote.dropoff,
        delivery_fee: bill.delivery_fee,
        accept: Some(quote.accept),
        notes,
        payment_key: payment_key.clone(),
    };
    // Sent once, never re-sent: a placement interrupted half-way is resolved
    // from its pending payment, not by trying again.
    // (Inside the payment's lock: `send` posts at once.)
    let actor = registry.actor::<Order>(&id);
    let place = async move {
        let draft = Box::new(draft);
        actor.send(Place { draft, idempotency }).await?
    };
    let order = with_payment_key(registry, payment_key, place).await?;
    Ok(auto_accepted(registry, order).await)
}

/// Refuses a checkout (or a revision's extra charge) that brings no
/// `paymentKey` to a gateway that approves nothing else
/// (`Env::needs_payment_key`): 422 naming the field.
fn required_payment_key(registry: &Registry, given: bool) -> AppResult<()> {
    if given || !registry.env().needs_payment_key {
        return Ok(());
    }
    Err(DomainError::Invalid {
        field: "paymentKey",
        reason: "is required, with paymentOrderId: the payment gateway approves only a payment \
                 the customer authorized in its payment widget"
            .into(),
    }
    .into())
}

/// Runs `pay` (a placement, or a revision's extra charge, paid by
/// `authorized`) while nothing else may use that payment, and refuses
/// (409) a payment that already paid for an order, or may have: one
/// gateway payment pays once. One that was declined or failed (nothing
/// charged) may be tried again.
///
/// The lock is held by a task of its own until `pay` ends, even if the
/// caller goes away first (a client that disconnects): the claim
/// (`keys::payment_key`) is written by the order's actor with the pending
/// payment, and a second use must not slip in before it is.
async fn with_payment_key<T: 'static>(
    registry: &Registry,
    authorized: Option<PaymentKey>,
    pay: impl std::future::Future<Output = AppResult<T>> + 'static,
) -> AppResult<T> {
    let Some(authorized) = authorized else {
        return pay.await;
    };
    let registry = registry.clone();
    let held = actix_rt::spawn(async move {
        let gateway_order_id = &authorized.gateway_order_id;
        // A customer id has no control character: this lock is no
        // Idempotency-Key's.
        let lock = format!("\0paymentKey\0{gateway_order_id}");
        let locks = registry.env().checkout_keys.clone();
        locks
            .with_lock(&lock, async {
                let db = &registry.env().db;
                if let Some(order) = db.get::<OrderId>(&keys::payment_key(gateway_order_id))? {
                    let settled_unpaid =
                        db.get::<Payment>(&keys::payment(order))?.is_some_and(|p| {
                            matches!(p.status, PaymentStatus::Failed | PaymentStatus::Declined)
                        });
                    if !settled_unpaid {
                        return Err(DomainError::PaymentKeyUsed {
                            gateway_order_id: gateway_order_id.clone(),
                            order,
                        }
                        .into());
                    }
                }
                pay.await
            })
            .await
    });
    held.await
        .map_err(|e| AppError::Internal(format!("a payment's task ended early: {e}")))?
}

/// An order of a store that accepts automatically, accepted now, so the
/// customer's answer already says when the food comes. Its durable timer
/// (`OrderTimer::AutoAccept`) does it anyway if this fails or the server
/// stops first.
async fn auto_accepted(registry: &Registry, order: Order) -> Order {
    if !order
        .timers()
        .iter()
        .any(|(_, t)| *t == OrderTimer::AutoAccept)
    {
        return order;
    }
    let accept = Execute::<Order>::new(
        &Principal::System,
        OrderCommand::Timer(OrderTimer::AutoAccept),
    );
    match registry.send(&order.id, accept).await {
        Ok(Ok(outcome)) => outcome.state,
        _ => order,
    }
}

/// What an order would cost, as `POST /orders/quote` answers: the bill of
/// a checkout of the same body, with nothing charged, written or used (a
/// coupon is checked, not spent). Won and km.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PriceQuote {
    pub store_id: String,
    pub lines: Vec<OrderLine>,
    pub subtotal: Won,
    pub discount: Won,
    pub delivery_fee: Won,
    pub amount: Won,
    /// Straight-line, store to drop-off, to 10 m.
    pub distance_km: f64,
    pub min_order_won: Won,
}

/// Prices an order request of customer `by` as checkout would, refusing
/// what checkout would refuse (422 under the minimum or outside the
/// radius, 409 closed or a coupon that cannot be used), and charges
/// nothing.
pub async fn quote(
    registry: &Registry,
    by: &Principal,
    mut req: OrderRequest,
) -> AppResult<PriceQuote> {
    req.customer_id = access::acting_customer(by, &req.customer_id)?;
    checkout::validate(&req)?;
    checkout::locate(&req)?;
    let quote = checkout_quote(registry, &req).await?;
    let coupon_value = match &req.coupon_id {
        Some(coupon) => {
            registry
                .env()
                .db
                .get::<Wallet>(&keys::wallet(&req.customer_id))?
                .unwrap_or_else(|| Wallet::new(&req.customer_id))
                .usable_coupon(coupon)?
                .amount
        }
        None => 0,
    };
    let bill = Bill::new(quote.subtotal, coupon_value, quote.delivery_fee);
    registry.env().limits.check_bill(&bill)?;
    Ok(PriceQuote {
        store_id: req.store_id,
        lines: quote.lines,
        subtotal: bill.subtotal,
        discount: bill.discount,
        delivery_fee: bill.delivery_fee,
        amount: bill.amount,
        distance_km: round_km(quote.distance_km),
        min_order_won: quote.min_order_won,
    })
}

/// Revises a Placed order's items: priced against the store's menu now,
/// with the order's discount kept (up to the new subtotal); its payment
/// follows (an extra charge first, or a refund after).
pub async fn revise(
    registry: &Registry,
    by: &Principal,
    id: OrderId,
    items: Vec<checkout::ItemRequest>,
    authorized: Option<PaymentKey>,
) -> AppResult<Order> {
    let db = &registry.env().db;
    let order = db
        .get::<Order>(&keys::order(id))?
        .ok_or(DomainError::OrderNotFound(id))?;
    // Before anything is priced: another customer's order does not exist.
    access::check_order(by, &order, OrderAction::Revise)?;
    let req = OrderRequest {
        customer_id: order.customer_id.clone(),
        store_id: order.store_id.clone(),
        items,
        address: order.address.clone(),
        lat: Some(order.lat),
        lon: Some(order.lon),
        coupon_id: None,
        store_note: None,
        rider_note: None,
        payment_key: None,
        payment_order_id: None,
    };
    checkout::validate(&req)?;
    let holds = QuoteFor::Revision {
        holds: order.items.iter().map(|l| l.menu_id.clone()).collect(),
    };
    let quote = registry
        .send(&order.store_id, QuoteOrder(Box::new(req), holds))
        .await??;
    // The coupon's value, not what it took off last time (that may have
    // been capped by a smaller subtotal).
    let coupon_value = match &order.coupon_id {
        Some(coupon) => db
            .get::<Wallet>(&keys::wallet(&order.customer_id))?
            .and_then(|w| w.coupons.into_iter().find(|c| &c.id == coupon))
            .map_or(order.discount, |c| c.amount),
        None => 0,
    };
    // The fee agreed at checkout stays: the drop-off did not move.
    let bill = Bill::new(quote.subtotal, coupon_value, order.fees.delivery_won);
    registry.env().limits.check_bill(&bill)?;
    if bill.amount > order.amount {
        required_payment_key(registry, authorized.is_some())?;
    }
    let revise = Revise {
        by: by.clone(),
        items: quote.lines,
        bill,
        payment_key: authorized.clone(),
    };
    // Sent once, never re-sent: a revision cut short is compensated from
    // its pending record, not tried again.
    // (Inside the payment's lock: `send` posts at once.)
    let actor = registry.actor::<Order>(&id);
    let send = async move { actor.send(revise).await? };
    with_payment_key(registry, authorized, send).await
}
