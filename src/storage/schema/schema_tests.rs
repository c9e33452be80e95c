//! The upgrades' behaviour: cut short, refused, and on databases made
//! here.

use super::fixture_tests::{copy_fixture, raw_engine, read_every_value};
use super::*;
use crate::domain::notification::Notification;
use crate::domain::order::Order;
use crate::storage::codec::Encoding;
use crate::storage::Db;

#[test]
fn an_upgrade_cut_short_finishes_on_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture("db-v1", dir.path());
    let original = raw_engine(dir.path())
        .get(keys::order(2))
        .unwrap()
        .unwrap()
        .to_vec();
    assert_eq!(Encoding::of(&original).unwrap(), Encoding::Postcard);
    drop(Db::open_for_tests(dir.path()));
    // As if the process died after rewriting all but one value, before
    // the mark: the mark is gone and order 2 is still in schema 1.
    {
        let engine = raw_engine(dir.path());
        engine.remove(keys::SCHEMA).unwrap();
        engine.insert(keys::order(2), original).unwrap();
        engine.flush().unwrap();
    }
    let db = Db::open_for_tests(dir.path());
    assert_eq!(
        db.get::<Order>(&keys::order(2)).unwrap().unwrap().revision,
        2
    );
    read_every_value(&db);
}

#[test]
fn a_database_from_a_newer_release_is_refused_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    {
        let engine = raw_engine(dir.path());
        engine
            .insert(keys::SCHEMA, &(CURRENT + 1).to_be_bytes())
            .unwrap();
        engine.insert(keys::order(1), &[9u8, 1, 2, 3][..]).unwrap();
        // Its last commit's record, in a layout this release cannot know:
        // it must not be replayed.
        engine.insert(keys::JOURNAL, &[7u8, 7, 7][..]).unwrap();
        engine.flush().unwrap();
    }
    let refused = open_durable(dir.path())
        .err()
        .expect("a newer schema is refused");
    let message = refused.to_string();
    assert!(
        message.contains(&format!("schema {}", CURRENT + 1)),
        "{message}"
    );
    assert!(message.contains("newer baedal"), "{message}");
    let engine = raw_engine(dir.path());
    assert_eq!(
        engine.get(keys::SCHEMA).unwrap().unwrap().as_ref(),
        &(CURRENT + 1).to_be_bytes()
    );
    assert_eq!(
        engine.get(keys::order(1)).unwrap().unwrap().as_ref(),
        &[9, 1, 2, 3]
    );
    assert_eq!(
        engine.get(keys::JOURNAL).unwrap().unwrap().as_ref(),
        &[7, 7, 7]
    );
}

#[test]
fn a_new_database_is_marked_current() {
    let dir = tempfile::tempdir().unwrap();
    drop(Db::open_for_tests(dir.path()));
    let engine = raw_engine(dir.path());
    assert_eq!(
        engine.get(keys::SCHEMA).unwrap().unwrap().as_ref(),
        &CURRENT.to_be_bytes()
    );
}

/// The fixture with one more key written, as it would be by hand.
/// More than one chunk of the upgrade's writes comes before it.
fn fixture_with(dir: &std::path::Path, key: &[u8], value: &[u8]) {
    copy_fixture("db-v1", dir);
    let engine = raw_engine(dir);
    for i in 0..1_500 {
        // A schema 1 offset of 0 (postcard), sorted before `webhookq/`.
        engine
            .insert(keys::offset(&format!("pad-{i:04}")), &[1u8, 0][..])
            .unwrap();
    }
    engine.insert(key, value).unwrap();
    engine.flush().unwrap();
}

fn open_durable(dir: &std::path::Path) -> Result<Db, StorageError> {
    Db::open(&crate::storage::StorageConfig {
        path: dir.join("db"),
        durability: crate::storage::Durability::Durable,
        cache_capacity_bytes: 1 << 20,
    })
}

/// Every value of a schema 1 database is still as that release wrote it.
fn untouched(dir: &std::path::Path) {
    let engine = raw_engine(dir);
    assert!(engine.get(keys::SCHEMA).unwrap().is_none(), "no mark");
    for entry in engine.iter() {
        let (key, value) = entry.unwrap();
        if &*key != keys::JOURNAL {
            assert_eq!(value[0], Encoding::Postcard as u8, "{key:?} was rewritten");
        }
    }
}

#[test]
fn a_key_the_upgrade_does_not_know_stops_it_before_anything_changed() {
    let dir = tempfile::tempdir().unwrap();
    // Sorted last, so a careless upgrade would have rewritten all else.
    fixture_with(dir.path(), b"zzz-mystery/1", &[1u8, 0]);
    let refused = open_durable(dir.path()).err().expect("refused");
    assert!(refused.to_string().contains("zzz-mystery/1"), "{refused}");
    untouched(dir.path());
}

