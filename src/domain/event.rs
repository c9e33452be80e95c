//! The events recorded in the append-only log, and the log's records.

use super::order::OrderEvent;
use super::store::StoreEvent;
use super::time::Timestamp;
use super::OrderId;
use serde::{Deserialize, Serialize};

/// Anything that happened, with what subscribers need to route it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
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
}

/// One entry of the log: its sequence number, when and what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogRecord {
    pub seq: u64,
    pub at: Timestamp,
    pub event: Event,
}
