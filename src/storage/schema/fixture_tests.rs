//! The stored-format fixtures (`tests/fixtures/`): databases written by the
//! last release of schemas 1, 2, 3 and 4, each upgraded and read whole with
//! today's types, value by value against what the release that wrote it
//! read.

use super::*;
use crate::actors::entities::order::{IdempotencyRecord, PendingPayment, PendingRevision};
use crate::actors::payment::{GatewayAdjustment, GatewayCharge, GatewayRefund};
use crate::actors::reactions::webhook;
use crate::actors::webhooks::{Attempt, OutboxMessage};
use crate::domain::account::Account;
use crate::domain::delivery::{Delivery, Trip};
use crate::domain::kitchen::Ticket;
use crate::domain::mypage::MyPage;
use crate::domain::notification::Notification;
use crate::domain::order::{Order, OrderStatus, OrderTimer};
use crate::domain::payment::{Payment, PaymentStatus};
use crate::domain::points::{OrderPoints, Points};
use crate::domain::rating::Rating;
use crate::domain::rider::Rider;
use crate::domain::store::Store;
use crate::domain::wallet::{CouponStatus, Wallet};
use crate::domain::webhooks::Endpoint;
use crate::domain::LogRecord;
use crate::storage::codec::{decode, Encoding};
use crate::storage::Db;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::path::{Path, PathBuf};
#[path = "fixture_expected_tests.rs"]
mod expected;

