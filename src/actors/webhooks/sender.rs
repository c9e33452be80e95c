//! The webhook sender: POSTs each endpoint's outbox in order, signed
//! (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
//! `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`),
//! over https through rustls with the Mozilla roots (`webpki-roots`) and
//! any an operator adds (`--webhook-ca-file`), following no redirect.
//! Every attempt is kept (the last [`ATTEMPTS_KEPT`] per endpoint). Each
//! endpoint has its own task: a failing one waits its own backoff (0.5 s
//! doubling to a minute) and never holds up another; a message failing for
//! [`GIVE_UP_AFTER`] is given up, so a dead endpoint's outbox stops growing
//! older than that.

use super::{Attempt, OutboxMessage, Outcome};
use crate::domain::webhooks::{signed_content, Endpoint};
use crate::domain::Timestamp;
use crate::storage::{keys, Db, StorageError, WriteBatch};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long one POST may take.
const POST_TIMEOUT: Duration = Duration::from_secs(5);
/// Attempts kept per endpoint (older ones go).
pub const ATTEMPTS_KEPT: usize = 100;
/// Waits between tries of a failing endpoint: doubling from the first, up
/// to the last.
const FIRST_RETRY: Duration = Duration::from_millis(500);
const LAST_RETRY: Duration = Duration::from_secs(60);

/// `v1,<base64 of HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>`.
pub fn signature(secret: &[u8], id: &str, timestamp_secs: u64, body: &str) -> String {
    // Invariant: HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(signed_content(id, timestamp_secs, body).as_bytes());
    let tag = mac.finalize().into_bytes();
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(tag)
    )
}

/// A secret as the API shows it: `whsec_<base64>`.
pub fn shown_secret(secret: &[u8]) -> String {
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(secret)
    )
}

