//! Webhooks for integrators (issue 13), after the Standard Webhooks
//! specification: endpoints registered through the API (`endpoints`), the
//! outbox the notifier projection fills from the log for each endpoint that wants an
//! event (`outbox`), and the sender that signs and POSTs each message,
//! over https through rustls, keeping every attempt (`sender`).
//!
//! A message is sent at least once: its id (`msg_<log sequence>`) stays the
//! same across retries, redeliveries and restarts, for the receiver to
//! drop duplicates. This sits beside the older `--webhook-url`
//! (`reactions::webhook`), which POSTs the notifications unsigned.

pub mod endpoints;
pub mod outbox;
pub mod sender;

use serde::{Deserialize, Serialize};

/// A message waiting in an endpoint's outbox: its id and type, and the body
/// exactly as it is sent (and signed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxMessage {
    pub message_id: String,
    pub event_type: String,
    pub body: String,
    /// When it was put in the outbox: past [`sender::GIVE_UP_AFTER`] of
    /// failures it is given up.
    #[serde(default)]
    pub queued_at: crate::domain::Timestamp,
}

/// One attempt to send a message, as `GET /webhooks/{id}/attempts` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub id: u64,
    pub message_id: String,
    pub event_type: String,
    pub at: crate::domain::Timestamp,
    /// The receiver's HTTP status; `None` if it did not answer.
    pub status: Option<u16>,
    /// Why it failed, if it did.
    pub error: Option<String>,
    pub duration_ms: u64,
    /// What came of it.
    pub outcome: Outcome,
    /// The body sent, for a redelivery.
    pub body: String,
}

/// What came of an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Outcome {
    /// 2xx: the message left the outbox.
    Delivered,
    /// It stays in the outbox and is tried again later.
    Retrying,
    /// Refused for good (a 4xx but 408 and 429): it left the outbox;
    /// redeliver it by hand once the receiver is fixed.
    GaveUp,
}
