//! The webhook outbox: puts each order event's message
//! (`domain::webhooks::message`) in the outbox of every endpoint that wants
//! it. The notifier projection calls it, so the outbox is written in the
//! commit that advances the notifier's offset (no subscriber of its own: a
//! subscriber costs a pump and a commit per delivery, at every order). An
//! owner's endpoint wants the events of the stores they own when it
//! happens; an endpoint of an account disabled or closed wants nothing.

use super::OutboxMessage;
use crate::domain::account::{Account, AccountStatus};
use crate::domain::webhooks::{self, Endpoint, Scope};
use crate::domain::LogRecord;
use crate::error::AppResult;
use crate::storage::{keys, Db, Staged};

/// The outbox, as the notifier fills it.
pub struct WebhookOutbox {
    db: Db,
}

impl WebhookOutbox {
    pub fn new(db: Db) -> Self {
        WebhookOutbox { db }
    }

    /// Stages the message of `record` for every endpoint that wants it.
    pub fn apply(&mut self, record: &LogRecord, staged: &mut Staged<'_>) -> AppResult<()> {
        let Some((store, message)) = webhooks::message(record) else {
            return Ok(());
        };
        let mut body = None;
        for entry in self.db.scan::<Endpoint>(keys::WEBHOOK_ENDPOINTS) {
            let (_, endpoint) = entry?;
            if !endpoint.wants(&message.event_type) {
                continue;
            }
            // A disabled or closed account's endpoints get nothing more.
            let active = self
                .db
                .get::<Account>(&keys::account(&endpoint.account))?
                .is_some_and(|a| a.status == AccountStatus::Active);
            if !active {
                continue;
            }
            if endpoint.scope == Scope::OwnStores
                && !self
                    .db
                    .contains(&keys::owned_store(&endpoint.account, &store))?
            {
                continue;
            }
            let body = match &body {
                Some(body) => body,
                None => body.insert(serde_json::to_string(&message).map_err(|e| {
                    crate::error::AppError::Internal(format!("a webhook message: {e}"))
                })?),
            };
            let queued = OutboxMessage {
                message_id: message.id.clone(),
                event_type: message.event_type.clone(),
                body: body.clone(),
                queued_at: record.at,
            };
            staged.put(keys::webhook_outboxed(endpoint.id, record.seq, 0), &queued)?;
        }
        Ok(())
    }
}
