//! Schema 1's shapes of everything else it stored (kitchen tickets,
//! payments, points, deliveries, notifications, MyPage, ratings, riders,
//! idempotency records, pending payments and revisions, the sandbox's
//! books), frozen as commit 92d62d1 wrote them. Never change them.

use super::log::{LatLon, Millis, OrderId, OrderLine, OrderStatus, Revision, StatusChange, Won};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub(super) enum TicketStatus {
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
pub(super) struct Ticket {
    order_id: OrderId,
    store_id: String,
    customer_id: String,
    items: Vec<OrderLine>,
    status: TicketStatus,
    reject_reason: Option<String>,
    updated_at: Millis,
}

#[derive(Serialize, Deserialize)]
pub(super) enum PaymentStatus {
    Pending,
    Approved,
    Declined,
    Failed,
    Refunded,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PaymentRevision {
    revision: u32,
    delta: i64,
    transaction_id: Option<String>,
    at: Millis,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Payment {
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
pub(super) enum PointsReason {
    Earned,
    Adjusted,
    Revoked,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PointsChange {
    order_id: OrderId,
    delta: i64,
    reason: PointsReason,
    at: Millis,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Points {
    customer_id: String,
    balance: u64,
    history: Vec<PointsChange>,
}

#[derive(Serialize, Deserialize)]
pub(super) enum DeliveryStatus {
    Pending,
    Ready,
    PickedUp,
    Delivered,
    Canceled,
}

#[derive(Serialize, Deserialize)]
pub(super) struct Dropoff {
    lat: f64,
    lon: f64,
    address: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Delivery {
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
pub(super) struct Notification {
    pub(super) id: u64,
    order_id: OrderId,
    status: String,
    message: String,
    at: Millis,
}

/// A notification queued for (or refused by) the webhook.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WebhookDelivery {
    audience: String,
    audience_id: String,
    notification: Notification,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MyPage {
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
pub(super) struct Rating {
    store_id: String,
    average: f64,
    count: u64,
    distribution: [u64; 5],
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Rider {
    id: String,
    on_duty: bool,
    location: Option<LatLon>,
    updated_at: Option<Millis>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ItemRequest {
    menu_id: String,
    qty: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct OrderRequest {
    customer_id: String,
    store_id: String,
    items: Vec<ItemRequest>,
    address: String,
    lat: Option<f64>,
    lon: Option<f64>,
    coupon_id: Option<String>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct IdempotencyRecord {
    request: OrderRequest,
    order_id: OrderId,
}

/// What a checkout is about to charge (`actors::order::placement::Draft`).
#[derive(Serialize, Deserialize)]
pub(super) struct Draft {
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
pub(super) struct PendingPayment {
    draft: Draft,
    abandoned: bool,
}

#[derive(Serialize, Deserialize)]
pub(super) struct PendingRevision {
    revision: Revision,
    customer_id: String,
    requested_at: Millis,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GatewayCharge {
    transaction_id: String,
    amount: Won,
    refunded: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GatewayAdjustment {
    delta: i64,
    transaction_id: String,
}
