//! The retention sweeper: every `--retention-sweep-secs` it removes what
//! `domain::retention` calls stale (expired idempotency records, old
//! notification pages, finished orders' kitchen tickets and deliveries,
//! the sandbox gateway's books of settled orders),
//! each removal guarded by the value it judged
//! (`Db::remove_if_unchanged`), so that a write landing meanwhile wins.
//! It runs off the actors' threads, paced to a fifth of one core
//! ([`SWEEP_SHARE`]); writers wait only for each removal.

use crate::actors::entities::order::IdempotencyRecord;
use crate::domain::delivery::Delivery;
use crate::domain::kitchen::Ticket;
use crate::domain::notification::Notification;
use crate::domain::order::Order;
use crate::domain::payment::Payment;
use crate::domain::retention::{GatewayBooks, Retention};
use crate::domain::Timestamp;
use crate::storage::{keys, Db, StorageError};
use serde::Serialize;
use std::time::{Duration, Instant};

/// What one sweep removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Swept {
    pub idempotency_records: u64,
    pub notification_pages: u64,
    pub tickets: u64,
    pub deliveries: u64,
    /// Orders whose books the sandbox gateway dropped.
    pub gateway_books: u64,
}

/// Starts sweeping every `every` on the current arbiter.
pub fn spawn(db: Db, retention: Retention, every: Duration) {
    actix_rt::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        // A sweep longer than `every` is followed by a pause, not by another.
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await; // not at start-up: let the server settle first
        loop {
            ticks.tick().await;
            let db = db.clone();
            let swept = tokio::task::spawn_blocking(move || {
                let mut pace = Pace::new(SWEEP_SHARE);
                sweep_paced(&db, &retention, Timestamp::now(), &mut pace)
            })
            .await;
            match swept {
                Ok(Ok(swept)) if swept != Swept::default() => {
                    tracing::info!(?swept, "retention: removed what is kept no longer")
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "retention sweep stopped"),
                Err(e) => tracing::warn!(error = %e, "retention sweep panicked"),
            }
        }
    });
}

/// A sweep's share of one core while it runs: a fifth. A sweep reads
/// everything retention covers, and unpaced it took a core for a minute
/// and more on a soak's database, cutting the server's throughput by a
/// third meanwhile (BENCHMARKS.md, "Soak, again").
pub const SWEEP_SHARE: f64 = 0.2;

/// Items judged between two rests.
const PACE_BATCH: u32 = 256;

/// Keeps a sweep to a share of one core: after every [`PACE_BATCH`] items
/// it rests as long as they took, times (1 / share - 1).
pub struct Pace {
    share: f64,
    batch_began: Instant,
    in_batch: u32,
}

impl Pace {
    /// `share` of one core, in (0, 1]; 1 never rests.
    pub fn new(share: f64) -> Self {
        Pace {
            share: share.clamp(0.01, 1.0),
            batch_began: Instant::now(),
            in_batch: 0,
        }
    }

    fn tick(&mut self) {
        self.in_batch += 1;
        if self.in_batch < PACE_BATCH {
            return;
        }
        if self.share < 1.0 {
            let took = self.batch_began.elapsed();
            std::thread::sleep(took.mul_f64(1.0 / self.share - 1.0));
        }
        self.in_batch = 0;
        self.batch_began = Instant::now();
    }
}

/// One sweep over everything retention covers, as fast as it can go.
pub fn sweep(db: &Db, r: &Retention, now: Timestamp) -> Result<Swept, StorageError> {
    sweep_paced(db, r, now, &mut Pace::new(1.0))
}

/// One sweep, resting as `pace` says.
pub fn sweep_paced(
    db: &Db,
    r: &Retention,
    now: Timestamp,
    pace: &mut Pace,
) -> Result<Swept, StorageError> {
    Ok(Swept {
        idempotency_records: idempotency(db, r, now, pace)?,
        notification_pages: notification_pages(db, r, now, pace)?,
        tickets: tickets(db, r, now, pace)?,
        deliveries: deliveries(db, r, now, pace)?,
        gateway_books: gateway_books(db, r, now, pace)?,
    })
}

/// When a key was first used: recorded since schema 5; for an older record,
/// when its payment was requested.
fn first_used(db: &Db, record: &IdempotencyRecord) -> Result<Timestamp, StorageError> {
    if record.created_at != Timestamp(0) {
        return Ok(record.created_at);
    }
    let payment = db.get::<Payment>(&keys::payment(record.order_id))?;
    Ok(payment.map_or(Timestamp(0), |p| p.requested_at))
}

