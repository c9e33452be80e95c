//! Checkout: from an order request to a paid, placed order, across the
//! store actor (pricing), the payment actor and the new order's actor.

use super::order::{Draft, Place};
use super::payment::retry_after_secs;
use super::store::QuoteOrder;
use super::Registry;
use crate::domain::checkout::{self, OrderRequest};
use crate::domain::order::Order;
use crate::domain::DomainError;
use crate::error::{AppError, AppResult};

/// Places and pays for an order; on any refusal nothing is charged.
pub async fn place(registry: &Registry, req: OrderRequest) -> AppResult<Order> {
    checkout::validate(&req)?;
    checkout::locate(&req)?;
    let store_id = req.store_id.clone();
    let req = Box::new(req);
    let quote = registry
        .send_store(&store_id, QuoteOrder(req.clone()))
        .await??;
    if let Some(coupon) = &req.coupon_id {
        // No coupon has been issued to anyone yet: every coupon is unknown.
        return Err(DomainError::UnknownCoupon(coupon.clone()).into());
    }
    let draft = Draft {
        customer_id: req.customer_id,
        store_id,
        store_name: quote.store_name,
        pickup: quote.pickup,
        items: quote.lines,
        amount: quote.subtotal,
        discount: 0,
        address: req.address,
        dropoff: quote.dropoff,
    };
    // While the breaker is open, refuse before anything is written.
    if let Err(rejection) = registry.env().payment_guard.check() {
        return Err(AppError::unavailable(
            "payment is unavailable right now; nothing was charged, please pay again in a moment",
            retry_after_secs(rejection),
        ));
    }
    let id = registry.env().db.next_id()?;
    // Sent once, never re-sent: a placement interrupted half-way is resolved
    // from its pending payment, not by trying again.
    registry.order(id).send(Place(Box::new(draft))).await?
}