pub(super) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A copy of a fixture database as `dir/db` (the fixture stays untouched).
pub(super) fn copy_fixture(name: &str, dir: &Path) {
    let to = dir.join("db");
    std::fs::create_dir_all(to.join("blobs")).unwrap();
    for entry in std::fs::read_dir(fixture(name)).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

fn json<T: DeserializeOwned + serde::Serialize>(
    bytes: &[u8],
) -> Result<serde_json::Value, StorageError> {
    serde_json::to_value(decode::<T>(bytes)?).map_err(|e| StorageError::Codec(e.to_string()))
}

/// Reads a value with today's type for its key, as JSON: every key prefix
/// baedal writes must be in `TODAY` (an unknown one fails the test).
type Read = fn(&[u8]) -> Result<serde_json::Value, StorageError>;

/// Today's type of the values under each prefix of `keys::PREFIXES`.
const TODAY: &[(&[u8], Read)] = &[
    (keys::LOG, json::<LogRecord>),
    (keys::KITCHEN_BACKLOG, json::<LogRecord>),
    (keys::DEMO_LOADED, json::<u64>),
    (keys::SEEDED_ORDERS, json::<u64>),
    (keys::STORES, json::<Store>),
    (keys::PENDING, json::<PendingPayment>),
    (keys::ORDERS, json::<Order>),
    (keys::PAYMENTS, json::<Payment>),
    (keys::DELIVERIES, json::<Delivery>),
    (keys::READY, json::<Delivery>),
    (keys::MYPAGES, json::<MyPage>),
    (keys::MYPAGE_INDEX, json::<()>),
    (keys::CUSTOMER_ORDERS, json::<()>),
    (keys::INBOXES, json::<Vec<Notification>>),
    (keys::WALLETS, json::<Wallet>),
    (keys::REVIEWERS, json::<String>),
    (keys::RATINGS, json::<Rating>),
    (keys::WEBHOOK_QUEUE, json::<webhook::QueuedNotification>),
    (keys::WEBHOOK_DEAD, json::<webhook::QueuedNotification>),
    (keys::RIDERS, json::<Rider>),
    (keys::POINTS, json::<Points>),
    (keys::ORDER_POINTS, json::<OrderPoints>),
    (keys::OFFSETS, json::<u64>),
    (keys::IDEMPOTENCY, json::<IdempotencyRecord>),
    (keys::TICKETS, json::<Ticket>),
    (keys::TICKET_STORES, json::<String>),
    (keys::REVISION_PENDING, json::<PendingRevision>),
    (keys::SANDBOX_CHARGES, json::<GatewayCharge>),
    (keys::SANDBOX_ADJUSTMENTS, json::<GatewayAdjustment>),
    (keys::SANDBOX_REFUNDS, json::<GatewayRefund>),
    (keys::ACCOUNTS, json::<Account>),
    (keys::OWNED_STORES, json::<()>),
    (keys::AUTH_SECRET, json::<Vec<u8>>),
    (keys::ORDER_TIMERS, json::<OrderTimer>),
    (keys::RIDER_TRIPS, json::<Trip>),
    (keys::WEBHOOK_ENDPOINTS, json::<Endpoint>),
    (keys::WEBHOOK_OUTBOX, json::<OutboxMessage>),
    (keys::WEBHOOK_ATTEMPTS, json::<Attempt>),
    (keys::PAYMENT_KEYS, json::<u64>),
];

fn read_as_today(key: &[u8], bytes: &[u8]) -> Result<serde_json::Value, StorageError> {
    let (_, read) = TODAY
        .iter()
        .find(|(prefix, _)| key.starts_with(prefix))
        .unwrap_or_else(|| panic!("no type for key {:?}", String::from_utf8_lossy(key)));
    read(bytes)
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `actual` holds everything `expected` does: the same scalars,
/// arrays of the same length, and objects with at least the expected
/// fields (a field added since may be there too).
fn holds(actual: &serde_json::Value, expected: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e
            .iter()
            .all(|(k, ev)| a.get(k).is_some_and(|av| holds(av, ev))),
        (Value::Array(a), Value::Array(e)) => {
            a.len() == e.len() && a.iter().zip(e).all(|(av, ev)| holds(av, ev))
        }
        _ => actual == expected,
    }
}

/// Every key of `db` and how many there were per prefix (up to the first
/// '/' or the whole `meta/...` key).
pub(super) fn read_every_value(db: &Db) -> std::collections::BTreeMap<String, usize> {
    let mut kinds = std::collections::BTreeMap::new();
    for (key, bytes) in db.raw_entries_for_tests() {
        let kind = if key.starts_with(b"meta/") {
            String::from_utf8_lossy(&key).into_owned()
        } else {
            let end = key.iter().position(|&b| b == b'/').unwrap_or(key.len());
            String::from_utf8_lossy(&key[..=end.min(key.len() - 1)]).into_owned()
        };
        *kinds.entry(kind).or_insert(0) += 1;
        if key == keys::JOURNAL || key == keys::SCHEMA {
            continue;
        }
        read_as_today(&key, &bytes)
            .unwrap_or_else(|e| panic!("{:?} does not read: {e}", String::from_utf8_lossy(&key)));
    }
    kinds
}

/// A raw sled database in `dir/db`, as a release wrote it: opened as
/// `Db::open` opens one (waiting out the lock of a `Db` just dropped), but
/// with no recovery, no upgrade and no flusher.
pub(super) fn raw_engine(dir: &Path) -> sled::Db {
    crate::storage::engine::open_engine(&crate::storage::StorageConfig {
        path: dir.join("db"),
        durability: crate::storage::Durability::Durable,
        cache_capacity_bytes: 1 << 20,
    })
    .expect("a test database opens")
}

#[test]
fn the_schema_1_fixture_upgrades_and_every_value_reads_with_todays_types() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture("db-v1", dir.path());
    let db = Db::open_for_tests(dir.path());
    let kinds = read_every_value(&db);
    // Every kind of value the fixture was written to hold is there.
    for kind in [
        "log/",
        "kitchenq/",
        "meta/demo-loaded",
        "store/",
        "order/",
        "payment/",
        "delivery/",
        "ready/",
        "mypage/",
        "mypagec/",
        "custorder/",
        "inbox/",
        "wallet/",
        "reviewer/",
        "rating/",
        "webhookq/",
        "rider/",
        "points/",
        "offset/",
        "idem/",
        "kitchen/",
        "ticketstore/",
        "sandbox/",
        "sandboxadj/",
        "meta/schema",
    ] {
        assert!(kinds.contains_key(kind), "{kind} missing from {kinds:?}");
    }

    // What scripts/fixture-db did, read back.
    let order = |id: u64| db.get::<Order>(&keys::order(id)).unwrap().unwrap();
    assert_eq!(order(1).status, OrderStatus::Completed);
    assert_eq!(order(1).rider_id.as_deref(), Some("rider-7"));
    assert_eq!(order(2).status, OrderStatus::Placed);
    assert_eq!(order(2).revision, 2, "revised twice");
    assert!(order(2).coupon_id.is_some() && order(2).discount > 0);
    assert_eq!(order(5).status, OrderStatus::Canceled);
    assert_eq!(order(6).status, OrderStatus::Rejected);
    assert_eq!(order(6).reject_reason.as_deref(), Some("재료 소진"));
    assert_eq!(order(7).status, OrderStatus::Accepted);
    assert_eq!(order(8).status, OrderStatus::Cooked);
    let payment = |id: u64| db.get::<Payment>(&keys::payment(id)).unwrap().unwrap();
    assert_eq!(payment(5).status, PaymentStatus::Refunded);
    assert_eq!(payment(2).revisions.len(), 2);
    let kim = db.get::<Wallet>(&keys::wallet("kim")).unwrap().unwrap();
    assert_eq!(kim.reviews.len(), 1);
    assert_eq!(kim.coupons[0].status, CouponStatus::Used);
    let points = db.get::<Points>(&keys::points("kim")).unwrap().unwrap();
    let orders = db.scan::<OrderPoints>(&keys::orders_points("kim")).count();
    assert!(points.balance > 0 && orders > 0);
    let store = db
        .get::<Store>(&keys::store("fixture-store"))
        .unwrap()
        .unwrap();
    assert!(!store.open);
    assert_eq!(store.menu.len(), 2);
    let rider = db.get::<Rider>(&keys::rider("rider-9")).unwrap().unwrap();
    assert!(!rider.on_duty);
    let log: Vec<LogRecord> = db.read_log(0, 10_000).unwrap();
    assert!(!log.is_empty());
}

