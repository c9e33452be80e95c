//! The webhook ("KakaoTalk" channel): every notification is POSTed, in
//! order, to a configured URL from a durable queue the notifier fills in the
//! same batch as the notification itself. A failed POST is retried with
//! backoff until it succeeds, so a receiver down for a while loses nothing,
//! and a crash only means a POST may be repeated (at least once).

use crate::domain::notification::{Audience, Notification};
use crate::storage::{keys, Db, WriteBatch};
use crate::supervision::Backoff;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How long one POST may take.
const POST_TIMEOUT: Duration = Duration::from_secs(5);

/// A notification queued for the webhook, as it is POSTed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuedNotification {
    /// `customer`, `store` or `rider`.
    pub audience: String,
    pub audience_id: String,
    pub notification: Notification,
}

impl QueuedNotification {
    pub fn new(audience: &Audience, notification: &Notification) -> Self {
        QueuedNotification {
            audience: audience.kind().to_string(),
            audience_id: audience.id().to_string(),
            notification: notification.clone(),
        }
    }
}

/// A 4xx other than 408 (timeout) and 429 (slow down) will not get better
/// by retrying.
fn is_permanent(status: u16) -> bool {
    (400..500).contains(&status) && status != 408 && status != 429
}

/// Starts delivering the queue to `url` on the current arbiter.
pub fn spawn(db: Db, url: String) {
    actix_rt::spawn(async move {
        let client = awc::Client::builder().timeout(POST_TIMEOUT).finish();
        let mut horizon = db.horizon();
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(10));
        loop {
            horizon.borrow_and_update();
            let next = db.scan::<QueuedNotification>(keys::WEBHOOK_QUEUE).next();
            let (key, delivery) = match next {
                None => {
                    if horizon.changed().await.is_err() {
                        return;
                    }
                    continue;
                }
                Some(Ok(entry)) => entry,
                Some(Err(e)) => {
                    tracing::error!(error = %e, "cannot read the webhook queue");
                    backoff.wait().await;
                    continue;
                }
            };
            match client.post(&url).send_json(&delivery).await {
                Ok(res) if res.status().is_success() => {
                    let mut batch = WriteBatch::new();
                    batch.remove(key);
                    match db.commit(batch) {
                        Ok(_) => backoff.reset(),
                        // Storage refuses writes: wait rather than POST the
                        // same notification again at once.
                        Err(e) => {
                            tracing::error!(error = %e, "cannot dequeue a delivered notification");
                            backoff.wait().await;
                        }
                    }
                }
                // Refused for good (a malformed or unwanted request): keep it
                // aside and go on, rather than block everything after it.
                Ok(res) if is_permanent(res.status().as_u16()) => {
                    let status = res.status().as_u16();
                    tracing::error!(
                        status,
                        id = delivery.notification.id,
                        "webhook refused a notification for good; set aside"
                    );
                    let mut batch = WriteBatch::new();
                    batch.remove(key.clone());
                    if let Err(e) = batch
                        .put(keys::webhook_dead(&key), &delivery)
                        .map_err(|e| e.to_string())
                        .and_then(|()| db.commit(batch).map_err(|e| e.to_string()))
                    {
                        tracing::error!(error = %e, "cannot set a refused notification aside");
                        backoff.wait().await;
                    }
                }
                Ok(res) => {
                    tracing::warn!(
                        status = res.status().as_u16(),
                        tries = backoff.failures() + 1,
                        "webhook refused a notification; retrying"
                    );
                    backoff.wait().await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, tries = backoff.failures() + 1, "webhook unreachable; retrying");
                    backoff.wait().await;
                }
            }
        }
    });
}
