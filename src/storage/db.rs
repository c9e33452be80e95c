//! The database handle: typed reads, atomic batches, the log.

use super::codec::{decode, encode};
use super::engine::open_engine;
use super::flusher::{Flusher, Horizon, Shared};
use super::journal;
use super::{keys, StorageError};
use crate::domain::access::Cause;
use crate::domain::{Event, LogRecord, Timestamp};
use serde::{de::DeserializeOwned, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// When a write counts as done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// Acknowledged once flushed to disk by the group-commit flusher.
    Durable,
    /// Acknowledged at once, flushed every `interval`: a crash can lose the
    /// last `interval` of acknowledged writes.
    Relaxed { interval: Duration },
}

/// How to open the database.
#[derive(Clone, Debug)]
pub struct StorageConfig {
    pub path: PathBuf,
    pub durability: Durability,
    pub cache_capacity_bytes: u64,
}

/// A commit's place in the order of writes, to wait for its
/// acknowledgement (`Db::acknowledged`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct CommitSeq(pub u64);

/// Puts, removes and log events that land together or not at all.
#[derive(Default)]
pub struct WriteBatch {
    ops: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    events: Vec<(Timestamp, Cause, Event)>,
}

impl WriteBatch {
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores `value` under `key`.
    pub fn put<T: Serialize + ?Sized>(
        &mut self,
        key: Vec<u8>,
        value: &T,
    ) -> Result<(), StorageError> {
        self.ops.push((key, Some(encode(value)?)));
        Ok(())
    }

    /// Stores an already encoded value.
    pub(super) fn put_encoded(&mut self, key: Vec<u8>, bytes: Vec<u8>) {
        self.ops.push((key, Some(bytes)));
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: Vec<u8>) {
        self.ops.push((key, None));
    }

    /// Appends an event baedal itself caused to the log; its sequence is
    /// assigned at commit.
    pub fn append(&mut self, at: Timestamp, event: Event) {
        self.append_caused(at, Cause::system(), event);
    }

    /// Appends an event `by` caused to the log.
    pub fn append_caused(&mut self, at: Timestamp, by: Cause, event: Event) {
        self.events.push((at, by, event));
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty() && self.events.is_empty()
    }
}

struct Inner {
    shared: Arc<Shared>,
    durability: Durability,
    // Declared last so it is dropped (last flush, thread joined) after use.
    _flusher: Flusher,
}

/// The database. Cheap to clone; all clones share one engine and flusher.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

impl Db {
    /// Opens (or creates) the database and starts its flusher.
    pub fn open(config: &StorageConfig) -> Result<Db, StorageError> {
        super::compact::refuse_interrupted(&config.path)
            .map_err(|e| StorageError::Engine(e.to_string()))?;
        let engine = open_engine(config)?;
        // A newer release's database is left exactly as it is.
        super::schema::refuse_newer(&engine)?;
        // Before anything reads: complete the commits a crash cut short.
        journal::recover(&engine)?;
        super::schema::upgrade(&engine)?;
        let last_seq = match engine.scan_prefix(keys::LOG).next_back() {
            Some(entry) => keys::trailing_u64(&entry?.0).unwrap_or(0),
            None => 0,
        };
        let horizon = Horizon {
            writes: 0,
            log_seq: last_seq,
        };
        let disk = super::disk::DiskSync::open(&config.path).map_err(|e| {
            StorageError::Engine(format!("cannot sync {}: {e}", config.path.display()))
        })?;
        let shared = Arc::new(Shared::new(engine, disk, horizon));
        let flusher = match config.durability {
            Durability::Durable => Flusher::group_commit(shared.clone()),
            Durability::Relaxed { interval } => Flusher::periodic(shared.clone(), interval),
        }
        .map_err(|e| StorageError::Engine(format!("cannot start the flusher: {e}")))?;
        Ok(Db {
            inner: Arc::new(Inner {
                shared,
                durability: config.durability,
                _flusher: flusher,
            }),
        })
    }

    pub(super) fn engine(&self) -> &sled::Db {
        &self.inner.shared.engine
    }

    /// Reads and decodes one value.
    pub fn get<T: DeserializeOwned>(&self, key: &[u8]) -> Result<Option<T>, StorageError> {
        self.engine().get(key)?.map(|v| decode(&v)).transpose()
    }

    pub fn contains(&self, key: &[u8]) -> Result<bool, StorageError> {
        Ok(self.engine().contains_key(key)?)
    }

