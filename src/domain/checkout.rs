//! Checkout: validating an order request, locating it and pricing it.

use super::districts;
use super::error::DomainError;
use super::geo::LatLon;
use super::ids::{validate_id, validate_text};
use super::options::{self, ChoiceRequest};
use super::order::{Notes, OrderLine};
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
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemRequest {
    pub menu_id: String,
    pub qty: u64,
    /// The dish's options chosen (since schema 6).
    #[serde(default)]
    pub options: Vec<ChoiceRequest>,
}

/// What a customer asks for at checkout (`POST /orders`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
}

impl OrderRequest {
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
mod tests {
    use super::*;
    use crate::domain::delivery_terms::DeliveryTerms;

    /// When these checkouts happen (a store without hours is open).
    const NOW: Timestamp = Timestamp(1_796_052_600_000);
    use crate::domain::testing::{menu_item, store_with};
    use crate::domain::ErrorKind;

    fn store() -> Store {
        store_with(vec![
            menu_item("jjajang", "짜장면", 7_000),
            menu_item("tangsuyuk", "탕수육", 18_000),
        ])
    }

    fn request(items: Vec<(&str, u64)>) -> OrderRequest {
        OrderRequest {
            customer_id: "kim".into(),
            store_id: "s1".into(),
            items: items
                .into_iter()
                .map(|(m, q)| ItemRequest {
                    menu_id: m.into(),
                    qty: q,
                    options: vec![],
                })
                .collect(),
            address: "서울 마포구 와우산로 100".into(),
            lat: None,
            lon: None,
            coupon_id: None,
            store_note: None,
            rider_note: None,
        }
    }

    #[test]
    fn prices_and_locates_by_district() {
        let req = request(vec![("jjajang", 2), ("tangsuyuk", 1), ("jjajang", 1)]);
        validate(&req).unwrap();
        let q = quote(&store(), &req, 600, NOW, &QuoteFor::Checkout).unwrap();
        assert_eq!(q.subtotal, 3 * 7_000 + 18_000);
        assert_eq!(q.lines.len(), 2);
        assert_eq!(q.lines[0].qty, 3);
        let mapo = districts::locate("마포구").unwrap();
        assert_eq!(q.dropoff, mapo.centroid());
    }

    #[test]
    fn explicit_coordinates_win() {
        let req = OrderRequest {
            lat: Some(37.55),
            lon: Some(126.93),
            ..request(vec![("jjajang", 1)])
        };
        assert_eq!(
            locate(&req).unwrap(),
            LatLon {
                lat: 37.55,
                lon: 126.93
            }
        );
        let half = OrderRequest {
            lat: Some(37.5),
            ..request(vec![("jjajang", 1)])
        };
        assert!(locate(&half).unwrap_err().to_string().contains("together"));
    }

    #[test]
    fn refuses_bad_shapes() {
        let cases: Vec<(OrderRequest, &str)> = vec![
            (request(vec![]), "items"),
            (request(vec![("jjajang", 0)]), "qty"),
            (request(vec![("jjajang", 1_000_000_000_000)]), "qty"),
            (
                OrderRequest {
                    customer_id: "".into(),
                    ..request(vec![("jjajang", 1)])
                },
                "customerId",
            ),
            (
                OrderRequest {
                    address: "x".repeat(201),
                    ..request(vec![("jjajang", 1)])
                },
                "address",
            ),
            (request((0..51).map(|_| ("jjajang", 1)).collect()), "items"),
        ];
        for (req, field) in cases {
            let err = validate(&req).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Invalid);
            assert!(err.to_string().starts_with(field), "{err}");
        }
    }

