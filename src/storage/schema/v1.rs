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

use super::super::codec::{self, Encoding};
use super::super::{keys, StorageError};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

type OrderId = u64;
type Won = u64;
/// `Timestamp` was milliseconds since the epoch, as a plain integer.
type Millis = u64;

#[derive(Serialize, Deserialize)]
enum OrderStatus {
    Placed,
    Accepted,
    Rejected,
    Canceled,
    Cooking,
    Cooked,
    PickedUp,
    Delivered,
    Completed,
}

#[derive(Serialize, Deserialize)]
struct LatLon {
    lat: f64,
    lon: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderLine {
    menu_id: String,
    name: String,
    qty: u32,
    unit_price: Won,
}

#[derive(Serialize, Deserialize)]
struct StatusChange {
    status: OrderStatus,
    at: Millis,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewOrder {
    id: OrderId,
    customer_id: String,
    store_id: String,
    store_name: String,
    pickup: LatLon,
    items: Vec<OrderLine>,
    amount: Won,
    discount: Won,
    coupon_id: Option<String>,
    address: String,
    dropoff: LatLon,
    transaction_id: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Order {
    id: OrderId,
    customer_id: String,
    store_id: String,
    store_name: String,
    items: Vec<OrderLine>,
    amount: Won,
    discount: Won,
    coupon_id: Option<String>,
    address: String,
    lat: f64,
    lon: f64,
    pickup: LatLon,
    status: OrderStatus,
    rider_id: Option<String>,
    reject_reason: Option<String>,
    transaction_id: String,
    history: Vec<StatusChange>,
    revision: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Revision {
    revision: u32,
    items: Vec<OrderLine>,
    amount: Won,
    discount: Won,
    delta: i64,
    transaction_id: Option<String>,
    key: u64,
}

#[derive(Serialize, Deserialize)]
enum OrderEvent {
    Placed(Box<NewOrder>),
    Accepted,
    Rejected { reason: String },
    Canceled,
    CookStarted,
    CookFinished,
    DeliveryPicked { rider_id: String },
    DeliveryCompleted { rider_id: String },
    Completed,
    Revised(Box<Revision>),
}

#[derive(Serialize, Deserialize)]
struct MenuItem {
    id: String,
    name: String,
    price: Won,
}

#[derive(Serialize, Deserialize)]
struct Store {
    id: String,
    name: String,
    address: String,
    lat: f64,
    lon: f64,
    open: bool,
    menu: Vec<MenuItem>,
}

#[derive(Serialize, Deserialize)]
enum StoreEvent {
    Registered(Box<Store>),
    MenuItemSet(MenuItem),
    OpenChanged(bool),
}

#[derive(Serialize, Deserialize)]
enum CouponStatus {
    Issued,
    Used,
    Revoked,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Coupon {
    id: String,
    customer_id: String,
    amount: Won,
    status: CouponStatus,
    review_id: Option<u64>,
    order_id: Option<OrderId>,
    issued_at: Millis,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Review {
    id: u64,
    order_id: OrderId,
    customer_id: String,
    store_id: String,
    rating: u8,
    text: String,
    coupon_id: String,
    at: Millis,
}

#[derive(Serialize, Deserialize)]
struct Wallet {
    customer_id: String,
    coupons: Vec<Coupon>,
    reviews: Vec<Review>,
}

#[derive(Serialize, Deserialize)]
enum WalletEvent {
    CouponUsed {
        coupon_id: String,
        order_id: OrderId,
        discount: Won,
    },
    CouponRestored {
        coupon_id: String,
        order_id: OrderId,
    },
    ReviewWritten {
        review: Review,
        coupon: Coupon,
    },
    ReviewDeleted {
        review: Review,
        coupon_id: String,
    },
}

#[derive(Serialize, Deserialize)]
enum Event {
    Order {
        order_id: OrderId,
        customer_id: String,
        store_id: String,
        event: OrderEvent,
    },
    Store {
        store_id: String,
        event: StoreEvent,
    },
    Wallet {
        customer_id: String,
        event: WalletEvent,
    },
    CheckoutAbandoned {
        order_id: OrderId,
        customer_id: String,
        coupon_id: Option<String>,
    },
}

#[derive(Serialize, Deserialize)]
struct LogRecord {
    seq: u64,
    at: Millis,
    event: Event,
}

#[derive(Serialize, Deserialize)]
enum TicketStatus {
    Requested,
    Accepted,
    Rejected,
    Canceled,
    Cooking,
    Cooked,
    HandedOver,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Ticket {
    order_id: OrderId,
    store_id: String,
    customer_id: String,
    items: Vec<OrderLine>,
    status: TicketStatus,
    reject_reason: Option<String>,
    updated_at: Millis,
}

#[derive(Serialize, Deserialize)]
enum PaymentStatus {
    Pending,
    Approved,
    Declined,
    Failed,
    Refunded,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaymentRevision {
    revision: u32,
    delta: i64,
    transaction_id: Option<String>,
    at: Millis,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payment {
    order_id: OrderId,
    customer_id: String,
    amount: Won,
    status: PaymentStatus,
    transaction_id: Option<String>,
    requested_at: Millis,
    approved_at: Option<Millis>,
    refunded_at: Option<Millis>,
    decline_reason: Option<String>,
    revisions: Vec<PaymentRevision>,
}

#[derive(Serialize, Deserialize)]
enum PointsReason {
    Earned,
    Adjusted,
    Revoked,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PointsChange {
    order_id: OrderId,
    delta: i64,
    reason: PointsReason,
    at: Millis,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Points {
    customer_id: String,
    balance: u64,
    history: Vec<PointsChange>,
}

#[derive(Serialize, Deserialize)]
enum DeliveryStatus {
    Pending,
    Ready,
    PickedUp,
    Delivered,
    Canceled,
}

#[derive(Serialize, Deserialize)]
struct Dropoff {
    lat: f64,
    lon: f64,
    address: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Delivery {
    order_id: OrderId,
    store_id: String,
    store_name: String,
    customer_id: String,
    status: DeliveryStatus,
    rider_id: Option<String>,
    pickup: LatLon,
    dropoff: Dropoff,
    distance_km: f64,
    updated_at: Millis,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    id: u64,
    order_id: OrderId,
    status: String,
    message: String,
    at: Millis,
}

/// A notification queued for (or refused by) the webhook.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WebhookDelivery {
    audience: String,
    audience_id: String,
    notification: Notification,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MyPage {
    order_id: OrderId,
    customer_id: String,
    store_id: String,
    store_name: String,
    amount: Won,
    status: OrderStatus,
    rider_id: Option<String>,
    updated_at: Millis,
    history: Vec<StatusChange>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rating {
    store_id: String,
    average: f64,
    count: u64,
    distribution: [u64; 5],
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rider {
    id: String,
    on_duty: bool,
    location: Option<LatLon>,
    updated_at: Option<Millis>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemRequest {
    menu_id: String,
    qty: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderRequest {
    customer_id: String,
    store_id: String,
    items: Vec<ItemRequest>,
    address: String,
    lat: Option<f64>,
    lon: Option<f64>,
    coupon_id: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct IdempotencyRecord {
    request: OrderRequest,
    order_id: OrderId,
}

/// What a checkout is about to charge (`actors::order::placement::Draft`).
#[derive(Serialize, Deserialize)]
struct Draft {
    customer_id: String,
    store_id: String,
    store_name: String,
    pickup: LatLon,
    items: Vec<OrderLine>,
    amount: Won,
    discount: Won,
    coupon_id: Option<String>,
    address: String,
    dropoff: LatLon,
}

#[derive(Serialize, Deserialize)]
struct PendingPayment {
    draft: Draft,
    abandoned: bool,
}

#[derive(Serialize, Deserialize)]
struct PendingRevision {
    revision: Revision,
    customer_id: String,
    requested_at: Millis,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GatewayCharge {
    transaction_id: String,
    amount: Won,
    refunded: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GatewayAdjustment {
    delta: i64,
    transaction_id: String,
}

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
        engine.apply_batch(batch)?;
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
        let end = first
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| unknown_key(&first))?;
        let audience = first[..=end].to_vec();
        let (kind, id) = std::str::from_utf8(&audience[SINGLE_NOTIFICATIONS.len()..end])
            .ok()
            .and_then(|s| s.split_once('/'))
            .ok_or_else(|| unknown_key(&first))?;
        let mut batch = sled::Batch::default();
        let mut notes = Vec::new();
        for entry in engine.scan_prefix(&audience) {
            let (key, value) = entry?;
            let note: Notification = match Encoding::of(&value)? {
                Encoding::Postcard => postcard::from_bytes(&value[1..])
                    .map_err(|e| at_key(&key, StorageError::Codec(e.to_string())))?,
                Encoding::MessagePack => codec::decode(&value)?,
            };
            notes.push(note);
            batch.remove(key);
        }
        for page in notes.chunks(keys::NOTIFICATIONS_PER_PAGE) {
            batch.insert(keys::inbox_page(kind, id, page[0].id), codec::encode(page)?);
        }
        moved += notes.len() as u64;
        engine.apply_batch(batch)?;
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
