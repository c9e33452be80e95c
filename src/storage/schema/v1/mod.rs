//! Schema 1: every value postcard-encoded (not self-describing), and
//! notifications possibly one per key. The upgrade to schema 2 rewrites
//! each value in MessagePack (`codec`) and moves single-key notifications
//! into pages.
//!
//! postcard can only be read with the exact shape it was written with, so
//! the shapes below are frozen copies of the stored types as commit 92d62d1
//! (the last schema 1 release) defined them: same fields, same order, same
//! serde names. Never change them. A value is read here and written out in
//! MessagePack, field by field in the same order, and the current types
//! read that, so fields appended since with `#[serde(default)]` do not
//! disturb the upgrade.
//! `tests/fixtures/db-v1` is a database written by that release; the tests
//! of `schema` upgrade it and read every value with today's types.

mod log;
mod views;

use super::super::codec::{self, Encoding};
use super::super::{keys, StorageError};
use log::{LogRecord, Order, Store, Wallet};
use serde::{de::DeserializeOwned, Serialize};
use views::*;

/// Reads a whole schema 1 body as `T` (every byte used) and writes it in
/// the current encoding.
fn transcode<T: DeserializeOwned + Serialize>(body: &[u8]) -> Result<Vec<u8>, StorageError> {
    let (value, rest) = postcard::take_from_bytes::<T>(body)
        .map_err(|e| StorageError::Codec(format!("schema 1 value: {e}")))?;
    if !rest.is_empty() {
        return Err(StorageError::Codec(format!(
            "schema 1 value: {} bytes left over",
            rest.len()
        )));
    }
    codec::encode(&value)
}

type Transcoder = fn(&[u8]) -> Result<Vec<u8>, StorageError>;

/// Where schema 1 kept notifications one per key:
/// `notification/<kind>/<id>\0<id as 8 bytes>`.
const SINGLE_NOTIFICATIONS: &[u8] = b"notification/";

/// Every key prefix a schema 1 database holds (as it wrote them), with its
/// value's shape.
/// The journal record and the schema mark are not values (raw layouts).
const SHAPES: &[(&[u8], Transcoder)] = &[
    (b"log/", transcode::<LogRecord>),
    (b"kitchenq/", transcode::<LogRecord>),
    (b"meta/demo-loaded", transcode::<u64>),
    (b"meta/seeded-orders", transcode::<u64>),
    (b"store/", transcode::<Store>),
    (b"pending/", transcode::<PendingPayment>),
    (b"order/", transcode::<Order>),
    (b"payment/", transcode::<Payment>),
    (b"delivery/", transcode::<Delivery>),
    (b"ready/", transcode::<Delivery>),
    (b"mypage/", transcode::<MyPage>),
    (b"mypagec/", transcode::<()>),
    (b"custorder/", transcode::<()>),
    (b"inbox/", transcode::<Vec<Notification>>),
    (b"wallet/", transcode::<Wallet>),
    (b"reviewer/", transcode::<String>),
    (b"rating/", transcode::<Rating>),
    (b"webhookq/", transcode::<WebhookDelivery>),
    (b"webhookdead/", transcode::<WebhookDelivery>),
    (b"rider/", transcode::<Rider>),
    (b"points/", transcode::<Points>),
    (b"offset/", transcode::<u64>),
    (b"idem/", transcode::<IdempotencyRecord>),
    (b"kitchen/", transcode::<Ticket>),
    (b"ticketstore/", transcode::<String>),
    (b"revpending/", transcode::<PendingRevision>),
    (b"sandbox/", transcode::<GatewayCharge>),
    (b"sandboxadj/", transcode::<GatewayAdjustment>),
];

/// Keys that hold no encoded value.
const RAW: &[&[u8]] = &[keys::JOURNAL, keys::SCHEMA];

/// Rewrites every schema 1 value of `engine` in the current encoding, a
/// chunk per atomic batch. Values already rewritten (an upgrade cut short)
/// are skipped, so running it again finishes the job. Returns how many
/// values it rewrote.
pub(super) fn rewrite_values(engine: &sled::Db) -> Result<u64, StorageError> {
    transcode_all(engine, true)
}

