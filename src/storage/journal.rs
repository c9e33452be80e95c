//! Atomic commits made of single-key writes: a one-record redo journal on
//! top of sled.
//!
//! sled's own `apply_batch` is atomic but costly: every batch rolls and
//! writes sled's I/O buffer twice (a recovery marker), each write handed to
//! sled's I/O threads. That cost every command two buffer writes and a
//! dozen thread wake-ups, and capped throughput far below what the single
//! writes inside it cost (BENCHMARKS.md has the figures). A commit is
//! instead, under the writers' lock:
//!
//! 1. one insert of the whole commit, encoded, under [`keys::JOURNAL`],
//!    replacing the previous commit's record;
//! 2. its puts and removes, one plain insert or remove each.
//!
//! sled recovers a prefix of its log after a crash: it stops at the first
//! write that did not make it. So after a crash, the record under
//! `JOURNAL` is that of the last commit any of whose writes survived, and
//! every earlier commit survived whole (all its writes came before that
//! record). Opening the database applies that one record again, which
//! completes the commit if it was cut short and changes nothing if not.
//!
//! This makes a commit atomic across crashes, not for readers: a reader
//! may see some of a commit's writes before the others (in the order they
//! are written). The log is read only up to what is acknowledged, each
//! entity's keys are read by its own actor, and views that span keys say
//! how they cope (the notification pages, say).
//!
//! A large commit (a subscriber's delivery of many events, say) goes
//! through sled's atomic batch instead, with the journal record removed in
//! the same batch: its fixed cost is spread over many writes there, and the
//! record (which would copy every write) stays small. Removing the record
//! keeps recovery right: had it survived, replaying it could undo the batch.

use super::{keys, StorageError};

/// The record's layout: this byte, then the ops in postcard. The record is
/// storage's own (raw keys and already encoded values), not a stored type:
/// its shape never changes, and a compact binary keeps every commit cheap.
const RECORD_LAYOUT: u8 = 1;

fn encode_record(ops: &[Op]) -> Result<Vec<u8>, StorageError> {
    let mut out = vec![RECORD_LAYOUT];
    postcard::to_io(ops, &mut out).map_err(|e| StorageError::Codec(e.to_string()))?;
    Ok(out)
}

fn decode_record(bytes: &[u8]) -> Result<Vec<Op>, StorageError> {
    match bytes.split_first() {
        Some((&RECORD_LAYOUT, body)) => {
            postcard::from_bytes(body).map_err(|e| StorageError::Codec(e.to_string()))
        }
        _ => Err(StorageError::Codec("unreadable journal record".into())),
    }
}

/// Commits of this many writes or more go through sled's atomic batch.
const BATCH_FROM: usize = 64;

/// One write: a value to put, or `None` to remove the key.
pub type Op = (Vec<u8>, Option<Vec<u8>>);

/// Writes one commit: its record, then each of its writes.
///
/// A storage failure after the record is in leaves the commit half applied
/// until the next start completes it: the caller (`Db::commit`) then stops
/// all writing, so no later commit overwrites the record. sled fails this
/// way only when its disk does.
pub fn commit(engine: &sled::Db, ops: Vec<Op>) -> Result<(), StorageError> {
    if ops.len() >= BATCH_FROM {
        let mut batch = sled::Batch::default();
        batch.remove(keys::JOURNAL);
        for (key, value) in ops {
            match value {
                Some(v) => batch.insert(key, v),
                None => batch.remove(key),
            }
        }
        return Ok(engine.apply_batch(batch)?);
    }
    engine.insert(keys::JOURNAL, encode_record(&ops)?)?;
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

/// Applies the last commit's record again: call once at open, before
/// anything reads.
pub fn recover(engine: &sled::Db) -> Result<(), StorageError> {
    if let Some(record) = engine.get(keys::JOURNAL)? {
        apply(engine, decode_record(&record)?)?;
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
    fn recovery_completes_a_commit_cut_short_after_its_record() {
        let (_dir, db) = engine();
        commit(&db, vec![put("a", "1"), put("b", "1")]).unwrap();
        // The next commit's record made it, its writes did not.
        let ops = vec![put("a", "2"), (b"b".to_vec(), None), put("c", "2")];
        db.insert(keys::JOURNAL, encode_record(&ops).unwrap())
            .unwrap();

        recover(&db).unwrap();
        assert_eq!(get(&db, "a").as_deref(), Some("2"));
        assert_eq!(get(&db, "b"), None);
        assert_eq!(get(&db, "c").as_deref(), Some("2"));
    }

    #[test]
    fn recovering_a_whole_commit_changes_nothing() {
        let (_dir, db) = engine();
        commit(&db, vec![put("k", "old"), put("j", "1")]).unwrap();
        commit(&db, vec![put("k", "new")]).unwrap();
        recover(&db).unwrap();
        recover(&db).unwrap();
        assert_eq!(get(&db, "k").as_deref(), Some("new"));
        assert_eq!(get(&db, "j").as_deref(), Some("1"));
    }

    #[test]
    fn a_large_commit_is_atomic_by_itself_and_is_never_undone() {
        let (_dir, db) = engine();
        commit(&db, vec![put("k", "small")]).unwrap();
        let large: Vec<Op> = (0..BATCH_FROM)
            .map(|i| put(&format!("n{i}"), "large"))
            .chain([put("k", "large")])
            .collect();
        commit(&db, large).unwrap();
        assert!(
            db.get(keys::JOURNAL).unwrap().is_none(),
            "no record to replay"
        );
        recover(&db).unwrap();
        assert_eq!(get(&db, "k").as_deref(), Some("large"));
        assert_eq!(get(&db, "n0").as_deref(), Some("large"));
    }

    #[test]
    fn an_empty_database_has_nothing_to_recover() {
        let (_dir, db) = engine();
        recover(&db).unwrap();
        assert_eq!(db.len(), 0);
    }
}
