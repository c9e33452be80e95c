//! The webhook sender: POSTs each endpoint's outbox in order, signed
//! (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
//! `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`),
//! over https through rustls with the Mozilla roots (`webpki-roots`) and
//! any an operator adds (`--webhook-ca-file`). Every attempt is kept (the
//! last [`ATTEMPTS_KEPT`] per endpoint). A failing endpoint waits its own
//! backoff and never holds up another.

use super::{Attempt, OutboxMessage, Outcome};
use crate::domain::webhooks::{signed_content, Endpoint};
use crate::domain::Timestamp;
use crate::storage::{keys, Db, StorageError, WriteBatch};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
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

/// An endpoint's wait after failures.
struct Retry {
    failures: u32,
    until: Instant,
}

/// Starts sending on the current arbiter.
pub fn spawn(db: Db, tls: rustls::ClientConfig) {
    actix_rt::spawn(async move {
        let client = awc::Client::builder()
            .connector(awc::Connector::new().rustls_0_23(Arc::new(tls)))
            .timeout(POST_TIMEOUT)
            .finish();
        let mut waits: HashMap<u64, Retry> = HashMap::new();
        let mut horizon = db.horizon();
        loop {
            horizon.borrow_and_update();
            // Storage that refuses writes cannot record an attempt, and
            // after an I/O error a scan may wait forever inside sled.
            if db.failure().is_some() {
                tokio::time::sleep(FIRST_RETRY).await;
                continue;
            }
            let sent = match send_one_each(&db, &client, &mut waits).await {
                Ok(sent) => sent,
                Err(e) => {
                    tracing::error!(error = %e, "webhook outbox not read");
                    0
                }
            };
            if sent == 0 {
                // Nothing to send, or every endpoint waits: until a write,
                // or a moment for a wait to end. A closed horizon (the
                // database stopped taking writes) answers at once: then
                // only the moment.
                if let Ok(Err(_)) = tokio::time::timeout(FIRST_RETRY, horizon.changed()).await {
                    tokio::time::sleep(FIRST_RETRY).await;
                }
            }
        }
    });
}

/// Sends the first message of each endpoint's outbox that is not waiting;
/// answers how many were tried.
async fn send_one_each(
    db: &Db,
    client: &awc::Client,
    waits: &mut HashMap<u64, Retry>,
) -> Result<usize, StorageError> {
    let endpoints: Vec<Endpoint> = db
        .scan::<Endpoint>(keys::WEBHOOK_ENDPOINTS)
        .map(|e| e.map(|(_, e)| e))
        .collect::<Result<_, _>>()?;
    waits.retain(|id, _| endpoints.iter().any(|e| e.id == *id));
    let mut tried = 0;
    for endpoint in endpoints {
        if waits
            .get(&endpoint.id)
            .is_some_and(|w| Instant::now() < w.until)
        {
            continue;
        }
        let Some(entry) = db
            .scan::<OutboxMessage>(&keys::webhook_outbox(endpoint.id))
            .next()
        else {
            continue;
        };
        let (key, message) = entry?;
        tried += 1;
        let attempt = post(db, client, &endpoint, &message).await?;
        let mut batch = WriteBatch::new();
        if attempt.outcome != Outcome::Retrying {
            batch.remove(key);
        }
        record(db, &endpoint, &attempt, &mut batch)?;
        db.commit(batch)?;
        match attempt.outcome {
            Outcome::Retrying => {
                let failures = waits.get(&endpoint.id).map_or(0, |w| w.failures) + 1;
                let wait = FIRST_RETRY
                    .saturating_mul(1 << failures.min(10))
                    .min(LAST_RETRY);
                waits.insert(
                    endpoint.id,
                    Retry {
                        failures,
                        until: Instant::now() + wait,
                    },
                );
            }
            _ => {
                waits.remove(&endpoint.id);
            }
        }
    }
    Ok(tried)
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