/// Reads every schema 1 value as the upgrade would, writing nothing: an
/// unknown key or an unreadable value refuses the upgrade before it has
/// changed anything, so the release that wrote the database still opens it.
/// Answers how many values the upgrade will rewrite.
pub(super) fn check_values(engine: &sled::Db) -> Result<u64, StorageError> {
    for entry in engine.scan_prefix(SINGLE_NOTIFICATIONS) {
        let (key, value) = entry?;
        audience_of(&key)?;
        single_notification(&key, &value)?;
    }
    transcode_all(engine, false)
}

/// Transcodes every schema 1 value, a chunk per atomic batch, writing the
/// results only if `write`.
fn transcode_all(engine: &sled::Db, write: bool) -> Result<u64, StorageError> {
    const CHUNK: usize = 1_024;
    let mut rewritten = 0;
    let mut from: Vec<u8> = Vec::new();
    loop {
        let mut batch = sled::Batch::default();
        let mut seen = 0;
        for entry in engine.range(from.clone()..).take(CHUNK) {
            let (key, value) = entry?;
            seen += 1;
            from = key.to_vec();
            from.push(0);
            if RAW.contains(&&*key) || key.starts_with(SINGLE_NOTIFICATIONS) {
                continue;
            }
            if Encoding::of(&value)? != Encoding::Postcard {
                continue;
            }
            let shape = SHAPES
                .iter()
                .find(|(prefix, _)| key.starts_with(prefix))
                .ok_or_else(|| unknown_key(&key))?;
            let body = (shape.1)(&value[1..]).map_err(|e| at_key(&key, e))?;
            batch.insert(key, body);
            rewritten += 1;
        }
        if write {
            engine.apply_batch(batch)?;
        }
        if seen < CHUNK {
            return Ok(rewritten);
        }
    }
}

/// Moves notifications kept one per key (before pages existed) into pages
/// of [`keys::NOTIFICATIONS_PER_PAGE`], one atomic batch per audience.
/// Keys sort by audience and then by id, so each audience's run is
/// contiguous and in order. Returns how many it moved.
pub(super) fn page_single_notifications(engine: &sled::Db) -> Result<u64, StorageError> {
    let mut moved = 0;
    loop {
        // The first audience left: everything up to and including its NUL.
        let Some(first) = engine.scan_prefix(SINGLE_NOTIFICATIONS).next() else {
            return Ok(moved);
        };
        let (first, _) = first?;
        let (audience, kind, id) = audience_of(&first)?;
        let mut batch = sled::Batch::default();
        let mut notes = Vec::new();
        for entry in engine.scan_prefix(&audience) {
            let (key, value) = entry?;
            notes.push(single_notification(&key, &value)?);
            batch.remove(key);
        }
        for page in notes.chunks(keys::NOTIFICATIONS_PER_PAGE) {
            batch.insert(keys::inbox_page(kind, id, page[0].id), codec::encode(page)?);
        }
        moved += notes.len() as u64;
        engine.apply_batch(batch)?;
    }
}

/// The audience a single-key notification belongs to: the key's prefix up
/// to and including its NUL, and the audience's kind and id.
fn audience_of(key: &[u8]) -> Result<(Vec<u8>, &str, &str), StorageError> {
    let end = key
        .iter()
        .position(|&b| b == 0)
        .ok_or_else(|| unknown_key(key))?;
    let (kind, id) = std::str::from_utf8(&key[SINGLE_NOTIFICATIONS.len()..end])
        .ok()
        .and_then(|s| s.split_once('/'))
        .ok_or_else(|| unknown_key(key))?;
    Ok((key[..=end].to_vec(), kind, id))
}

/// A single-key notification, in either encoding (an upgrade cut short
/// may have rewritten it already).
fn single_notification(key: &[u8], value: &[u8]) -> Result<Notification, StorageError> {
    match Encoding::of(value)? {
        Encoding::Postcard => postcard::from_bytes(&value[1..])
            .map_err(|e| at_key(key, StorageError::Codec(e.to_string()))),
        Encoding::MessagePack => codec::decode(value).map_err(|e| at_key(key, e)),
    }
}

fn unknown_key(key: &[u8]) -> StorageError {
    StorageError::Codec(format!(
        "key {} is not one baedal writes; the upgrade stops rather than guess its shape",
        String::from_utf8_lossy(key).escape_debug()
    ))
}

fn at_key(key: &[u8], e: StorageError) -> StorageError {
    StorageError::Codec(format!(
        "{e} (under key {})",
        String::from_utf8_lossy(key).escape_debug()
    ))
}
