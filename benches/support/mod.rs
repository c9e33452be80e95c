//! Sample data shared by the benches.
#![allow(dead_code)] // each bench uses part of it

use baedal::domain::access::Principal;
use baedal::domain::aggregate::Aggregate;
use baedal::domain::geo::LatLon;
use baedal::domain::order::{NewOrder, Order, OrderCommand, OrderLine};
use baedal::domain::{OrderId, Timestamp};

/// A two-line order to 강남, as the load generator places them.
pub fn new_order(id: OrderId) -> NewOrder {
    NewOrder {
        id,
        customer_id: format!("customer-{}", id % 1_000),
        store_id: "gangnam-chicken".into(),
        store_name: "강남 바삭치킨".into(),
        pickup: LatLon {
            lat: 37.5155,
            lon: 127.0436,
        },
        items: vec![
            OrderLine {
                menu_id: "fried".into(),
                name: "후라이드치킨".into(),
                qty: 2,
                unit_price: 19_000,
            },
            OrderLine {
                menu_id: "cola".into(),
                name: "콜라 1.25L".into(),
                qty: 1,
                unit_price: 3_000,
            },
        ],
        amount: 41_000,
        discount: 0,
        coupon_id: None,
        address: "서울 강남구 테헤란로 1".into(),
        dropoff: LatLon {
            lat: 37.5172,
            lon: 127.0473,
        },
        transaction_id: format!("sbx-{id}"),
    }
}

/// The order as it stands once placed.
pub fn placed_order(id: OrderId) -> Order {
    let place = OrderCommand::Place(Box::new(new_order(id)));
    let events = Order::decide(None, &id, &Principal::System, &place, Timestamp::now())
        .expect("a valid placement");
    events
        .iter()
        .fold(None, |state, e| Order::apply(state, e, Timestamp::now()))
        .expect("placed")
}

/// The commands of a whole lifecycle after placement.
pub fn lifecycle_after_placement() -> Vec<OrderCommand> {
    vec![
        OrderCommand::Accept,
        OrderCommand::StartCooking,
        OrderCommand::FinishCooking,
        OrderCommand::Pick {
            rider_id: "r1".into(),
        },
        OrderCommand::CompleteDelivery {
            rider_id: "r1".into(),
        },
        OrderCommand::Confirm,
    ]
}
