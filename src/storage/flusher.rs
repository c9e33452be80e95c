//! Group commit: one thread flushes for all writers.
//!
//! sled's `flush_async` stalls when many callers wait at once, and a flush per
//! write caps throughput at a few thousand writes per second. Instead writers
//! bump a counter and wake this thread, which notes the newest write, flushes
//! once and publishes how far it got; every command waiting for a write at
//! or below that mark is then acknowledged together.
//!
//! Waiters queue a oneshot each and are woken exactly once, by the flush
//! that covers them: a `watch` per waiter would wake every waiter on every
//! flush, which at high concurrency costs more than the flush itself.
//!
//! Two marks: *acknowledged* (what an answer waits for) and *durable* (what
//! is flushed). They are one in durable mode. In relaxed mode a write is
//! acknowledged when committed and durable at the next timed flush, or
//! sooner if something waits for it (`flush_now`); whatever leaves the
//! process (the log to its subscribers, a gateway call) waits for durable,
//! so a crash in the window loses writes but never acts on them.

use super::disk::DiskSync;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;
use std::time::Instant;
use tokio::sync::{oneshot, watch};

/// How far writes are acknowledged: the number of the last acknowledged
/// write, and the log sequence it reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Horizon {
    pub writes: u64,
    pub log_seq: u64,
}

/// A key and its new value (`None`: removed), as a backup records it.
pub(super) type RecordedWrite = (Vec<u8>, Option<Vec<u8>>);

/// What writers have done, guarded by the writers' lock.
#[derive(Debug, Default)]
pub(super) struct Written {
    pub horizon: Horizon,
    /// The next log sequence to hand out.
    pub next_seq: u64,
    /// Why writing stopped: a flush failed (sled keeps an I/O error for
    /// good), or a commit failed half way and only the next start can
    /// complete it (from the journal record no later commit may overwrite).
    pub broken: Option<String>,
    pub shutdown: bool,
    /// Relaxed mode: someone waits for durability; flush before the timer.
    pub flush_now: bool,
    /// While a backup scans: every write since it began, in order.
    pub recording: Option<Recording>,
}

/// The writes a backup records while it scans, up to [`Recording::LIMIT`].
#[derive(Debug, Default)]
pub(super) struct Recording {
    pub writes: Vec<RecordedWrite>,
    /// Bytes of keys and values recorded.
    pub bytes: usize,
    /// More than `LIMIT` came: the writes are dropped and the backup fails.
    pub overflowed: bool,
}

impl Recording {
    /// Bytes of writes a backup may hold in memory while it scans: 256 MiB,
    /// some 20 times what a scan of a busy database met in BENCHMARKS.md
    /// (18,601 writes in 0.6 s). Only a backup read far more slowly than the
    /// server writes reaches it, and is refused rather than let grow.
    pub const LIMIT: usize = 256 << 20;

    /// What a write costs besides its key and value: the entry and its two
    /// allocations' headers.
    const OVERHEAD: usize = 64;

    /// Adds a commit's writes, unless the limit is passed. Past it, nothing
    /// more is kept; what was kept is freed by the backup, once the writers'
    /// lock is no longer held.
    pub fn add(&mut self, ops: Vec<RecordedWrite>) {
        if self.overflowed {
            return;
        }
        self.bytes += ops
            .iter()
            .map(|(k, v)| Self::OVERHEAD + k.len() + v.as_ref().map_or(0, Vec::len))
            .sum::<usize>();
        if self.bytes > Self::LIMIT {
            self.overflowed = true;
        } else {
            self.writes.extend(ops);
        }
    }
}

/// Commands waiting for a mark to reach their write.
#[derive(Default)]
struct Waiters {
    /// The number of the last write the mark reached.
    reached: u64,
    /// Each waiter's write number and how to wake it.
    queue: Vec<(u64, oneshot::Sender<()>)>,
    /// The mark will not move again (writing stopped): whoever waits past
    /// it is told at once, by a dropped sender.
    stuck: bool,
}

/// How far writes have got by one measure (acknowledged, or durable), for
/// whoever wants to look, be told of every move, or wait for a write.
pub(super) struct Mark {
    waiters: Mutex<Waiters>,
    pub horizon: watch::Sender<Horizon>,
}