/// Every fixture database, oldest first (`tests/fixtures/README.md`).
const DATABASES: [&str; 6] = ["db-v1", "db-v2", "db-v3", "db-v4", "db-v5", "db-v6"];

#[test]
fn the_schema_3_fixture_holds_accounts_and_who_did_what() {
    use crate::domain::access::Role;
    use crate::domain::account::AccountStatus;
    let dir = tempfile::tempdir().unwrap();
    copy_fixture("db-v3", dir.path());
    let db = Db::open_for_tests(dir.path());
    let kinds = read_every_value(&db);
    for kind in ["account/", "ownedstore/", "meta/auth-secret"] {
        assert!(kinds.contains_key(kind), "{kind} missing from {kinds:?}");
    }
    let account = |id: &str| db.get::<Account>(&keys::account(id)).unwrap().unwrap();
    assert_eq!(account("fixture-owner").role, Role::Owner);
    assert_eq!(account("fixture-rider").role, Role::Rider);
    assert_eq!(account("lee").status, AccountStatus::Disabled);
    assert!(account("admin").password_hash.0.starts_with("$argon2id$"));
    let pending = db
        .get::<Store>(&keys::store("fixture-pending"))
        .unwrap()
        .unwrap();
    assert!(pending.awaiting_approval);
    assert_eq!(pending.owner_id.as_deref(), Some("fixture-owner"));
    assert!(db
        .contains(&keys::owned_store("fixture-owner", "fixture-pending"))
        .unwrap());
    let order = db.get::<Order>(&keys::order(1)).unwrap().unwrap();
    let by = |i: usize| {
        order.history[i]
            .by
            .as_ref()
            .map(|c| (c.role, c.id.as_str()))
    };
    assert_eq!(by(0), Some((Role::Customer, "kim")));
    assert_eq!(by(1), Some((Role::Operator, "admin")));
    let log: Vec<LogRecord> = db.read_log(0, 10_000).unwrap();
    assert!(log.iter().all(|r| r.by.is_some()), "every event says who");
}

#[test]
fn the_schema_4_fixture_holds_reason_codes_and_keys_per_customer() {
    use crate::domain::reasons::{CancelReason, RejectReason};
    let dir = tempfile::tempdir().unwrap();
    copy_fixture("db-v4", dir.path());
    let db = Db::open_for_tests(dir.path());
    let order = |id: u64| db.get::<Order>(&keys::order(id)).unwrap().unwrap();
    assert_eq!(order(6).reject_code, Some(RejectReason::SoldOut));
    assert_eq!(order(6).reason_note.as_deref(), Some("재료 소진"));
    assert_eq!(order(5).cancel_code, Some(CancelReason::Other));
    let key = keys::idempotency("kang", "fixture-key-1");
    assert!(db.get::<IdempotencyRecord>(&key).unwrap().is_some());
}

#[test]
fn older_fixtures_read_no_cause_and_no_owner() {
    for name in ["db-v1", "db-v2"] {
        let dir = tempfile::tempdir().unwrap();
        copy_fixture(name, dir.path());
        let db = Db::open_for_tests(dir.path());
        let order = db.get::<Order>(&keys::order(1)).unwrap().unwrap();
        assert!(order.history.iter().all(|c| c.by.is_none()), "{name}");
        let store = db
            .get::<Store>(&keys::store("fixture-store"))
            .unwrap()
            .unwrap();
        assert!(
            store.owner_id.is_none() && !store.awaiting_approval,
            "{name}"
        );
        let log: Vec<LogRecord> = db.read_log(0, 10_000).unwrap();
        assert!(
            !log.is_empty() && log.iter().all(|r| r.by.is_none()),
            "{name}"
        );
    }
}