#[test]
fn an_unreadable_value_stops_the_upgrade_before_anything_changed() {
    let dir = tempfile::tempdir().unwrap();
    // `webhookq/` sorts after most keys; its value is no `QueuedNotification`.
    let key = keys::webhook_queued(999_999, 0);
    fixture_with(dir.path(), &key, &[1u8, 0xff, 0xff]);
    let refused = open_durable(dir.path()).err().expect("refused");
    assert!(refused.to_string().contains("webhookq/"), "{refused}");
    untouched(dir.path());
}

#[test]
fn a_notification_key_the_upgrade_cannot_place_stops_it_before_anything_changed() {
    let dir = tempfile::tempdir().unwrap();
    let mut value = vec![Encoding::Postcard as u8];
    let note = V1Notification {
        id: 1,
        order_id: 1,
        status: "Placed".into(),
        message: "주문".into(),
        at: 1,
    };
    value.extend(postcard::to_allocvec(&note).unwrap());
    // No audience kind and no NUL: no page it could go to.
    fixture_with(dir.path(), b"notification/x", &value);
    let refused = open_durable(dir.path()).err().expect("refused");
    assert!(refused.to_string().contains("notification/x"), "{refused}");
    untouched(dir.path());
}

#[test]
fn an_unreadable_schema_mark_is_refused_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    {
        let engine = raw_engine(dir.path());
        engine.insert(keys::SCHEMA, &[2u8][..]).unwrap();
        engine.flush().unwrap();
    }
    let refused = open_durable(dir.path()).err().expect("refused");
    assert!(
        refused.to_string().contains("unreadable schema mark"),
        "{refused}"
    );
    let engine = raw_engine(dir.path());
    assert_eq!(engine.get(keys::SCHEMA).unwrap().unwrap().as_ref(), &[2u8]);
}

#[test]
fn a_schema_1_value_longer_than_its_shape_stops_the_upgrade_before_anything_changed() {
    let dir = tempfile::tempdir().unwrap();
    // A schema 1 offset (a u64 of 0) with a byte no shape accounts for.
    fixture_with(dir.path(), &keys::offset("zz-too-long"), &[1u8, 0, 7]);
    let refused = open_durable(dir.path()).err().expect("refused");
    let message = refused.to_string();
    assert!(message.contains("1 bytes left over"), "{message}");
    assert!(message.contains("zz-too-long"), "{message}");
    untouched(dir.path());
}

/// The shape schema 1 gave a notification (postcard, by position).
#[derive(serde::Serialize)]
struct V1Notification {
    id: u64,
    order_id: u64,
    status: String,
    message: String,
    at: u64,
}

#[test]
fn schema_1_single_key_notifications_move_into_pages() {
    let dir = tempfile::tempdir().unwrap();
    {
        let engine = raw_engine(dir.path());
        for id in 1..=40u64 {
            let (kind, who) = if id % 2 == 0 {
                ("customer", "kim")
            } else {
                ("store", "s1")
            };
            let mut key = b"notification/".to_vec();
            key.extend_from_slice(format!("{kind}/{who}\0").as_bytes());
            key.extend_from_slice(&id.to_be_bytes());
            let mut value = vec![Encoding::Postcard as u8];
            let note = V1Notification {
                id,
                order_id: id,
                status: "Placed".into(),
                message: "주문".into(),
                at: id,
            };
            value.extend(postcard::to_allocvec(&note).unwrap());
            engine.insert(key, value).unwrap();
        }
        engine.flush().unwrap();
    }
    let db = Db::open_for_tests(dir.path());
    assert_eq!(db.scan_keys(b"notification/").count(), 0);
    let ids = |kind: &str, who: &str| -> Vec<Vec<u64>> {
        db.scan::<Vec<Notification>>(&keys::inbox(kind, who))
            .map(|page| page.unwrap().1.iter().map(|n| n.id).collect())
            .collect()
    };
    let kim = ids("customer", "kim");
    assert_eq!(kim.len(), 20usize.div_ceil(keys::NOTIFICATIONS_PER_PAGE));
    assert!(kim
        .iter()
        .all(|page| page.len() <= keys::NOTIFICATIONS_PER_PAGE));
    assert_eq!(kim.concat(), (2..=40).step_by(2).collect::<Vec<_>>());
    assert_eq!(ids("store", "s1").concat().len(), 20);
}
