//! Webhook endpoints through the API: register one (its secret shown once),
//! list and read the caller's own, delete one, read its attempts, and
//! redeliver an attempt's message. Who may is `domain::webhooks`' rule: an
//! owner's endpoints are theirs, an operator sees all; another's is a 404.

use super::sender::shown_secret;
use super::{Attempt, OutboxMessage};
use crate::domain::access::Principal;
use crate::domain::paging::{Page, PageRequest};
use crate::domain::webhooks::{Endpoint, Scope, MAX_ENDPOINTS_PER_ACCOUNT};
use crate::domain::{DomainError, Timestamp};
use crate::error::{AppError, AppResult};
use crate::storage::{keys, Db, WriteBatch};
use serde::Serialize;

/// Bytes of a new signing secret (Standard Webhooks asks 24 to 64).
const SECRET_BYTES: usize = 32;

/// An endpoint as the API shows it (never its secret, but once).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EndpointView {
    pub id: u64,
    pub url: String,
    pub types: Vec<String>,
    pub scope: Scope,
    pub created_at: Timestamp,
    /// Messages waiting to be sent.
    pub waiting: usize,
    /// `whsec_<base64>`: only in the answer that registered it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl EndpointView {
    fn of(db: &Db, endpoint: &Endpoint) -> AppResult<Self> {
        Ok(EndpointView {
            id: endpoint.id,
            url: endpoint.url.clone(),
            types: endpoint.types.clone(),
            scope: endpoint.scope,
            created_at: endpoint.created_at,
            waiting: db.scan_keys(&keys::webhook_outbox(endpoint.id)).count(),
            secret: None,
        })
    }
}

fn not_found(id: u64) -> AppError {
    DomainError::NotFound {
        what: format!("webhook endpoint {id}"),
    }
    .into()
}

/// The endpoint `id`, if `by` may see it.
fn visible(db: &Db, by: &Principal, id: u64) -> AppResult<Endpoint> {
    db.get::<Endpoint>(&keys::webhook_endpoint(id))?
        .filter(|e| e.visible_to(by))
        .ok_or_else(|| not_found(id))
}

/// The endpoints `by` may see.
fn all_visible(db: &Db, by: &Principal) -> AppResult<Vec<Endpoint>> {
    let mut mine = Vec::new();
    for entry in db.scan::<Endpoint>(keys::WEBHOOK_ENDPOINTS) {
        let (_, endpoint) = entry?;
        if endpoint.visible_to(by) {
            mine.push(endpoint);
        }
    }
    Ok(mine)
}

/// Registers an endpoint for `by` (an owner: their stores' events; an
/// operator: every order's); answers it with its secret, shown this once.
///
/// Errors: 403 for others; 422 for a bad URL or type, or past
/// [`MAX_ENDPOINTS_PER_ACCOUNT`].
pub async fn register(
    db: &Db,
    by: &Principal,
    url: String,
    types: Vec<String>,
) -> AppResult<EndpointView> {
    let (account, scope) = Endpoint::scope_for(by)?;
    Endpoint::validate(&url, &types)?;
    let theirs = all_visible(db, by)?
        .into_iter()
        .filter(|e| e.account == account)
        .count();
    if theirs >= MAX_ENDPOINTS_PER_ACCOUNT {
        return Err(DomainError::Invalid {
            field: "url",
            reason: format!("cannot be added: an account has at most {MAX_ENDPOINTS_PER_ACCOUNT} endpoints; delete one first"),
        }
        .into());
    }
    let mut secret = vec![0u8; SECRET_BYTES];
    getrandom::getrandom(&mut secret)
        .map_err(|e| AppError::Internal(format!("no randomness for a secret: {e}")))?;
    let endpoint = Endpoint {
        id: db.next_id()?,
        url,
        types,
        account,
        scope,
        secret,
        created_at: Timestamp::now(),
    };
    let mut batch = WriteBatch::new();
    batch.put(keys::webhook_endpoint(endpoint.id), &endpoint)?;
    // The secret is shown only once the endpoint is surely stored.
    db.acknowledged(db.commit(batch)?).await?;
    let mut view = EndpointView::of(db, &endpoint)?;
    view.secret = Some(shown_secret(&endpoint.secret));
    Ok(view)
}

/// The endpoints `by` may see.
pub fn list(db: &Db, by: &Principal) -> AppResult<Vec<EndpointView>> {
    all_visible(db, by)?
        .iter()
        .map(|e| EndpointView::of(db, e))
        .collect()
}

/// One endpoint `by` may see.
pub fn get(db: &Db, by: &Principal, id: u64) -> AppResult<EndpointView> {
    EndpointView::of(db, &visible(db, by, id)?)
}

/// Deletes an endpoint `by` may see, with its outbox and attempts.
pub async fn delete(db: &Db, by: &Principal, id: u64) -> AppResult<()> {
    visible(db, by, id)?;
    let mut batch = WriteBatch::new();
    batch.remove(keys::webhook_endpoint(id));
    for prefix in [keys::webhook_outbox(id), keys::webhook_attempts(id)] {
        for key in db.scan_keys(&prefix) {
            batch.remove(key?);
        }
    }
    db.acknowledged(db.commit(batch)?).await?;
    Ok(())
}

/// A page of an endpoint's attempts, newest first.
pub fn attempts(db: &Db, by: &Principal, id: u64, page: &PageRequest) -> AppResult<Page<Attempt>> {
    visible(db, by, id)?;
    let mut all: Vec<Attempt> = db
        .scan::<Attempt>(&keys::webhook_attempts(id))
        .map(|e| e.map(|(_, a)| a))
        .collect::<Result<_, _>>()?;
    all.reverse();
    let after: Option<u64> = page.after.as_deref().and_then(|a| a.parse().ok());
    let items: Vec<Attempt> = all
        .into_iter()
        .filter(|a| after.is_none_or(|after| a.id < after))
        .take(page.limit + 1)
        .collect();
    Ok(Page::of(items, page.limit, |a| a.id.to_string()))
}

/// Puts attempt `attempt`'s message in the endpoint's outbox again (same id
/// and body: the receiver sees a duplicate it may drop); answers the
/// attempt.
pub async fn redeliver(db: &Db, by: &Principal, id: u64, attempt: u64) -> AppResult<Attempt> {
    visible(db, by, id)?;
    let tried = db
        .get::<Attempt>(&keys::webhook_attempt(id, attempt))?
        .ok_or_else(|| DomainError::NotFound {
            what: format!("attempt {attempt} of webhook endpoint {id}"),
        })?;
    let seq = tried
        .message_id
        .strip_prefix("msg_")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let again = OutboxMessage {
        message_id: tried.message_id.clone(),
        event_type: tried.event_type.clone(),
        body: tried.body.clone(),
        queued_at: Timestamp::now(),
    };
    // Keyed by its event: it goes ahead of newer messages still waiting.
    let mut batch = WriteBatch::new();
    batch.put(keys::webhook_outboxed(id, seq, db.next_id()?), &again)?;
    db.acknowledged(db.commit(batch)?).await?;
    Ok(tried)
}
