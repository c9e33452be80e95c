//! Checkout: validating an order request, locating it and pricing it.

use super::districts;
use super::error::DomainError;
use super::geo::LatLon;
use super::ids::{validate_id, validate_text};
use super::options::{self, ChoiceRequest};
use super::order::{Notes, OrderLine};
use super::payment_key::PaymentKey;
use super::prep::AcceptTerms;
use super::pricing;
use super::reasons::MAX_NOTE_CHARS;
use super::store::Store;
use super::time::Timestamp;
use super::Won;
use serde::{Deserialize, Serialize};

/// Most lines one order may have.
pub const MAX_LINES: usize = 50;
/// Most of one dish one line may ask for.
pub const MAX_QTY: u64 = 99;
/// Longest address accepted.
pub const MAX_ADDRESS_CHARS: usize = 200;

/// What a quote is for: a checkout, or the revision of an order that holds
/// these dishes (by menu id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuoteFor {
    Checkout,
    Revision { holds: Vec<String> },
}

/// One requested line: a menu item and how many.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemRequest {
    pub menu_id: String,
    pub qty: u64,
    /// The dish's options chosen (since schema 6).
    #[serde(default)]
    pub options: Vec<ChoiceRequest>,
}

/// What a customer asks for at checkout (`POST /orders`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderRequest {
    /// The caller's own id, or left out (`access::acting_customer`).
    #[serde(default)]
    pub customer_id: String,
    pub store_id: String,
    pub items: Vec<ItemRequest>,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub coupon_id: Option<String>,
    /// For the store's eyes only: at most 200 characters (since schema 6).
    #[serde(default)]
    pub store_note: Option<String>,
    /// For the rider's eyes only: at most 200 characters (since schema 6).
    #[serde(default)]
    pub rider_note: Option<String>,
    /// The payment widget's `paymentKey`, with `paymentOrderId`: required
    /// by a real gateway, ignored by the sandbox (`payment_key`).
    #[serde(default)]
    pub payment_key: Option<String>,
    /// The `orderId` the payment widget was opened with.
    #[serde(default)]
    pub payment_order_id: Option<String>,
}

impl OrderRequest {
    /// The payment the customer authorized in the gateway's widget, if any.
    pub fn payment_key(&self) -> Result<Option<PaymentKey>, DomainError> {
        PaymentKey::parse(
            self.payment_key.as_deref(),
            self.payment_order_id.as_deref(),
        )
    }

    /// The notes as the order keeps them (an empty one is none).
    pub fn notes(&self) -> Notes {
        let given = |n: &Option<String>| n.clone().filter(|n| !n.trim().is_empty());
        Notes {
            for_store: given(&self.store_note),
            for_rider: given(&self.rider_note),
        }
    }
}

/// An order request that passed validation, located and priced against the
/// store's current menu and delivery terms.
#[derive(Clone, Debug, PartialEq)]
pub struct Quote {
    pub store_name: String,
    pub pickup: LatLon,
    pub dropoff: LatLon,
    /// Straight-line, store to drop-off, in km.
    pub distance_km: f64,
    pub lines: Vec<OrderLine>,
    /// Before any discount.
    pub subtotal: Won,
    /// The store's fee for the distance (`pricing::delivery_fee`).
    pub delivery_fee: Won,
    /// How the store accepts, which the order keeps.
    pub accept: AcceptTerms,
    /// The store's minimum order (met).
    pub min_order_won: Won,
}

/// Checks the shape of a request before anything is looked up.
pub fn validate(req: &OrderRequest) -> Result<(), DomainError> {
    validate_id("customerId", &req.customer_id)?;
    validate_id("storeId", &req.store_id)?;
    validate_text("address", &req.address, MAX_ADDRESS_CHARS)?;
    if let Some(coupon) = &req.coupon_id {
        validate_id("couponId", coupon)?;
    }
    for (field, note) in [
        ("storeNote", &req.store_note),
        ("riderNote", &req.rider_note),
    ] {
        if let Some(note) = note.as_ref().filter(|n| !n.trim().is_empty()) {
            validate_text(field, note, MAX_NOTE_CHARS)?;
        }
    }
    req.payment_key()?;
    if req.items.is_empty() {
        return Err(invalid("items", "must name at least one menu item"));
    }
    if req.items.len() > MAX_LINES {
        return Err(invalid(
            "items",
            &format!("must have at most {MAX_LINES} lines"),
        ));
    }
    for item in &req.items {
        validate_id("menuId", &item.menu_id)?;
        if item.qty == 0 || item.qty > MAX_QTY {
            return Err(invalid(
                "qty",
                &format!(
                    "must be between 1 and {MAX_QTY} (menu item {:?})",
                    item.menu_id
                ),
            ));
        }
    }
    Ok(())
}

