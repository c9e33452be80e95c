//! The events recorded in the append-only log, and the log's records.

use super::access::Cause;
use super::order::OrderEvent;
use super::store::StoreEvent;
use super::time::Timestamp;
use super::wallet::WalletEvent;
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
    Wallet {
        customer_id: String,
        event: WalletEvent,
    },
    /// A checkout ended without an order (declined, failed, or charged and
    /// refunded): whatever it reserved (a coupon) is given back.
    CheckoutAbandoned {
        order_id: OrderId,
        customer_id: String,
        coupon_id: Option<String>,
    },
}

/// An order's event, with the ids subscribers route it by.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OrderEventOf<'a> {
    pub order_id: OrderId,
    pub customer_id: &'a str,
    pub store_id: &'a str,
    pub event: &'a OrderEvent,
}

impl Event {
    /// The order event this is, if it is one.
    pub fn as_order(&self) -> Option<OrderEventOf<'_>> {
        match self {
            Event::Order {
                order_id,
                customer_id,
                store_id,
                event,
            } => Some(OrderEventOf {
                order_id: *order_id,
                customer_id,
                store_id,
                event,
            }),
            _ => None,
        }
    }
}

/// One entry of the log: its sequence number, when and what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogRecord {
    pub seq: u64,
    pub at: Timestamp,
    pub event: Event,
    /// Who caused it (since schema 3; `None` in older records).
    #[serde(default)]
    pub by: Option<Cause>,
}