impl Mark {
    fn new(horizon: Horizon) -> Self {
        Mark {
            waiters: Mutex::new(Waiters {
                reached: horizon.writes,
                queue: Vec::new(),
                stuck: false,
            }),
            horizon: watch::channel(horizon).0,
        }
    }

    /// Moves the mark to `horizon` (never back: writers may publish out of
    /// order) and wakes the waiters it reached. Answers whether it moved.
    fn advance(&self, horizon: Horizon, also: impl FnOnce()) -> bool {
        let ready: Vec<oneshot::Sender<()>> = {
            let mut w = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
            if horizon.writes <= w.reached {
                return false;
            }
            w.reached = horizon.writes;
            let (ready, waiting) = std::mem::take(&mut w.queue)
                .into_iter()
                .partition(|(write, _)| *write <= horizon.writes);
            w.queue = waiting;
            // Still under the lock, so the watches never move back either.
            self.horizon.send_replace(horizon);
            also();
            ready.into_iter().map(|(_, tx)| tx).collect()
        };
        for tx in ready {
            let _ = tx.send(()); // the waiter may have given up
        }
        true
    }

    /// A receiver told once the mark reaches write number `write`, or
    /// `None` if it already has.
    /// If the mark is stuck, the receiver fails at once.
    pub fn wait_for(&self, write: u64) -> Option<oneshot::Receiver<()>> {
        let mut w = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
        if write <= w.reached {
            return None;
        }
        let (tx, rx) = oneshot::channel();
        if !w.stuck {
            w.queue.push((write, tx));
        }
        Some(rx)
    }

    /// The mark will not move again: every waiter is told so now (its
    /// sender dropped), and every later one at once.
    fn stick(&self) {
        let mut w = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
        w.stuck = true;
        w.queue.clear();
    }
}

/// State shared by the writers and the flusher thread.
pub(super) struct Shared {
    pub written: Mutex<Written>,
    pub wake: Condvar,
    /// What answers wait for: durable in durable mode, committed in
    /// relaxed mode.
    pub acknowledged: Mark,
    /// What is flushed to disk, in both modes: all that may leave the
    /// process (the log's subscribers, the gateway) waits for it.
    pub durable: Mark,
    /// The durable end of the log, changed only when the log grows: the
    /// log's subscribers sleep through writes that add no event.
    pub log_seq: watch::Sender<u64>,
    pub engine: sled::Db,
    /// Makes a flush survive a power cut.
    disk: DiskSync,
    /// When the flush under way began (`None` between flushes): a flush
    /// that does not end is a wedged process (the watchdog asks).
    pub flushing_since: Mutex<Option<Instant>>,
    /// Fault injection (`--chaos` only): flushes wait while this is set.
    pub held: AtomicBool,
    /// Why writing stopped, readable without the writers' lock: a commit
    /// stuck inside sled on a full disk holds that lock, and `/health`
    /// must still answer.
    failed: std::sync::OnceLock<String>,
}

impl Shared {
    /// Shared state for a database whose log ends at `horizon`.
    pub fn new(engine: sled::Db, disk: DiskSync, horizon: Horizon) -> Self {
        Shared {
            written: Mutex::new(Written {
                horizon,
                next_seq: horizon.log_seq + 1,
                broken: None,
                shutdown: false,
                flush_now: false,
                recording: None,
            }),
            wake: Condvar::new(),
            acknowledged: Mark::new(horizon),
            durable: Mark::new(horizon),
            log_seq: watch::channel(horizon.log_seq).0,
            engine,
            disk,
            failed: std::sync::OnceLock::new(),
            flushing_since: Mutex::new(None),
            held: AtomicBool::new(false),
        }
    }

