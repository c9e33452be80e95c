//! The step to schema 4 on the fixtures of schemas 2 and 3: done, refused
//! before anything changed, and cut short.

use super::super::fixture_tests::{copy_fixture, raw_engine, read_every_value};
use super::*;
use crate::actors::entities::order::IdempotencyRecord;
use crate::domain::order::OrderEvent;
use crate::storage::{Db, StorageConfig};

/// What the step has left to do in the database in `dir`.
fn left_to_do(dir: &std::path::Path) -> usize {
    plan(&raw_engine(dir)).unwrap().len()
}

/// The cancels of `db`'s log: the order event of each.
fn cancels(db: &Db) -> Vec<OrderEvent> {
    db.read_log(0, 100_000)
        .unwrap()
        .into_iter()
        .filter_map(|r| r.event.as_order().map(|o| o.event.clone()))
        .filter(|e| matches!(e, OrderEvent::Canceled { .. }))
        .collect()
}

#[test]
fn older_cancels_read_without_a_reason_and_keys_become_their_customers() {
    for name in ["db-v2", "db-v3"] {
        let dir = tempfile::tempdir().unwrap();
        copy_fixture(name, dir.path());
        // A canceled order's event, and the key `kang` checked out with.
        assert_eq!(left_to_do(dir.path()), 2, "{name}");
        let db = Db::open_for_tests(dir.path());
        let canceled = cancels(&db);
        assert!(!canceled.is_empty(), "{name}");
        for event in canceled {
            assert_eq!(
                event,
                OrderEvent::Canceled {
                    code: None,
                    note: None
                }
            );
        }
        let mine = keys::idempotency("kang", "fixture-key-1");
        let record = db.get::<IdempotencyRecord>(&mine).unwrap().unwrap();
        assert_eq!(record.request.customer_id, "kang");
        assert!(
            !db.contains(b"idem/fixture-key-1").unwrap(),
            "moved, not copied"
        );
        read_every_value(&db);
        drop(db);
        assert_eq!(left_to_do(dir.path()), 0, "{name}: nothing left");
    }
}

#[test]
fn an_idempotency_record_naming_no_customer_stops_the_upgrade_before_anything_changed() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture("db-v3", dir.path());
    {
        let engine = raw_engine(dir.path());
        let broken = encode(&json!([[], 5])).unwrap();
        engine.insert(b"idem/zzz-broken", broken).unwrap();
        engine.flush().unwrap();
    }
    let refused = Db::open(&StorageConfig {
        path: dir.path().join("db"),
        durability: crate::storage::Durability::Durable,
        cache_capacity_bytes: 1 << 20,
    })
    .err()
    .expect("refused");
    assert!(refused.to_string().contains("no customer"), "{refused}");
    let engine = raw_engine(dir.path());
    assert_eq!(
        engine.get(keys::SCHEMA).unwrap().as_deref(),
        Some(&3u32.to_be_bytes()[..]),
        "still schema 3"
    );
    assert!(engine.get(b"idem/fixture-key-1").unwrap().is_some());
    // The cancel and the good key: nothing of either was rewritten.
    engine.remove(b"idem/zzz-broken").unwrap();
    assert_eq!(plan(&engine).unwrap().len(), 2);
}

#[test]
fn a_step_cut_short_finishes_on_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture("db-v3", dir.path());
    {
        let engine = raw_engine(dir.path());
        let mut plan = plan(&engine).unwrap();
        plan.truncate(1);
        rewrite(&engine, plan).unwrap();
        engine.flush().unwrap();
    }
    assert_eq!(left_to_do(dir.path()), 1);
    let db = Db::open_for_tests(dir.path());
    assert!(db
        .contains(&keys::idempotency("kang", "fixture-key-1"))
        .unwrap());
    assert!(cancels(&db)
        .iter()
        .all(|e| matches!(e, OrderEvent::Canceled { code: None, .. })));
    drop(db);
    assert_eq!(left_to_do(dir.path()), 0);
}
