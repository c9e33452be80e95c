use super::*;
use crate::storage::flusher::Recording;
use crate::storage::WriteBatch;

/// A sink that, once the scan has passed the first keys, commits
/// writes as a concurrent writer would: a key changed and one removed
/// that the scan has already passed, one added.
struct WritesDuringTheScan {
    db: Db,
    bytes: Vec<u8>,
    done: bool,
}

impl Write for WritesDuringTheScan {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        if !self.done && self.bytes.len() > 5_000 {
            self.done = true;
            let mut batch = WriteBatch::new();
            batch.put(keys::order(1), &"changed".to_string()).unwrap();
            batch.remove(keys::order(2));
            batch.put(keys::order(999), &"added".to_string()).unwrap();
            self.db.commit(batch).unwrap();
        }
        self.bytes.extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_backup_holds_the_writes_made_while_it_scanned_and_restores_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_for_tests(dir.path());
    let mut batch = WriteBatch::new();
    for id in 1..=500u64 {
        batch.put(keys::order(id), &format!("order {id}")).unwrap();
    }
    db.commit(batch).unwrap();
    let ids: Vec<u64> = (0..5).map(|_| db.next_id().unwrap()).collect();
    let mut sink = WritesDuringTheScan {
        db: db.clone(),
        bytes: Vec::new(),
        done: false,
    };
    let summary = db.backup(&mut sink).unwrap();
    assert_eq!(summary.writes_during_scan, 3);
    let file = dir.path().join("backup");
    std::fs::write(&file, &sink.bytes).unwrap();

    let target = dir.path().join("restored");
    restore(&file, &target).unwrap();
    let back = Db::open(&StorageConfig {
        path: target.clone(),
        durability: Durability::Durable,
        cache_capacity_bytes: 8 << 20,
    })
    .unwrap();
    let read = |id| back.get::<String>(&keys::order(id)).unwrap();
    assert_eq!(read(1).as_deref(), Some("changed"));
    assert_eq!(read(2), None);
    assert_eq!(read(3).as_deref(), Some("order 3"));
    assert_eq!(read(999).as_deref(), Some("added"));
    assert!(back.next_id().unwrap() > *ids.last().unwrap(), "ids go on");
    assert_eq!(
        back.scan::<String>(keys::ORDERS).count(),
        500,
        "499 of the first and the one added"
    );
}

#[tokio::test]
async fn one_backup_at_a_time_and_one_dropped_unused_lets_the_next_begin() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_for_tests(dir.path());
    let first = db.begin_backup().unwrap().expect("the first begins");
    assert!(db.begin_backup().unwrap().is_none(), "a second waits");
    let refused = db.backup(&mut Vec::new()).unwrap_err().to_string();
    assert!(refused.contains("already being taken"), "{refused}");
    drop(first);
    let mut file = Vec::new();
    let summary = db
        .begin_backup()
        .unwrap()
        .unwrap()
        .write_to(&mut file)
        .unwrap();
    assert_eq!(summary.writes_during_scan, 0, "nothing left recorded");
    assert!(db.begin_backup().unwrap().is_some(), "and that one ended");
}

#[test]
fn a_recording_past_its_limit_keeps_nothing_more_and_says_so() {
    let mut r = Recording::default();
    r.add(vec![(b"order/1".to_vec(), Some(vec![1; 10]))]);
    assert_eq!(r.writes.len(), 1);
    r.add(vec![(b"order/2".to_vec(), Some(vec![0; Recording::LIMIT]))]);
    assert!(r.overflowed);
    assert_eq!(r.writes.len(), 1, "the write past the limit is not kept");
    r.add(vec![(b"order/3".to_vec(), None)]);
    assert_eq!(r.writes.len(), 1, "nor anything after it");
}

#[test]
fn a_damaged_length_is_refused_without_allocating_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("damaged");
    let target = dir.path().join("restored");
    // A put whose key claims 4 GiB; one whose key claims 60 KiB, in a
    // file of a few bytes.
    for claimed in [u32::MAX, 60 << 10] {
        let mut bytes = MAGIC.to_vec();
        bytes.push(PUT);
        bytes.extend_from_slice(&claimed.to_be_bytes());
        bytes.extend_from_slice(b"order/1");
        std::fs::write(&file, &bytes).unwrap();
        let refused = restore(&file, &target).unwrap_err().to_string();
        assert!(refused.contains("damaged"), "{refused}");
        assert!(!target.exists(), "nothing left behind");
    }
}
