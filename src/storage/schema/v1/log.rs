//! Schema 1's shapes of the log's records and of the snapshots its events
//! carry (orders, stores, wallets), frozen as commit 92d62d1 wrote them.
//! Never change them.

use serde::{Deserialize, Serialize};

pub(super) type OrderId = u64;
pub(super) type Won = u64;
/// `Timestamp` was milliseconds since the epoch, as a plain integer.
pub(super) type Millis = u64;

#[derive(Serialize, Deserialize)]
pub(super) enum OrderStatus {
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
pub(super) struct LatLon {
    lat: f64,
    lon: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct OrderLine {
    menu_id: String,
    name: String,
    qty: u32,
    unit_price: Won,
}

#[derive(Serialize, Deserialize)]
pub(super) struct StatusChange {
    status: OrderStatus,
    at: Millis,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct NewOrder {
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
pub(super) struct Order {
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
pub(super) struct Revision {
    revision: u32,
    items: Vec<OrderLine>,
    amount: Won,
    discount: Won,
    delta: i64,
    transaction_id: Option<String>,
    key: u64,
}

#[derive(Serialize, Deserialize)]
pub(super) enum OrderEvent {
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
pub(super) struct MenuItem {
    id: String,
    name: String,
    price: Won,
}

#[derive(Serialize, Deserialize)]
pub(super) struct Store {
    id: String,
    name: String,
    address: String,
    lat: f64,
    lon: f64,
    open: bool,
    menu: Vec<MenuItem>,
}

#[derive(Serialize, Deserialize)]
pub(super) enum StoreEvent {
    Registered(Box<Store>),
    MenuItemSet(MenuItem),
    OpenChanged(bool),
}

#[derive(Serialize, Deserialize)]
pub(super) enum CouponStatus {
    Issued,
    Used,
    Revoked,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Coupon {
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
pub(super) struct Review {
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
pub(super) struct Wallet {
    customer_id: String,
    coupons: Vec<Coupon>,
    reviews: Vec<Review>,
}

#[derive(Serialize, Deserialize)]
pub(super) enum WalletEvent {
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
pub(super) enum Event {
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
pub(super) struct LogRecord {
    seq: u64,
    at: Millis,
    event: Event,
}