#[test]
fn an_upgraded_database_is_marked_and_opens_again_unchanged() {
    for name in DATABASES {
        opens_again_unchanged(name);
    }
}

fn opens_again_unchanged(name: &str) {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(name, dir.path());
    let first = {
        let db = Db::open_for_tests(dir.path());
        db.flush().unwrap();
        db.raw_entries_for_tests()
    };
    let db = Db::open_for_tests(dir.path());
    let second = db.raw_entries_for_tests();
    let changed: Vec<String> = first
        .iter()
        .zip(&second)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| String::from_utf8_lossy(&a.0).into_owned())
        .collect();
    assert!(
        changed.is_empty(),
        "{name}: the second open rewrote {changed:?}"
    );
    assert_eq!(first.len(), second.len());
    let mark = first.iter().find(|(k, _)| k == keys::SCHEMA).unwrap();
    assert_eq!(mark.1, CURRENT.to_be_bytes());
    assert!(first
        .iter()
        .filter(|(k, _)| k != keys::SCHEMA && k != keys::JOURNAL)
        .all(|(_, v)| Encoding::of(v).unwrap() == Encoding::MessagePack));
}

/// `Order` as a later release might define it: today's fields and a tip.
/// With `#[serde(default)]` (the recipe) old values read; without, they
/// are refused.
macro_rules! order_with_tip {
    ($name:ident $(#[$tip:meta])?) => {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[allow(dead_code)]
        struct $name {
            id: u64,
            customer_id: String,
            store_id: String,
            store_name: String,
            items: Vec<crate::domain::order::OrderLine>,
            amount: u64,
            discount: u64,
            coupon_id: Option<String>,
            address: String,
            lat: f64,
            lon: f64,
            pickup: crate::domain::LatLon,
            status: OrderStatus,
            rider_id: Option<String>,
            reject_reason: Option<String>,
            transaction_id: String,
            history: Vec<crate::domain::order::StatusChange>,
            revision: u32,
            $(#[$tip])?
            tip: u64,
        }
    };
}
order_with_tip!(OrderWithDefaultTip #[serde(default)]);
order_with_tip!(OrderWithRequiredTip);

#[test]
fn the_recipe_a_field_with_a_default_keeps_the_fixture_readable_and_without_it_does_not() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture("db-v1", dir.path());
    let db = Db::open_for_tests(dir.path());
    let orders: Vec<(Vec<u8>, Vec<u8>)> = db
        .raw_entries_for_tests()
        .into_iter()
        .filter(|(k, _)| k.starts_with(keys::ORDERS))
        .collect();
    assert!(orders.len() >= 8);
    for (_, bytes) in &orders {
        let with = decode::<OrderWithDefaultTip>(bytes).unwrap();
        assert_eq!(with.tip, 0);
        let refused = decode::<OrderWithRequiredTip>(bytes).err().unwrap();
        assert!(refused.to_string().contains("19 elements"), "{refused}");
    }
}

use expected::expected_values;

#[test]
fn every_upgraded_value_holds_what_the_release_that_wrote_it_read() {
    for name in DATABASES {
        holds_what_its_release_read(name);
    }
}

fn holds_what_its_release_read(name: &str) {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(name, dir.path());
    let db = Db::open_for_tests(dir.path());
    let expected = expected_values(name);
    let mut compared = 0;
    for (key, bytes) in db.raw_entries_for_tests() {
        if key == keys::JOURNAL || key == keys::SCHEMA {
            continue;
        }
        let key_name = String::from_utf8_lossy(&key).into_owned();
        let actual = read_as_today(&key, &bytes).unwrap();
        let want = expected
            .get(&hex(&key))
            .unwrap_or_else(|| panic!("{key_name:?} was not in {name}"));
        assert!(
            holds(&actual, want),
            "{name}: {key_name:?} reads as\n{actual}\nbut the release that wrote it read\n{want}"
        );
        compared += 1;
    }
    assert_eq!(compared, expected.len(), "every value of {name} is there");
}

#[test]
fn every_kind_of_key_has_a_type_to_read_it_with() {
    for prefix in keys::PREFIXES {
        if *prefix == keys::JOURNAL || *prefix == keys::SCHEMA {
            continue; // raw layouts, not values
        }
        assert!(
            TODAY.iter().any(|(p, _)| p == prefix),
            "no type for {:?}",
            String::from_utf8_lossy(prefix)
        );
    }
}