/// The TLS settings of the sender: rustls with ring, the Mozilla roots and
/// those of `extra_roots` (a PEM file), HTTP/1.1.
pub fn tls_config(extra_roots: Option<&std::path::Path>) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = extra_roots {
        let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        for cert in rustls_pemfile::certs(&mut std::io::BufReader::new(file)) {
            let cert = cert.map_err(|e| format!("{}: {e}", path.display()))?;
            roots
                .add(cert)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec!["http/1.1".as_bytes().to_vec()];
    Ok(config)
}

/// A 4xx other than 408 (timeout) and 429 (slow down) will not get better
/// by retrying.
fn is_permanent(status: u16) -> bool {
    (400..500).contains(&status) && status != 408 && status != 429
}

/// How often new endpoints are looked for: a new endpoint gets its first
/// message at most this late. (Not on every write: with no endpoint, the
/// sender costs nothing per order.)
const FIND_ENDPOINTS_EVERY: Duration = Duration::from_secs(1);

/// How long a message is retried before it is given up (Standard
/// Webhooks' reference schedule ends after about three days).
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(3 * 24 * 3_600);

/// Starts sending on the current arbiter: one task per endpoint, each
/// started when its endpoint appears and ending when it goes, so a slow or
/// failing endpoint waits alone.
pub fn spawn(db: Db, tls: rustls::ClientConfig) {
    actix_rt::spawn(async move {
        let client = awc::Client::builder()
            .connector(awc::Connector::new().rustls_0_23(Arc::new(tls)))
            .timeout(POST_TIMEOUT)
            // A redirect could send the signed body anywhere.
            .disable_redirects()
            .finish();
        let running: Rc<RefCell<HashSet<u64>>> = Rc::default();
        let mut ticks = tokio::time::interval(FIND_ENDPOINTS_EVERY);
        loop {
            ticks.tick().await;
            // Storage that refuses writes cannot record an attempt, and
            // after an I/O error a scan may wait forever inside sled.
            if db.failure().is_none() {
                let ids: Vec<u64> = db
                    .scan::<Endpoint>(keys::WEBHOOK_ENDPOINTS)
                    .filter_map(|e| e.ok().map(|(_, e)| e.id))
                    .collect();
                for id in ids {
                    if running.borrow_mut().insert(id) {
                        let (db, client, running) = (db.clone(), client.clone(), running.clone());
                        actix_rt::spawn(async move {
                            endpoint_loop(&db, &client, id).await;
                            running.borrow_mut().remove(&id);
                        });
                    }
                }
            }
        }
    });
}

/// Sends endpoint `id`'s outbox in order until the endpoint is deleted.
async fn endpoint_loop(db: &Db, client: &awc::Client, id: u64) {
    let mut horizon = db.horizon();
    let mut failures: u32 = 0;
    loop {
        horizon.borrow_and_update();
        if db.failure().is_some() {
            tokio::time::sleep(FIRST_RETRY).await;
            continue;
        }
        match send_next(db, client, id).await {
            // Gone: nothing more to send to it, and what a send or the
            // outbox projection wrote for it meanwhile goes too.
            Ok(Sent::NoEndpoint) => {
                if let Err(e) = forget(db, id) {
                    tracing::warn!(endpoint = id, error = %e, "a deleted endpoint's leftovers stay");
                }
                return;
            }
            Ok(Sent::Nothing) => {
                if let Ok(Err(_)) = tokio::time::timeout(LAST_RETRY, horizon.changed()).await {
                    tokio::time::sleep(FIRST_RETRY).await;
                }
            }
            Ok(Sent::Done) => failures = 0,
            Ok(Sent::Failed) => {
                failures += 1;
                let wait = FIRST_RETRY.saturating_mul(1 << (failures - 1).min(10));
                tokio::time::sleep(wait.min(LAST_RETRY)).await;
            }
            Err(e) => {
                tracing::error!(endpoint = id, error = %e, "webhook outbox not read");
                tokio::time::sleep(LAST_RETRY).await;
            }
        }
    }
}

/// Removes what is left of deleted endpoint `id`.
fn forget(db: &Db, id: u64) -> Result<(), StorageError> {
    let mut batch = WriteBatch::new();
    for prefix in [keys::webhook_outbox(id), keys::webhook_attempts(id)] {
        for key in db.scan_keys(&prefix) {
            batch.remove(key?);
        }
    }
    if !batch.is_empty() {
        db.commit(batch)?;
    }
    Ok(())
}

/// What one turn of an endpoint's loop did.
enum Sent {
    NoEndpoint,
    Nothing,
    /// Delivered, or given up: the message left the outbox.
    Done,
    /// It stays, to be tried again after a wait.
    Failed,
}

/// Sends the first message of endpoint `id`'s outbox, if any.
async fn send_next(db: &Db, client: &awc::Client, id: u64) -> Result<Sent, StorageError> {
    let Some(endpoint) = db.get::<Endpoint>(&keys::webhook_endpoint(id))? else {
        return Ok(Sent::NoEndpoint);
    };
    let Some(entry) = db.scan::<OutboxMessage>(&keys::webhook_outbox(id)).next() else {
        return Ok(Sent::Nothing);
    };
    let (key, message) = entry?;
    let attempt = post(db, client, &endpoint, &message).await?;
    let mut batch = WriteBatch::new();
    if attempt.outcome != Outcome::Retrying {
        batch.remove(key);
    }
    record(db, &endpoint, &attempt, &mut batch)?;
    // Deleted meanwhile: its attempt is not kept.
    if db.contains(&keys::webhook_endpoint(id))? {
        db.commit(batch)?;
    }
    Ok(match attempt.outcome {
        Outcome::Retrying => Sent::Failed,
        _ => Sent::Done,
    })
}

/// One signed POST of `message` to `endpoint`, as an attempt.
async fn post(
    db: &Db,
    client: &awc::Client,
    endpoint: &Endpoint,
    message: &OutboxMessage,
) -> Result<Attempt, StorageError> {
    let now = Timestamp::now();
    let seconds = now.0 / 1000;
    let signed = signature(
        &endpoint.secret,
        &message.message_id,
        seconds,
        &message.body,
    );
    let started = Instant::now();
    let answer = client
        .post(&endpoint.url)
        .insert_header(("content-type", "application/json"))
        .insert_header(("webhook-id", message.message_id.as_str()))
        .insert_header(("webhook-timestamp", seconds.to_string()))
        .insert_header(("webhook-signature", signed))
        .send_body(message.body.clone())
        .await;
    let (status, error, outcome) = match answer {
        Ok(res) if res.status().is_success() => {
            (Some(res.status().as_u16()), None, Outcome::Delivered)
        }
        Ok(res) if is_permanent(res.status().as_u16()) => {
            let status = res.status().as_u16();
            tracing::warn!(
                endpoint = endpoint.id,
                status,
                "webhook refused a message for good"
            );
            (
                Some(status),
                Some(format!("refused with {status}")),
                Outcome::GaveUp,
            )
        }
        Ok(res) => {
            let status = res.status().as_u16();
            (
                Some(status),
                Some(format!("answered {status}")),
                Outcome::Retrying,
            )
        }
        Err(e) => (None, Some(e.to_string()), Outcome::Retrying),
    };
    let expired = now.0.saturating_sub(message.queued_at.0) > GIVE_UP_AFTER.as_millis() as u64;
    let (error, outcome) = match outcome {
        Outcome::Retrying if expired && message.queued_at.0 > 0 => (
            error.map(|e| format!("{e}; given up after three days of failures")),
            Outcome::GaveUp,
        ),
        _ => (error, outcome),
    };
    Ok(Attempt {
        id: db.next_id()?,
        message_id: message.message_id.clone(),
        event_type: message.event_type.clone(),
        at: now,
        status,
        error,
        duration_ms: started.elapsed().as_millis() as u64,
        outcome,
        body: message.body.clone(),
    })
}

/// Stages `attempt`, and the removal of the endpoint's oldest attempts past
/// [`ATTEMPTS_KEPT`].
fn record(
    db: &Db,
    endpoint: &Endpoint,
    attempt: &Attempt,
    batch: &mut WriteBatch,
) -> Result<(), StorageError> {
    batch.put(keys::webhook_attempt(endpoint.id, attempt.id), attempt)?;
    let kept: Vec<Vec<u8>> = db
        .scan_keys(&keys::webhook_attempts(endpoint.id))
        .collect::<Result<_, _>>()?;
    let excess = (kept.len() + 1).saturating_sub(ATTEMPTS_KEPT);
    for old in kept.into_iter().take(excess) {
        batch.remove(old);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification (its reference
    /// libraries' tests), which Python's `hmac` computes alike.
    #[test]
    fn signs_as_the_specification_example() {
        let secret = base64::engine::general_purpose::STANDARD
            .decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap();
        let signed = signature(
            &secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(signed, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert_eq!(
            shown_secret(&secret),
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        );
    }

    #[test]
    fn only_client_errors_but_timeouts_and_slow_downs_are_final() {
        assert!(is_permanent(400) && is_permanent(410));
        assert!(!is_permanent(408) && !is_permanent(429) && !is_permanent(503));
    }
}
