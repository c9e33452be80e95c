//! Sample data shared by the benches.
#![allow(dead_code)] // each bench uses part of it

use baedal::domain::access::Principal;
use baedal::domain::aggregate::Aggregate;
use baedal::domain::geo::LatLon;
use baedal::domain::order::{Fees, NewOrder, Notes, Order, OrderCommand, OrderLine};
use baedal::domain::prep::AcceptTerms;
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
                options: vec![],
            },
            OrderLine {
                menu_id: "cola".into(),
                name: "콜라 1.25L".into(),
                qty: 1,
                unit_price: 3_000,
                options: vec![],
            },
        ],
        amount: 44_000,
        discount: 0,
        coupon_id: None,
        address: "서울 강남구 테헤란로 1".into(),
        dropoff: LatLon {
            lat: 37.5172,
            lon: 127.0473,
        },
        transaction_id: format!("sbx-{id}"),
        fees: Fees {
            delivery_won: 3_000,
        },
        accept: Some(AcceptTerms {
            within_secs: 600,
            default_cooking_minutes: 20,
            auto_accept: false,
        }),
        notes: Notes {
            for_store: Some("맵게 해 주세요".into()),
            for_rider: Some("문 앞에 두고 벨 눌러주세요".into()),
        },
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
        OrderCommand::Accept {
            cooking_minutes: None,
        },
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
