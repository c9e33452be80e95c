//! Atomic commits made of single-key writes: a small redo journal on top of
//! sled.
//!
//! sled's own `apply_batch` is atomic but costly: every batch rolls and
//! writes sled's I/O buffer twice (a recovery marker), each write handed to
//! sled's I/O threads. That cost every command two buffer writes and a
//! dozen thread wake-ups, and capped throughput far below what the single
//! writes inside it cost (see BENCHMARKS.md). A commit is instead:
//!
//! 1. one insert of the whole commit, encoded, under `wal/<number>`;
//! 2. its puts and removes, one insert or remove each.
//!
//! sled recovers a prefix of its log after a crash (it stops at the first
//! gap), so if any write of commit *n* survived, its journal record did
//! too. At open, every journal record still present is applied again, in
//! order: the records left are always a run of the latest commits (they are
//! pruned oldest first, and only once a flush made their writes durable),
//! and every write goes through a commit, so replaying them in order yields
//! exactly the state the last surviving commit left.

use super::codec::{decode, encode};
use super::{keys, StorageError};

/// One write: a value to put, or `None` to remove the key.
pub type Op = (Vec<u8>, Option<Vec<u8>>);

/// Writes one commit: its journal record, then each of its writes.
///
/// A storage failure after the record is in leaves the commit half applied
/// until the next start completes it; sled fails this way only when its
/// disk does, and every later write would fail too.
pub fn commit(engine: &sled::Db, number: u64, ops: Vec<Op>) -> Result<(), StorageError> {
    engine.insert(keys::wal(number), encode(&ops)?)?;
    apply(engine, ops)
}

fn apply(engine: &sled::Db, ops: Vec<Op>) -> Result<(), StorageError> {
    for (key, value) in ops {
        match value {
            Some(v) => engine.insert(key, v)?,
            None => engine.remove(key)?,
        };
    }
    Ok(())
}

/// Applies again every commit whose journal record is still present, makes
/// the result durable and empties the journal. Returns the number of the
/// last record found (0 if none), so new commits are numbered after it.
pub fn recover(engine: &sled::Db) -> Result<u64, StorageError> {
    let mut last = 0;
    let mut replayed = Vec::new();
    for entry in engine.scan_prefix(keys::WAL) {
        let (key, value) = entry?;
        apply(engine, decode::<Vec<Op>>(&value)?)?;
        last = keys::trailing_u64(&key).unwrap_or(last);
        replayed.push(key);
    }
    if replayed.is_empty() {
        return Ok(0);
    }
    tracing::info!(
        commits = replayed.len(),
        last,
        "completed journalled commits"
    );
    // Durable before the records that redo them go.
    engine.flush()?;
    for key in replayed {
        engine.remove(key)?;
    }
    engine.flush()?;
    Ok(last)
}

/// Removes the journal records `after + 1 ..= upto`, whose writes a flush
/// made durable. Oldest first, so the records left are always the latest.
pub fn prune(engine: &sled::Db, after: u64, upto: u64) -> Result<(), StorageError> {
    for number in after + 1..=upto {
        engine.remove(keys::wal(number))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> (tempfile::TempDir, sled::Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        (dir, db)
    }

    fn put(k: &str, v: &str) -> Op {
        (k.as_bytes().to_vec(), Some(v.as_bytes().to_vec()))
    }

    fn get(db: &sled::Db, k: &str) -> Option<String> {
        db.get(k)
            .unwrap()
            .map(|v| String::from_utf8(v.to_vec()).unwrap())
    }

    #[test]
    fn recovery_completes_a_half_applied_commit_and_keeps_later_writes() {
        let (_dir, db) = engine();
        commit(&db, 1, vec![put("a", "1"), put("b", "1")]).unwrap();
        commit(&db, 2, vec![put("b", "2")]).unwrap();
        // Commit 3 crashed after its record and before its writes.
        let ops = vec![put("a", "3"), (b"b".to_vec(), None), put("c", "3")];
        db.insert(keys::wal(3), encode(&ops).unwrap()).unwrap();

        assert_eq!(recover(&db).unwrap(), 3);
        assert_eq!(get(&db, "a").as_deref(), Some("3"));
        assert_eq!(get(&db, "b"), None);
        assert_eq!(get(&db, "c").as_deref(), Some("3"));
        assert_eq!(db.scan_prefix(keys::WAL).count(), 0, "journal emptied");
        assert_eq!(recover(&db).unwrap(), 0, "nothing left to redo");
    }

    #[test]
    fn pruned_commits_are_not_replayed_over_newer_writes() {
        let (_dir, db) = engine();
        commit(&db, 1, vec![put("k", "old")]).unwrap();
        commit(&db, 2, vec![put("k", "new")]).unwrap();
        prune(&db, 0, 1).unwrap();
        assert_eq!(recover(&db).unwrap(), 2);
        assert_eq!(get(&db, "k").as_deref(), Some("new"));
    }
}
