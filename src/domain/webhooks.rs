//! Webhook endpoints for integrators, after the Standard Webhooks
//! specification (standardwebhooks.com): an endpoint an owner registers
//! for their stores' order events (a POS) or an operator for every order;
//! the message each order event makes (`{id, type, timestamp, data}`,
//! dotted types); and what its signature covers. The signing itself and
//! the sending are `actors::webhooks`'.

use super::access::Principal;
use super::error::DomainError;
use super::event::{LogRecord, OrderEventOf};
use super::ids::validate_text;
use super::order::OrderEvent;
use super::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Every message type, as `types` may name them.
pub const EVENT_TYPES: [&str; 12] = [
    "order.placed",
    "order.revised",
    "order.accept_reminded",
    "order.accepted",
    "order.rejected",
    "order.canceled",
    "order.delayed",
    "order.cooking_started",
    "order.cooked",
    "order.picked_up",
    "order.delivered",
    "order.completed",
];

/// Longest endpoint URL accepted.
pub const MAX_URL_CHARS: usize = 2_000;
/// Most endpoints one account may register.
pub const MAX_ENDPOINTS_PER_ACCOUNT: usize = 10;

/// Whose order events an endpoint receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Scope {
    /// Its owner's stores' (the stores they own when the event happens).
    OwnStores,
    /// Every order's (an operator's).
    All,
}

/// A registered endpoint (`POST /webhooks`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub id: u64,
    pub url: String,
    /// The message types it wants; empty: every type.
    pub types: Vec<String>,
    /// The account that registered it.
    pub account: String,
    pub scope: Scope,
    /// The signing secret's bytes (the API shows it once, as `whsec_…`).
    pub secret: Vec<u8>,
    pub created_at: Timestamp,
}

impl Endpoint {
    /// Checks what a caller asks to register, and whose it will be.
    ///
    /// Errors: 403 for anyone but a store owner or an operator; 422 for a
    /// URL that is not `http(s)://host…`, or a type not in
    /// [`EVENT_TYPES`].
    pub fn scope_for(by: &Principal) -> Result<(String, Scope), DomainError> {
        match by {
            Principal::Owner { id, .. } => Ok((id.clone(), Scope::OwnStores)),
            Principal::Operator(id) => Ok((id.clone(), Scope::All)),
            _ => Err(super::access::forbidden(
                by,
                "register",
                "a webhook endpoint".into(),
                "a store owner or an operator",
            )),
        }
    }

    /// Checks an endpoint's URL and types.
    pub fn validate(url: &str, types: &[String]) -> Result<(), DomainError> {
        validate_text("url", url, MAX_URL_CHARS)?;
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
        match host {
            Some(host)
                if !host.is_empty()
                    && !host.contains('@')
                    && !url.contains(char::is_whitespace) => {}
            _ => {
                return Err(DomainError::Invalid {
                    field: "url",
                    reason: "must be http:// or https:// and a host, with no credentials in it"
                        .into(),
                })
            }
        }
        if let Some(unknown) = types.iter().find(|t| !EVENT_TYPES.contains(&t.as_str())) {
            return Err(DomainError::Invalid {
                field: "types",
                reason: format!(
                    "names {unknown:?}; the types are {}",
                    EVENT_TYPES.join(", ")
                ),
            });
        }
        Ok(())
    }

    /// Whether `by` may see and manage it (else it does not exist for
    /// them): the account that registered it, and operators.
    pub fn visible_to(&self, by: &Principal) -> bool {
        matches!(by, Principal::Operator(_) | Principal::System)
            || (matches!(by, Principal::Owner { .. }) && by.id() == self.account)
    }

    /// Whether it wants messages of `event_type`.
    pub fn wants(&self, event_type: &str) -> bool {
        self.types.is_empty() || self.types.iter().any(|t| t == event_type)
    }
}

/// One message, as its body is sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// `msg_<log sequence>`: the same for every attempt and redelivery, for
    /// the receiver to drop duplicates.
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the event happened.
    pub timestamp: Timestamp,
    pub data: Value,
}

/// The dotted type of an order event.
pub fn event_type(event: &OrderEvent) -> &'static str {
    match event {
        OrderEvent::Placed(_) => "order.placed",
        OrderEvent::Revised(_) => "order.revised",
        OrderEvent::AcceptReminded { .. } => "order.accept_reminded",
        OrderEvent::Accepted { .. } => "order.accepted",
        OrderEvent::Rejected { .. } => "order.rejected",
        OrderEvent::Canceled { .. } => "order.canceled",
        OrderEvent::Delayed { .. } => "order.delayed",
        OrderEvent::CookStarted => "order.cooking_started",
        OrderEvent::CookFinished => "order.cooked",
        OrderEvent::DeliveryPicked { .. } => "order.picked_up",
        OrderEvent::DeliveryCompleted { .. } => "order.delivered",
        OrderEvent::Completed => "order.completed",
    }
}

/// The message a log record makes, with the store it concerns; `None` for
/// what is not an order event. Its data is what a store's system needs: no
/// customer id and never the note for the rider.
pub fn message(record: &LogRecord) -> Option<(String, Message)> {
    let OrderEventOf {
        order_id,
        store_id,
        event,
        ..
    } = record.event.as_order()?;
    let mut data = json!({
        "orderId": order_id,
        "storeId": store_id,
        "status": event.status().map(|s| s.as_str()),
    });
    let extra = match event {
        OrderEvent::Placed(new) => json!({
            "items": new.items,
            "amount": new.amount,
            "deliveryFee": new.fees.delivery_won,
            "storeNote": new.notes.for_store,
            "acceptBy": new.accept.map(|a| a.deadline(record.at)),
        }),
        OrderEvent::Revised(r) => json!({ "items": r.items, "amount": r.amount }),
        OrderEvent::AcceptReminded { accept_by } => json!({ "acceptBy": accept_by }),
        OrderEvent::Accepted {
            cooking_minutes,
            ready_by,
            estimated_delivery_at,
        } => json!({
            "cookingMinutes": cooking_minutes,
            "readyBy": ready_by,
            "estimatedDeliveryAt": estimated_delivery_at,
        }),
        OrderEvent::Delayed {
            minutes,
            ready_by,
            estimated_delivery_at,
        } => json!({
            "minutes": minutes,
            "readyBy": ready_by,
            "estimatedDeliveryAt": estimated_delivery_at,
        }),
        OrderEvent::Rejected { code, .. } => json!({ "reason": code.map(|c| c.code()) }),
        OrderEvent::Canceled { code, .. } => json!({ "reason": code.map(|c| c.code()) }),
        OrderEvent::DeliveryPicked { rider_id } | OrderEvent::DeliveryCompleted { rider_id } => {
            json!({ "riderId": rider_id })
        }
        OrderEvent::CookStarted | OrderEvent::CookFinished | OrderEvent::Completed => json!({}),
    };
    if let (Some(data), Value::Object(extra)) = (data.as_object_mut(), extra) {
        data.extend(extra);
    }
    let message = Message {
        id: format!("msg_{}", record.seq),
        event_type: event_type(event).to_string(),
        timestamp: record.at,
        data,
    };
    Some((store_id.to_string(), message))
}

/// What a signature covers (Standard Webhooks): `{id}.{timestamp}.{body}`,
/// the timestamp in whole seconds since the epoch.
pub fn signed_content(id: &str, timestamp_secs: u64, body: &str) -> String {
    format!("{id}.{timestamp_secs}.{body}")
}

#[cfg(test)]
#[path = "webhooks_tests.rs"]
mod tests;