/// Scans `prefix` and removes each value `stale` answers keys for (its own
/// key among them), guarded by the value as judged.
fn remove_stale<T: serde::de::DeserializeOwned + PartialEq>(
    db: &Db,
    prefix: &[u8],
    pace: &mut Pace,
    mut stale: impl FnMut(&[u8], &T) -> Result<Option<Vec<Vec<u8>>>, StorageError>,
) -> Result<u64, StorageError> {
    let mut removed = 0;
    for entry in db.scan::<T>(prefix) {
        let (key, value) = entry?;
        pace.tick();
        if let Some(keys) = stale(&key, &value)? {
            if db.remove_if_unchanged(&key, &value, keys)? {
                removed += 1;
            }
        }
    }
    Ok(removed)
}

fn idempotency(
    db: &Db,
    r: &Retention,
    now: Timestamp,
    pace: &mut Pace,
) -> Result<u64, StorageError> {
    remove_stale(
        db,
        keys::IDEMPOTENCY,
        pace,
        |key, record: &IdempotencyRecord| {
            let expired = r.idempotency_expired(first_used(db, record)?, now);
            Ok(expired.then(|| vec![key.to_vec()]))
        },
    )
}

/// Every page but each inbox's newest (pages of one inbox are adjacent,
/// in order; a page's key is its inbox's prefix and 8 bytes).
fn notification_pages(
    db: &Db,
    r: &Retention,
    now: Timestamp,
    pace: &mut Pace,
) -> Result<u64, StorageError> {
    let inbox_of = |key: &[u8]| key[..key.len().saturating_sub(8)].to_vec();
    let mut removed = 0;
    let mut previous: Option<(Vec<u8>, Vec<Notification>)> = None;
    for entry in db.scan::<Vec<Notification>>(keys::INBOXES) {
        let (key, page) = entry?;
        pace.tick();
        if let Some((before, old)) = previous.take() {
            let has_newer = inbox_of(&before) == inbox_of(&key);
            if has_newer
                && r.page_stale(&old, now)
                && db.remove_if_unchanged(&before, &old, vec![before.clone()])?
            {
                removed += 1;
            }
        }
        previous = Some((key, page));
    }
    Ok(removed)
}

fn tickets(db: &Db, r: &Retention, now: Timestamp, pace: &mut Pace) -> Result<u64, StorageError> {
    remove_stale(db, keys::TICKETS, pace, |key, ticket: &Ticket| {
        let with_index = vec![key.to_vec(), keys::ticket_store(ticket.order_id)];
        Ok(r.ticket_stale(ticket, now).then_some(with_index))
    })
}

fn deliveries(
    db: &Db,
    r: &Retention,
    now: Timestamp,
    pace: &mut Pace,
) -> Result<u64, StorageError> {
    remove_stale(db, keys::DELIVERIES, pace, |key, delivery: &Delivery| {
        Ok(r.delivery_stale(delivery, now).then(|| vec![key.to_vec()]))
    })
}

/// The sandbox's books of each order it charged: its charge, revisions'
/// adjustments and refunds, all removed together, guarded by the payment
/// they were judged by (a refund asked for meanwhile changes it).
fn gateway_books(
    db: &Db,
    r: &Retention,
    now: Timestamp,
    pace: &mut Pace,
) -> Result<u64, StorageError> {
    let mut removed = 0;
    for entry in db.scan_keys(keys::SANDBOX_CHARGES) {
        let key = entry?;
        pace.tick();
        let Some(id) = keys::trailing_u64(&key) else {
            continue;
        };
        // A charge with no payment record is not baedal's to judge.
        let payment_key = keys::payment(id);
        let Some(payment) = db.get::<Payment>(&payment_key)? else {
            continue;
        };
        let order = db.get::<Order>(&keys::order(id))?;
        let books = GatewayBooks {
            order: order.as_ref().map(|o| (o.status, o.updated_at())),
            payment: &payment,
            revision_pending: db.contains(&keys::revision_pending(id))?,
        };
        if !r.gateway_books_stale(&books, now) {
            continue;
        }
        let mut all = vec![key.clone()];
        for prefix in [keys::sandbox_adjustments(id), keys::sandbox_refunds(id)] {
            all.extend(db.scan_keys(&prefix).collect::<Result<Vec<_>, _>>()?);
        }
        if db.remove_if_unchanged(&payment_key, &payment, all)? {
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
#[path = "retention_tests.rs"]
mod tests;