/// Where the order goes: `lat`/`lon` when given (both), else the centroid of
/// the district its address names.
pub fn locate(req: &OrderRequest) -> Result<LatLon, DomainError> {
    districts::position(req.lat, req.lon, &req.address)
}

/// Prices a validated request against the store: it must be open, sell
/// every item, deliver that far, and the food must reach its minimum.
/// Lines naming the same dish are merged.
///
/// `default_deadline_secs` is the server's acceptance deadline, for a store
/// that set none; `now` decides its hours and a pause.
///
/// Errors: the store closed, paused or a dish sold out (409, saying until
/// when or which dish), an unknown item (404), a drop-off outside the
/// radius or food under the minimum (422).
pub fn quote(
    store: &Store,
    req: &OrderRequest,
    default_deadline_secs: u32,
    now: Timestamp,
    purpose: &QuoteFor,
) -> Result<Quote, DomainError> {
    let revising = match purpose {
        QuoteFor::Checkout => {
            store.check_takes_orders(now)?;
            None
        }
        // The order was taken already: a pause, the hours or a new radius
        // do not stop its customer changing it, nor a dish it holds that
        // sold out since.
        QuoteFor::Revision { holds } => Some(holds),
    };
    let dropoff = locate(req)?;
    let distance_km = store.location().distance_km(&dropoff);
    if revising.is_none() && !store.delivery.delivers_to(distance_km) {
        return Err(DomainError::OutsideDeliveryArea {
            store: store.id.clone(),
            distance_km,
            radius_km: store.delivery.radius_km,
        });
    }
    let mut lines: Vec<OrderLine> = Vec::with_capacity(req.items.len());
    for item in &req.items {
        let dish = match revising {
            Some(holds) if holds.contains(&item.menu_id) => store
                .menu_item(&item.menu_id)
                .ok_or_else(|| DomainError::MenuItemNotFound {
                    store: store.id.clone(),
                    menu: item.menu_id.clone(),
                })?,
            _ => store.orderable_item(&item.menu_id)?,
        };
        let options = options::choose(&dish.id, &dish.option_groups, &item.options)?;
        // The same dish with the same options is one line.
        match lines
            .iter_mut()
            .find(|l| l.menu_id == dish.id && l.options == options)
        {
            Some(line) => line.qty += item.qty as u32,
            None => lines.push(OrderLine {
                menu_id: dish.id.clone(),
                name: dish.name.clone(),
                qty: item.qty as u32,
                unit_price: dish.price,
                options,
            }),
        }
    }
    if let Some(line) = lines.iter().find(|l| u64::from(l.qty) > MAX_QTY) {
        return Err(invalid(
            "qty",
            &format!(
                "must total at most {MAX_QTY} for menu item {:?}",
                line.menu_id
            ),
        ));
    }
    let subtotal = pricing::subtotal(&lines)?;
    if let Some(missing) = pricing::short_of_minimum(&store.delivery, subtotal) {
        return Err(DomainError::BelowMinimumOrder {
            store: store.id.clone(),
            minimum: store.delivery.min_order_won,
            missing,
        });
    }
    Ok(Quote {
        store_name: store.name.clone(),
        pickup: store.location(),
        dropoff,
        distance_km,
        lines,
        subtotal,
        delivery_fee: pricing::delivery_fee(&store.delivery, distance_km),
        accept: AcceptTerms {
            within_secs: store
                .delivery
                .accept_deadline_minutes
                .map_or(default_deadline_secs, |m| m * 60),
            default_cooking_minutes: store.kitchen.default_cooking_minutes,
            auto_accept: store.kitchen.auto_accept,
        },
        min_order_won: store.delivery.min_order_won,
    })
}

fn invalid(field: &'static str, reason: &str) -> DomainError {
    DomainError::Invalid {
        field,
        reason: reason.to_string(),
    }
}

#[cfg(test)]
#[path = "checkout_tests.rs"]
mod tests;
