use super::*;
use crate::domain::store::StoreEvent;

fn config(dir: &std::path::Path, durability: Durability) -> StorageConfig {
    StorageConfig {
        path: dir.join("db"),
        durability,
        cache_capacity_bytes: 16 << 20,
    }
}

fn event(n: u64) -> Event {
    Event::Store {
        store_id: format!("s{n}"),
        event: StoreEvent::OpenChanged(n.is_multiple_of(2)),
    }
}

/// Waits until everything written is on disk: the log's readers see only
/// that (in relaxed mode, acknowledged comes first).
async fn on_disk(db: &Db) {
    let writes = db.inner.shared.written.lock().unwrap().horizon.writes;
    db.durable(CommitSeq(writes)).await.unwrap();
}

async fn writes_and_reads(durability: Durability) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&config(dir.path(), durability)).unwrap();
    let mut batch = WriteBatch::new();
    batch.put(keys::order(1), &"one".to_string()).unwrap();
    batch.append(Timestamp(1), event(1));
    batch.append(Timestamp(1), event(2));
    let t1 = db.commit(batch).unwrap();
    let mut batch = WriteBatch::new();
    batch.remove(keys::order(1));
    batch.put(keys::order(2), &"two".to_string()).unwrap();
    batch.append(Timestamp(2), event(3));
    let t2 = db.commit(batch).unwrap();
    assert!(t2 > t1);
    db.acknowledged(t2).await.unwrap();
    assert_eq!(db.get::<String>(&keys::order(1)).unwrap(), None);
    on_disk(&db).await;
    assert_eq!(
        db.get::<String>(&keys::order(2)).unwrap().as_deref(),
        Some("two")
    );
    let log = db.read_log(0, 10).unwrap();
    assert_eq!(log.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(log[2].event, event(3));
    assert_eq!(db.read_log(1, 1).unwrap()[0].seq, 2);
    assert!(db.read_log(3, 10).unwrap().is_empty());
    assert_eq!(db.horizon().borrow().log_seq, 3);
}

#[tokio::test]
async fn durable_mode_acknowledges_after_the_flush() {
    writes_and_reads(Durability::Durable).await;
}

#[tokio::test]
async fn relaxed_mode_acknowledges_at_once() {
    writes_and_reads(Durability::Relaxed {
        interval: Duration::from_millis(20),
    })
    .await;
}

#[tokio::test]
async fn reopening_continues_the_log_without_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = Db::open(&config(dir.path(), Durability::Durable)).unwrap();
        let mut batch = WriteBatch::new();
        batch.append(Timestamp(1), event(1));
        let t = db.commit(batch).unwrap();
        db.acknowledged(t).await.unwrap();
    }
    let db = Db::open(&config(dir.path(), Durability::Durable)).unwrap();
    assert_eq!(db.horizon().borrow().log_seq, 1);
    let mut batch = WriteBatch::new();
    batch.append(Timestamp(2), event(2));
    let t = db.commit(batch).unwrap();
    db.acknowledged(t).await.unwrap();
    let seqs: Vec<u64> = db.read_log(0, 10).unwrap().iter().map(|r| r.seq).collect();
    assert_eq!(seqs, vec![1, 2]);
}

#[tokio::test]
async fn many_concurrent_writers_share_flushes_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&config(dir.path(), Durability::Durable)).unwrap();
    let mut tasks = Vec::new();
    for w in 0..16u64 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..50u64 {
                let mut batch = WriteBatch::new();
                batch.put(keys::order(w * 1000 + i), &i).unwrap();
                batch.append(Timestamp(i), event(i));
                let t = db.commit(batch).unwrap();
                db.acknowledged(t).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let log = db.read_log(0, 10_000).unwrap();
    assert_eq!(log.len(), 800);
    assert!(log.windows(2).all(|w| w[1].seq == w[0].seq + 1));
    assert_eq!(db.scan::<u64>(keys::ORDERS).count(), 800);
}

#[test]
fn ids_increase() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&config(dir.path(), Durability::Durable)).unwrap();
    let a = db.next_id().unwrap();
    let b = db.next_id().unwrap();
    assert!(a >= 1 && b > a);
}

