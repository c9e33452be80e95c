//! Checkout: validating an order request, locating it and pricing it.

use super::districts;
use super::error::DomainError;
use super::geo::LatLon;
use super::ids::{validate_id, validate_text};
use super::order::OrderLine;
use super::pricing;
use super::store::Store;
use super::Won;
use serde::{Deserialize, Serialize};

/// Most lines one order may have.
pub const MAX_LINES: usize = 50;
/// Most of one dish one line may ask for.
pub const MAX_QTY: u64 = 99;
/// Longest address accepted.
pub const MAX_ADDRESS_CHARS: usize = 200;

/// One requested line: a menu item and how many.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemRequest {
    pub menu_id: String,
    pub qty: u64,
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
}

/// An order request that passed validation, located and priced against the
/// store's current menu.
#[derive(Clone, Debug, PartialEq)]
pub struct Quote {
    pub store_name: String,
    pub pickup: LatLon,
    pub dropoff: LatLon,
    pub lines: Vec<OrderLine>,
    /// Before any discount.
    pub subtotal: Won,
}

/// Checks the shape of a request before anything is looked up.
pub fn validate(req: &OrderRequest) -> Result<(), DomainError> {
    validate_id("customerId", &req.customer_id)?;
    validate_id("storeId", &req.store_id)?;
    validate_text("address", &req.address, MAX_ADDRESS_CHARS)?;
    if let Some(coupon) = &req.coupon_id {
        validate_id("couponId", coupon)?;
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

/// Prices a validated request against the store: it must be open and sell
/// every item. Lines naming the same dish are merged.
pub fn quote(store: &Store, req: &OrderRequest) -> Result<Quote, DomainError> {
    store.check_takes_orders()?;
    let dropoff = locate(req)?;
    let mut lines: Vec<OrderLine> = Vec::with_capacity(req.items.len());
    for item in &req.items {
        let dish = store
            .menu_item(&item.menu_id)
            .ok_or_else(|| DomainError::MenuItemNotFound {
                store: store.id.clone(),
                menu: item.menu_id.clone(),
            })?;
        match lines.iter_mut().find(|l| l.menu_id == dish.id) {
            Some(line) => line.qty += item.qty as u32,
            None => lines.push(OrderLine {
                menu_id: dish.id.clone(),
                name: dish.name.clone(),
                qty: item.qty as u32,
                unit_price: dish.price,
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
    Ok(Quote {
        store_name: store.name.clone(),
        pickup: store.location(),
        dropoff,
        lines,
        subtotal,
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
                })
                .collect(),
            address: "서울 마포구 와우산로 100".into(),
            lat: None,
            lon: None,
            coupon_id: None,
        }
    }

    #[test]
    fn prices_and_locates_by_district() {
        let req = request(vec![("jjajang", 2), ("tangsuyuk", 1), ("jjajang", 1)]);
        validate(&req).unwrap();
        let q = quote(&store(), &req).unwrap();
        assert_eq!(q.subtotal, 3 * 7_000 + 18_000);
        assert_eq!(q.lines.len(), 2);
        assert_eq!(q.lines[0].qty, 3);
        let mapo = districts::locate("마포구").unwrap();
        assert_eq!(q.dropoff, mapo.centroid());
    }

    #[test]
    fn explicit_coordinates_win() {
        let req = OrderRequest {
            lat: Some(37.5),
            lon: Some(127.0),
            ..request(vec![("jjajang", 1)])
        };
        assert_eq!(
            locate(&req).unwrap(),
            LatLon {
                lat: 37.5,
                lon: 127.0
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
        let err = quote(&store(), &request(vec![("pizza", 1)])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(err.to_string().contains("pizza"));
        let closed = Store {
            open: false,
            ..store()
        };
        assert_eq!(
            quote(&closed, &request(vec![("jjajang", 1)])).unwrap_err(),
            DomainError::StoreClosed("s1".into())
        );
        let nowhere = OrderRequest {
            address: "부산 해운대구 1".into(),
            ..request(vec![("jjajang", 1)])
        };
        let err = quote(&store(), &nowhere).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid);
        assert!(err.to_string().contains("names no district"));
    }

    #[test]
    fn merged_lines_are_bounded_and_sums_do_not_overflow() {
        let req = request(vec![("jjajang", 60), ("jjajang", 60)]);
        assert!(quote(&store(), &req)
            .unwrap_err()
            .to_string()
            .contains("at most 99"));
        let mut pricey = store();
        pricey.menu[0].price = u64::MAX / 50;
        let err = quote(&pricey, &request(vec![("jjajang", 99)])).unwrap_err();
        assert!(err.to_string().contains("more than can be paid"));
    }
}
