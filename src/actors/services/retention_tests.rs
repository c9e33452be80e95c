use super::*;
use crate::actors::payment::GatewayCharge;
use crate::domain::checkout::OrderRequest;
use crate::domain::delivery::{DeliveryStatus, Dropoff};
use crate::domain::kitchen::TicketStatus;
use crate::domain::payment::PaymentStatus;
use crate::domain::LatLon;
use crate::storage::WriteBatch;

const DAY: u64 = 24 * 3_600_000;

fn record(order_id: u64, at: u64) -> IdempotencyRecord {
    IdempotencyRecord {
        request: OrderRequest {
            customer_id: "kim".into(),
            store_id: "s".into(),
            items: Vec::new(),
            address: "강남구".into(),
            lat: None,
            lon: None,
            coupon_id: None,
            store_note: None,
            rider_note: None,
            payment_key: None,
            payment_order_id: None,
        },
        order_id,
        created_at: Timestamp(at),
    }
}

fn ticket(order_id: u64, status: TicketStatus, at: u64) -> Ticket {
    Ticket {
        order_id,
        store_id: "s".into(),
        customer_id: "kim".into(),
        items: Vec::new(),
        status,
        reject_reason: None,
        updated_at: Timestamp(at),
        accept_by: None,
        ready_by: None,
        note: None,
    }
}

fn delivery(order_id: u64, status: DeliveryStatus, at: u64) -> Delivery {
    Delivery {
        order_id,
        store_id: "s".into(),
        store_name: "s".into(),
        customer_id: "kim".into(),
        status,
        rider_id: None,
        pickup: LatLon {
            lat: 37.5,
            lon: 127.0,
        },
        dropoff: Dropoff {
            lat: 37.5,
            lon: 127.0,
            address: "강남구".into(),
        },
        note: None,
        distance_km: 1.0,
        updated_at: Timestamp(at),
    }
}

fn page(first: u64, at: u64) -> Vec<Notification> {
    vec![Notification {
        id: first,
        order_id: 1,
        status: "Placed".into(),
        message: "m".into(),
        at: Timestamp(at),
    }]
}

#[tokio::test]
async fn a_sweep_removes_what_is_stale_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_for_tests(dir.path());
    let now = 40 * DAY;
    let mut batch = WriteBatch::new();
    batch
        .put(keys::idempotency("kim", "old"), &record(1, DAY))
        .unwrap();
    batch
        .put(keys::idempotency("kim", "new"), &record(2, now - 1_000))
        .unwrap();
    for (id, status, at) in [
        (1, TicketStatus::HandedOver, DAY),
        (2, TicketStatus::Cooking, DAY),
        (3, TicketStatus::Canceled, now - 1_000),
    ] {
        batch
            .put(keys::ticket("s", id), &ticket(id, status, at))
            .unwrap();
        batch.put(keys::ticket_store(id), &"s".to_string()).unwrap();
    }
    batch
        .put(
            keys::delivery(1),
            &delivery(1, DeliveryStatus::Delivered, DAY),
        )
        .unwrap();
    batch
        .put(keys::delivery(2), &delivery(2, DeliveryStatus::Ready, DAY))
        .unwrap();
    // Kim's inbox: two old pages and the newest (old too, but kept).
    for first in [1, 33, 65] {
        batch
            .put(
                keys::inbox_page("customer", "kim", first),
                &page(first, DAY),
            )
            .unwrap();
    }
    // The sandbox's books: order 5's charge was declined a month ago,
    // order 6's is still awaited, order 7's has no payment record.
    for (id, status) in [
        (5, Some(PaymentStatus::Declined)),
        (6, Some(PaymentStatus::Pending)),
        (7, None),
    ] {
        let charge = GatewayCharge {
            transaction_id: format!("tx-{id}"),
            amount: 19_000,
            refunded: false,
        };
        batch.put(keys::sandbox_charge(id), &charge).unwrap();
        batch
            .put(keys::sandbox_refund(id, "refund-x"), &"as received")
            .unwrap();
        if let Some(status) = status {
            let mut payment = Payment::pending(id, "kim".into(), 19_000, Timestamp(DAY));
            payment.status = status;
            batch.put(keys::payment(id), &payment).unwrap();
        }
    }
    db.commit(batch).unwrap();

    let swept = sweep(&db, &Retention::default(), Timestamp(now)).unwrap();
    assert_eq!(
        swept,
        Swept {
            idempotency_records: 1,
            notification_pages: 2,
            tickets: 1,
            deliveries: 1,
            gateway_books: 1,
        }
    );
    assert!(!db.contains(&keys::sandbox_charge(5)).unwrap());
    assert_eq!(
        db.scan_keys(&keys::sandbox_refunds(5)).count(),
        0,
        "with its refunds"
    );
    assert!(db.contains(&keys::sandbox_charge(6)).unwrap(), "awaited");
    assert!(db.contains(&keys::sandbox_refund(6, "refund-x")).unwrap());
    assert!(
        db.contains(&keys::sandbox_charge(7)).unwrap(),
        "not baedal's"
    );
    assert!(db.contains(&keys::payment(5)).unwrap(), "a business record");
    assert!(!db.contains(&keys::idempotency("kim", "old")).unwrap());
    assert!(db.contains(&keys::idempotency("kim", "new")).unwrap());
    assert!(!db.contains(&keys::ticket("s", 1)).unwrap());
    assert!(
        !db.contains(&keys::ticket_store(1)).unwrap(),
        "with its index"
    );
    assert!(db.contains(&keys::ticket("s", 2)).unwrap(), "still cooking");
    assert!(
        db.contains(&keys::ticket("s", 3)).unwrap(),
        "canceled just now"
    );
    assert!(!db.contains(&keys::delivery(1)).unwrap());
    assert!(
        db.contains(&keys::delivery(2)).unwrap(),
        "still waiting for a rider"
    );
    let pages = db.scan_keys(&keys::inbox("customer", "kim")).count();
    assert_eq!(pages, 1, "the newest page stays");
    assert_eq!(
        sweep(&db, &Retention::default(), Timestamp(now)).unwrap(),
        Swept::default(),
        "a second sweep finds nothing"
    );
}

#[tokio::test]
async fn a_value_changed_since_it_was_judged_is_not_removed() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_for_tests(dir.path());
    let key = keys::ticket("s", 1);
    let judged = ticket(1, TicketStatus::HandedOver, DAY);
    let mut batch = WriteBatch::new();
    batch
        .put(key.clone(), &ticket(1, TicketStatus::Canceled, 2 * DAY))
        .unwrap();
    db.commit(batch).unwrap();
    assert!(!db
        .remove_if_unchanged(&key, &judged, vec![key.clone()])
        .unwrap());
    assert!(db.contains(&key).unwrap());
}