#[tokio::test]
async fn compaction_removes_applied_records_and_keeps_the_last() {
    let dir = tempfile::tempdir().unwrap();
    let relaxed = Durability::Relaxed {
        interval: Duration::from_millis(20),
    };
    {
        let db = Db::open(&config(dir.path(), relaxed)).unwrap();
        for n in 1..=5 {
            let mut batch = WriteBatch::new();
            batch.append(Timestamp(n), event(n));
            db.commit(batch).unwrap();
        }
        on_disk(&db).await;
        assert_eq!(db.compact_log(3).unwrap(), 3);
        assert_eq!(
            db.read_log(0, 10)
                .unwrap()
                .iter()
                .map(|r| r.seq)
                .collect::<Vec<_>>(),
            vec![4, 5]
        );
        // Everything applied: the last record still stays.
        assert_eq!(db.compact_log(u64::MAX).unwrap(), 1);
        assert_eq!(db.read_log(0, 10).unwrap()[0].seq, 5);
        db.flush().unwrap();
    }
    // The next start numbers new records after it.
    let db = Db::open(&config(dir.path(), relaxed)).unwrap();
    let mut batch = WriteBatch::new();
    batch.append(Timestamp(6), event(6));
    db.commit(batch).unwrap();
    on_disk(&db).await;
    assert_eq!(db.read_log(5, 10).unwrap()[0].seq, 6);
}

#[test]
fn a_database_in_use_is_refused_after_a_short_wait() {
    let dir = tempfile::tempdir().unwrap();
    let relaxed = Durability::Relaxed {
        interval: Duration::from_millis(20),
    };
    let _held = Db::open(&config(dir.path(), relaxed)).unwrap();
    let refused = Db::open(&config(dir.path(), relaxed))
        .err()
        .unwrap()
        .to_string();
    assert!(refused.contains("could not acquire lock"), "{refused}");
}

#[tokio::test]
async fn after_a_commit_failed_half_way_nothing_more_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let relaxed = Durability::Relaxed {
        interval: Duration::from_millis(20),
    };
    let db = Db::open(&config(dir.path(), relaxed)).unwrap();
    let mut batch = WriteBatch::new();
    batch.put(keys::order(1), &"kept".to_string()).unwrap();
    batch.append(Timestamp(1), event(1));
    db.commit(batch).unwrap();
    // What `commit` records when sled fails between a commit's journal
    // record and its last write (only a failing disk does that).
    db.inner.shared.written.lock().unwrap().broken = Some("disk on fire".into());

    let mut batch = WriteBatch::new();
    batch
        .put(keys::order(1), &"overwritten".to_string())
        .unwrap();
    batch.put(keys::order(2), &"new".to_string()).unwrap();
    batch.append(Timestamp(2), event(2));
    let refused = db.commit(batch).err().unwrap().to_string();
    assert!(refused.contains("storage is unavailable"), "{refused}");
    assert!(refused.contains("disk on fire"), "{refused}");
    assert!(refused.contains("restart"), "{refused}");
    assert_eq!(
        db.get::<String>(&keys::order(1)).unwrap().as_deref(),
        Some("kept")
    );
    assert_eq!(db.get::<String>(&keys::order(2)).unwrap(), None);
    on_disk(&db).await;
    assert_eq!(db.read_log(0, 10).unwrap().len(), 1, "no event appended");
}

#[tokio::test]
async fn compaction_goes_through_the_log_chunk_after_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let relaxed = Durability::Relaxed {
        interval: Duration::from_millis(20),
    };
    let db = Db::open(&config(dir.path(), relaxed)).unwrap();
    // Over two chunks of 512, in commits of 10 events.
    for n in 0..130u64 {
        let mut batch = WriteBatch::new();
        for i in 0..10 {
            batch.append(Timestamp(n), event(n * 10 + i));
        }
        db.commit(batch).unwrap();
    }
    on_disk(&db).await;
    assert_eq!(db.compact_log(1_200).unwrap(), 1_200);
    let left: Vec<u64> = db
        .read_log(0, 1_000)
        .unwrap()
        .iter()
        .map(|r| r.seq)
        .collect();
    assert_eq!(left, (1_201..=1_300).collect::<Vec<_>>());
}

#[tokio::test]
async fn relaxed_mode_shows_the_log_only_once_it_is_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let slow = Durability::Relaxed {
        interval: Duration::from_secs(3600),
    };
    let db = Db::open(&config(dir.path(), slow)).unwrap();
    let mut batch = WriteBatch::new();
    batch.append(Timestamp(1), event(1));
    let t = db.commit(batch).unwrap();
    db.acknowledged(t).await.unwrap();
    assert_eq!(db.horizon().borrow().log_seq, 1, "acknowledged at once");
    assert!(db.read_log(0, 10).unwrap().is_empty(), "not yet on disk");
    assert_eq!(db.durable_horizon().borrow().log_seq, 0);
    // Waiting for durability flushes now, not at the hour.
    db.durable(t).await.unwrap();
    assert_eq!(db.read_log(0, 10).unwrap().len(), 1);
}