    /// Every value under a prefix, in key order, with its key.
    pub fn scan<T: DeserializeOwned>(
        &self,
        prefix: &[u8],
    ) -> impl Iterator<Item = Result<(Vec<u8>, T), StorageError>> + '_ {
        self.engine().scan_prefix(prefix).map(|entry| {
            let (k, v) = entry?;
            Ok((k.to_vec(), decode(&v)?))
        })
    }

    /// The keys under a prefix, in order.
    pub fn scan_keys(
        &self,
        prefix: &[u8],
    ) -> impl Iterator<Item = Result<Vec<u8>, StorageError>> + '_ {
        self.engine()
            .scan_prefix(prefix)
            .keys()
            .map(|k| Ok(k?.to_vec()))
    }

    /// The entries under `prefix` after key `after` (from the first without
    /// one), in key order: a list's next page.
    pub fn scan_after<T: DeserializeOwned>(
        &self,
        prefix: &[u8],
        after: Option<&[u8]>,
    ) -> impl Iterator<Item = Result<(Vec<u8>, T), StorageError>> + '_ {
        use std::ops::Bound;
        let prefix = prefix.to_vec();
        let start = match after {
            Some(after) if after >= prefix.as_slice() => Bound::Excluded(after.to_vec()),
            _ => Bound::Included(prefix.clone()),
        };
        self.engine()
            .range((start, Bound::Unbounded))
            .take_while(move |entry| entry.as_ref().map_or(true, |(k, _)| k.starts_with(&prefix)))
            .map(|entry| {
                let (k, v) = entry?;
                Ok((k.to_vec(), decode(&v)?))
            })
    }

    /// Every value under a prefix from key `from` on, in key order.
    pub fn scan_from<T: DeserializeOwned>(
        &self,
        prefix: &[u8],
        from: &[u8],
    ) -> impl Iterator<Item = Result<(Vec<u8>, T), StorageError>> + '_ {
        let prefix = prefix.to_vec();
        self.engine()
            .range(from.max(prefix.as_slice()).to_vec()..)
            .take_while(move |entry| entry.as_ref().map_or(true, |(k, _)| k.starts_with(&prefix)))
            .map(|entry| {
                let (k, v) = entry?;
                Ok((k.to_vec(), decode(&v)?))
            })
    }

    /// The last key under a prefix that is at most `upto`.
    pub fn last_key_upto(
        &self,
        prefix: &[u8],
        upto: &[u8],
    ) -> Result<Option<Vec<u8>>, StorageError> {
        match self
            .engine()
            .range(prefix.to_vec()..=upto.to_vec())
            .next_back()
        {
            Some(entry) => Ok(Some(entry?.0.to_vec())),
            None => Ok(None),
        }
    }

    /// The last key under a prefix.
    pub fn last_key(&self, prefix: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        match self.engine().scan_prefix(prefix).next_back() {
            Some(entry) => Ok(Some(entry?.0.to_vec())),
            None => Ok(None),
        }
    }

    /// A fresh id, unique and increasing even across crashes.
    ///
    /// sled writes its id counter now and then: a disk that refuses it
    /// stops writing for the process, as a refused commit does
    /// (`StorageError::Unavailable`, 503).
    pub fn next_id(&self) -> Result<u64, StorageError> {
        if let Some(why) = self.failure() {
            return Err(StorageError::Unavailable(why));
        }
        match self.engine().generate_id() {
            Ok(id) => Ok(id + 1),
            Err(e) => {
                let why = format!("an id could not be made: {e}");
                self.inner.shared.fail(why.clone());
                Err(StorageError::Unavailable(why))
            }
        }
    }

    /// Applies a batch atomically (through the commit journal), appending
    /// its events to the log.
    ///
    /// Writers are serialised by one lock, which hands out log sequences
    /// and applies the batch together: the log never shows a gap, and the
    /// cost is nothing because sled inserts are CPU-bound and a second
    /// concurrent writer would not be faster.
    pub fn commit(&self, batch: WriteBatch) -> Result<CommitSeq, StorageError> {
        let committed = self.commit_when(batch, |_| Ok(true))?;
        Ok(committed.unwrap_or_default())
    }

    /// Removes `remove` in one commit, if the value under `guard` is still
    /// `expected` (read under the writers' lock, so no write slips in
    /// between): how a sweeper drops what it judged stale without racing
    /// the entity or view that owns it. Answers whether it did.
    pub fn remove_if_unchanged<T: DeserializeOwned + PartialEq>(
        &self,
        guard: &[u8],
        expected: &T,
        remove: Vec<Vec<u8>>,
    ) -> Result<bool, StorageError> {
        let mut batch = WriteBatch::new();
        remove.into_iter().for_each(|k| batch.remove(k));
        let unchanged = |engine: &sled::Db| -> Result<bool, StorageError> {
            Ok(match engine.get(guard)? {
                Some(bytes) => decode::<T>(&bytes)? == *expected,
                None => false,
            })
        };
        Ok(self.commit_when(batch, unchanged)?.is_some())
    }

    /// Commits `batch` if `go` says so, under the writers' lock.
    fn commit_when(
        &self,
        batch: WriteBatch,
        go: impl FnOnce(&sled::Db) -> Result<bool, StorageError>,
    ) -> Result<Option<CommitSeq>, StorageError> {
        let shared = &self.inner.shared;
        let mut written = shared.written.lock().unwrap_or_else(|p| p.into_inner());
        if !go(&shared.engine)? {
            return Ok(None);
        }
        let mut ops = batch.ops;
        let mut seq = written.next_seq;
        for (at, by, event) in batch.events {
            let record = LogRecord {
                seq,
                at,
                event,
                by: Some(by),
            };
            ops.push((keys::log(seq), Some(encode(&record)?)));
            seq += 1;
        }
        if let Some(why) = written.broken.clone().or_else(|| shared.failure()) {
            return Err(StorageError::Unavailable(why));
        }
        // A backup under way records the commit once it is whole.
        let recorded = written
            .recording
            .as_ref()
            .is_some_and(|r| !r.overflowed)
            .then(|| ops.clone());
        if let Err(e) = journal::commit(&shared.engine, ops) {
            let why = format!("a commit failed half way: {e}");
            drop(written);
            shared.fail(why.clone());
            return Err(StorageError::Unavailable(why));
        }
        if let (Some(recording), Some(ops)) = (written.recording.as_mut(), recorded) {
            recording.add(ops);
        }
        written.next_seq = seq;
        written.horizon = Horizon {
            writes: written.horizon.writes + 1,
            log_seq: seq - 1,
        };
        let horizon = written.horizon;
        drop(written);
        match self.inner.durability {
            Durability::Durable => shared.wake.notify_one(),
            Durability::Relaxed { .. } => shared.publish(horizon),
        }
        Ok(Some(CommitSeq(horizon.writes)))
    }

    /// Waits until a write is acknowledged (on disk, in durable mode;
    /// committed, in relaxed mode). Fails if writing stopped first
    /// ([`StorageError::Unavailable`]): then the write may be lost.
    pub async fn acknowledged(&self, commit: CommitSeq) -> Result<(), StorageError> {
        if commit.0 == 0 {
            return Ok(());
        }
        match self.inner.shared.acknowledged.wait_for(commit.0) {
            Some(acknowledged) => acknowledged.await.map_err(|_| self.unavailable()),
            None => Ok(()),
        }
    }

    fn unavailable(&self) -> StorageError {
        let why = self.inner.shared.failure();
        StorageError::Unavailable(why.unwrap_or_else(|| "the database is closing".into()))
    }

    /// Starts recording every write (for a backup); answers `false`, and
    /// changes nothing, if another backup is recording.
    pub(super) fn start_recording(&self) -> bool {
        let mut written = self.written();
        if written.recording.is_some() {
            return false;
        }
        written.recording = Some(Default::default());
        true
    }

    /// The writers' state, under its lock (taken even if a panic poisoned
    /// it, as everywhere in storage).
    fn written(&self) -> std::sync::MutexGuard<'_, super::flusher::Written> {
        self.inner
            .shared
            .written
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the backup's recording passed its limit (`Recording::LIMIT`).
    pub(super) fn recording_overflowed(&self) -> bool {
        let written = self.written();
        written.recording.as_ref().is_some_and(|r| r.overflowed)
    }

    /// Stops recording and answers what was recorded.
    pub(super) fn take_recorded_writes(&self) -> super::flusher::Recording {
        let mut written = self.written();
        written.recording.take().unwrap_or_default()
    }

    /// Why writing stopped, if it did: the disk refused a write or a flush.
    /// Reads still work (`/health` says so and answers 503).
    pub fn failure(&self) -> Option<String> {
        self.inner.shared.failure()
    }

    /// Waits until a write is on disk, in either mode: call it before
    /// anything outside the process (a payment gateway) hears of it. In
    /// relaxed mode it asks the flusher to flush now rather than at its
    /// next tick.
    pub async fn durable(&self, commit: CommitSeq) -> Result<(), StorageError> {
        if commit.0 == 0 {
            return Ok(());
        }
        let shared = &self.inner.shared;
        if let Some(durable) = shared.durable.wait_for(commit.0) {
            if let Durability::Relaxed { .. } = self.inner.durability {
                let mut written = shared.written.lock().unwrap_or_else(|p| p.into_inner());
                written.flush_now = true;
                drop(written);
                shared.wake.notify_one();
            }
            return durable.await.map_err(|_| self.unavailable());
        }
        Ok(())
    }

    /// Waits until everything written so far is acknowledged.
    pub async fn settled(&self) -> Result<(), StorageError> {
        let writes = {
            let written = self.written();
            written.horizon.writes
        };
        self.acknowledged(CommitSeq(writes)).await
    }

    /// Watches the acknowledged horizon: told of every acknowledgement.
    pub fn horizon(&self) -> watch::Receiver<Horizon> {
        self.inner.shared.acknowledged.horizon.subscribe()
    }

    /// Watches the durable horizon: what is flushed to disk.
    pub fn durable_horizon(&self) -> watch::Receiver<Horizon> {
        self.inner.shared.durable.horizon.subscribe()
    }

    /// Watches the durable end of the log: told only when it grows (for
    /// the log's subscribers).
    pub fn log_horizon(&self) -> watch::Receiver<u64> {
        self.inner.shared.log_seq.subscribe()
    }

    /// Up to `limit` log records after `after`, not past what is durable:
    /// the log's subscribers act only on what a crash cannot take back.
    pub fn read_log(&self, after: u64, limit: usize) -> Result<Vec<LogRecord>, StorageError> {
        let upto = self.inner.shared.durable.horizon.borrow().log_seq;
        if after >= upto {
            return Ok(Vec::new());
        }
        self.engine()
            .range(keys::log(after + 1)..=keys::log(upto))
            .take(limit)
            .map(|entry| decode(&entry?.1))
            .collect()
    }

    /// Removes the log's records up to `upto` (every subscriber applied
    /// them), a chunk per commit. The last acknowledged record always stays:
    /// the next start numbers new records after it. Returns how many went.
    pub fn compact_log(&self, upto: u64) -> Result<usize, StorageError> {
        // Small chunks: each holds the writers' lock while it is applied.
        const CHUNK: usize = 512;
        let upto = upto.min(
            self.inner
                .shared
                .durable
                .horizon
                .borrow()
                .log_seq
                .saturating_sub(1),
        );
        let mut removed = 0;
        // Each chunk starts after the last one: no scan over what went.
        let mut from = keys::log(0);
        loop {
            let chunk: Vec<Vec<u8>> = self
                .engine()
                .range(from..=keys::log(upto))
                .keys()
                .take(CHUNK)
                .map(|k| k.map(|k| k.to_vec()))
                .collect::<Result<_, _>>()?;
            let Some(last) = chunk.last().and_then(|k| keys::trailing_u64(k)) else {
                return Ok(removed);
            };
            from = keys::log(last + 1);
            removed += chunk.len();
            let mut batch = WriteBatch::new();
            chunk.into_iter().for_each(|k| batch.remove(k));
            self.commit(batch)?;
        }
    }

    /// A relaxed database under `dir/db` with a small cache: for tests.
    #[cfg(test)]
    pub fn open_for_tests(dir: &std::path::Path) -> Db {
        Db::open(&StorageConfig {
            path: dir.join("db"),
            durability: Durability::Relaxed {
                interval: Duration::from_millis(20),
            },
            cache_capacity_bytes: 8 << 20,
        })
        .expect("a test database opens in a fresh directory")
    }

    /// Every key and its raw bytes, in key order: for tests.
    #[cfg(test)]
    pub fn raw_entries_for_tests(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.engine()
            .iter()
            .map(|entry| {
                let (k, v) = entry.expect("a test database reads");
                (k.to_vec(), v.to_vec())
            })
            .collect()
    }

    /// How long the flush under way has been running, if one is: the
    /// watchdog's sign of a wedged flusher.
    pub fn flushing_for(&self) -> Option<Duration> {
        self.inner.shared.flushing_for()
    }

    /// Fault injection (`--chaos` only): while held, flushes wait, so
    /// nothing new is acknowledged, as if the disk had stopped answering.
    pub fn hold_flushes(&self, held: bool) {
        use std::sync::atomic::Ordering;
        self.inner.shared.held.store(held, Ordering::Relaxed);
    }

    /// Flushes everything written so far.
    pub fn flush(&self) -> Result<(), StorageError> {
        self.engine().flush()?;
        Ok(())
    }
}

#[cfg(test)]
#[path = "db_tests.rs"]
mod tests;
