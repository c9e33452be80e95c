use super::*;
use crate::domain::delivery_terms::DeliveryTerms;
use crate::domain::testing::{menu_item, store_with};
use crate::domain::ErrorKind;

/// When these checkouts happen (a store without hours is open).
const NOW: Timestamp = Timestamp(1_796_052_600_000);

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
        payment_key: None,
        payment_order_id: None,
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
            radius_km: 3.0,
            accept_deadline_minutes: Some(7),
            ..crate::domain::testing::delivery_terms()
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