    /// sled's flush, then the sync that makes it survive a power cut.
    fn flush(&self) -> Result<(), String> {
        *lock_or_recover(&self.flushing_since) = Some(Instant::now());
        while self.held.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(10));
        }
        let flushed = self
            .engine
            .flush()
            .map_err(|e| e.to_string())
            .and_then(|_| self.disk.after_flush().map_err(|e| e.to_string()));
        *lock_or_recover(&self.flushing_since) = None;
        flushed
    }

    /// Writing stops for good in this process: commits are refused, and
    /// whoever waits for an acknowledgement is answered that it failed.
    pub fn fail(&self, why: String) {
        tracing::error!(error = %why, "storage failed: writes are refused until baedal restarts");
        let _ = self.failed.set(why.clone());
        // A commit stuck inside sled may hold the writers' lock: then the
        // next commit sees `failed` (`Db::commit_when`) instead.
        if let Ok(mut w) = self.written.try_lock() {
            if w.broken.is_none() {
                w.broken = Some(why);
            }
        }
        self.acknowledged.stick();
        self.durable.stick();
    }

    /// Why writing stopped, if it did.
    pub fn failure(&self) -> Option<String> {
        self.failed.get().cloned()
    }

    /// How long the flush under way has taken, if one is.
    pub fn flushing_for(&self) -> Option<Duration> {
        lock_or_recover(&self.flushing_since).map(|since| since.elapsed())
    }

    /// Declares everything up to `horizon` acknowledged and wakes the
    /// commands waiting for it.
    pub fn publish(&self, horizon: Horizon) {
        self.acknowledged.advance(horizon, || {});
    }

    /// Declares everything up to `horizon` on disk: wakes what waits for
    /// durability, and the log's subscribers if the log grew.
    pub fn publish_durable(&self, horizon: Horizon) {
        self.durable.advance(horizon, || {
            self.log_seq.send_if_modified(|seq| {
                let grew = horizon.log_seq > *seq;
                if grew {
                    *seq = horizon.log_seq;
                }
                grew
            });
        });
    }
}

/// The running flusher; stops (after a last flush) when dropped.
pub(super) struct Flusher {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Flusher {
    /// Durable mode: flush as soon as there is something new.
    pub fn group_commit(shared: Arc<Shared>) -> std::io::Result<Self> {
        let s = shared.clone();
        let thread = std::thread::Builder::new()
            .name("baedal-flusher".into())
            .spawn(move || group_commit_loop(&s))?;
        Ok(Flusher {
            shared,
            thread: Some(thread),
        })
    }

    /// Relaxed mode: writes are acknowledged at once and flushed on a timer.
    pub fn periodic(shared: Arc<Shared>, every: Duration) -> std::io::Result<Self> {
        let s = shared.clone();
        let thread = std::thread::Builder::new()
            .name("baedal-flusher".into())
            .spawn(move || periodic_loop(&s, every))?;
        Ok(Flusher {
            shared,
            thread: Some(thread),
        })
    }
}

/// A poisoned lock's data is still whole here: every guarded value is
/// replaced in one assignment.
fn lock_or_recover<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Written> {
    // A writer that panicked mid-write left nothing half-done in `Written`
    // (its fields are updated after the engine call), so the data is usable.
    shared.written.lock().unwrap_or_else(|p| p.into_inner())
}

fn group_commit_loop(shared: &Shared) {
    let mut flushed = *shared.acknowledged.horizon.borrow();
    loop {
        let (target, shutdown) = {
            let mut w = lock(shared);
            while w.horizon == flushed && !w.shutdown {
                w = shared.wake.wait(w).unwrap_or_else(|p| p.into_inner());
            }
            (w.horizon, w.shutdown)
        };
        if target != flushed {
            if let Err(e) = shared.flush() {
                // sled keeps an I/O error for good: nothing past it will be
                // acknowledged by this process.
                shared.fail(format!("a flush failed: {e}"));
                return;
            }
            flushed = target;
            shared.publish_durable(target);
            shared.publish(target);
        }
        if shutdown {
            return;
        }
    }
}

fn periodic_loop(shared: &Shared, every: Duration) {
    loop {
        let (target, shutdown) = {
            let w = lock(shared);
            let (mut w, _) = shared
                .wake
                .wait_timeout_while(w, every, |w| !w.shutdown && !w.flush_now)
                .unwrap_or_else(|p| p.into_inner());
            w.flush_now = false;
            (w.horizon, w.shutdown)
        };
        if let Err(e) = shared.flush() {
            shared.fail(format!("a flush failed: {e}"));
            return;
        }
        shared.publish_durable(target);
        if shutdown {
            return;
        }
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        lock(&self.shared).shutdown = true;
        self.shared.wake.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