    #[test]
    fn refuses_unknown_items_closed_stores_and_no_district() {
        let err = quote(
            &store(),
            &request(vec![("pizza", 1)]),
            600,
            NOW,
            &QuoteFor::Checkout,
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.to_string().contains("pizza"));
        let closed = Store {
            open: false,
            ..store()
        };
        assert_eq!(
            quote(
                &closed,
                &request(vec![("jjajang", 1)]),
                600,
                NOW,
                &QuoteFor::Checkout
            )
            .unwrap_err(),
            DomainError::StoreClosed("s1".into())
        );
        let nowhere = OrderRequest {
            address: "부산 해운대구 1".into(),
            ..request(vec![("jjajang", 1)])
        };
        let err = quote(&store(), &nowhere, 600, NOW, &QuoteFor::Checkout).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid);
        assert!(err.to_string().contains("names no district"));
    }

    fn with_terms() -> Store {
        Store {
            delivery: DeliveryTerms {
                min_order_won: 15_000,
                base_fee_won: 3_000,
                base_distance_km: 1.5,
                step_fee_won: 500,
                step_km: 0.5,
                radius_km: 3.0,
                accept_deadline_minutes: Some(7),
            },
            ..store()
        }
    }

    /// A request to a point `km` north of the store.
    fn north(km: f64, items: Vec<(&str, u64)>) -> OrderRequest {
        let s = store();
        OrderRequest {
            lat: Some(s.lat + km / 111.195),
            lon: Some(s.lon),
            ..request(items)
        }
    }

    #[test]
    fn the_fee_follows_the_distance_and_the_store_keeps_its_terms() {
        let q = quote(
            &with_terms(),
            &north(2.2, vec![("tangsuyuk", 1)]),
            600,
            NOW,
            &QuoteFor::Checkout,
        )
        .unwrap();
        assert!((q.distance_km - 2.2).abs() < 0.01, "{}", q.distance_km);
        assert_eq!(q.delivery_fee, 3_000 + 2 * 500);
        assert_eq!(q.accept.within_secs, 7 * 60);
        assert_eq!(q.accept.default_cooking_minutes, 20);
        let q = quote(
            &store(),
            &north(2.2, vec![("tangsuyuk", 1)]),
            45,
            NOW,
            &QuoteFor::Checkout,
        )
        .unwrap();
        assert_eq!((q.delivery_fee, q.accept.within_secs), (0, 45));
    }

    #[test]
    fn a_drop_off_outside_the_radius_says_how_far_it_is() {
        let err = quote(
            &with_terms(),
            &north(3.5, vec![("tangsuyuk", 1)]),
            600,
            NOW,
            &QuoteFor::Checkout,
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid);
        assert!(
            err.to_string().contains("3.50 km from store \"s1\"")
                && err.to_string().contains("within 3 km"),
            "{err}"
        );
        assert!(quote(
            &with_terms(),
            &north(2.99, vec![("tangsuyuk", 1)]),
            600,
            NOW,
            &QuoteFor::Checkout
        )
        .is_ok());
    }

    #[test]
    fn a_basket_under_the_minimum_says_how_much_is_missing() {
        let err = quote(
            &with_terms(),
            &north(1.0, vec![("jjajang", 2)]),
            600,
            NOW,
            &QuoteFor::Checkout,
        )
        .unwrap_err();
        assert_eq!(
            err,
            DomainError::BelowMinimumOrder {
                store: "s1".into(),
                minimum: 15_000,
                missing: 1_000
            }
        );
        assert!(err.to_string().contains("add 1000 won more"), "{err}");
        assert!(quote(
            &with_terms(),
            &north(1.0, vec![("jjajang", 3)]),
            600,
            NOW,
            &QuoteFor::Checkout
        )
        .is_ok());
    }

    #[test]
    fn a_revision_is_priced_while_the_store_is_paused_and_a_held_dish_sold_out() {
        let mut paused = with_terms();
        paused.paused_until = Some(NOW.plus_ms(60_000));
        paused.menu[0].sold_out = true; // 짜장면
        let req = north(1.0, vec![("jjajang", 1), ("tangsuyuk", 1)]);
        let checkout = quote(&paused, &req, 600, NOW, &QuoteFor::Checkout).unwrap_err();
        assert_eq!(checkout.kind(), ErrorKind::Conflict, "{checkout}");
        let holds = QuoteFor::Revision {
            holds: vec!["jjajang".into()],
        };
        let revised = quote(&paused, &req, 600, NOW, &holds).unwrap();
        assert_eq!(revised.subtotal, 7_000 + 18_000);
        // A dish the order does not hold must still be in stock.
        let holds = QuoteFor::Revision { holds: vec![] };
        let err = quote(&paused, &req, 600, NOW, &holds).unwrap_err();
        assert!(err.to_string().contains("sold out"), "{err}");
    }

    #[test]
    fn notes_are_bounded_and_an_empty_one_is_none() {
        let noted = OrderRequest {
            store_note: Some("덜 맵게 해 주세요".into()),
            rider_note: Some("  ".into()),
            ..request(vec![("jjajang", 1)])
        };
        validate(&noted).unwrap();
        assert_eq!(
            noted.notes().for_store.as_deref(),
            Some("덜 맵게 해 주세요")
        );
        assert_eq!(noted.notes().for_rider, None);
        let long = OrderRequest {
            rider_note: Some("벨".repeat(201)),
            ..request(vec![("jjajang", 1)])
        };
        let err = validate(&long).unwrap_err();
        assert!(err.to_string().starts_with("riderNote"), "{err}");
    }

    #[test]
    fn merged_lines_are_bounded_and_sums_do_not_overflow() {
        let req = request(vec![("jjajang", 60), ("jjajang", 60)]);
        assert!(quote(&store(), &req, 600, NOW, &QuoteFor::Checkout)
            .unwrap_err()
            .to_string()
            .contains("at most 99"));
        let mut pricey = store();
        pricey.menu[0].price = u64::MAX / 50;
        let err = quote(
            &pricey,
            &request(vec![("jjajang", 99)]),
            600,
            NOW,
            &QuoteFor::Checkout,
        )
        .unwrap_err();
        assert!(err.to_string().contains("more than can be paid"));
    }
}
