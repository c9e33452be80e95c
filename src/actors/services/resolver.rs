//! Settles payments left pending by a crash or a gateway timeout: at
//! start-up all of them, then every few seconds those older than a call
//! could take (a younger one may still be in flight).

use crate::actors::entities::order::{Resolution, Resolve, ResolveRevision};
use crate::actors::Registry;
use crate::domain::order::Order;
use crate::domain::payment::Payment;
use crate::domain::Timestamp;
use crate::storage::keys;
use std::time::Duration;

/// How often pending payments are looked at.
const EVERY: Duration = Duration::from_secs(1);

/// Starts the resolver on the current arbiter.
pub fn spawn(registry: Registry, min_age: Duration) {
    actix_rt::spawn(async move {
        let mut age = Duration::ZERO;
        loop {
            // Storage that refuses writes settles nothing, and after an
            // I/O error a scan may wait forever inside sled.
            if registry.env().db.failure().is_none() {
                resolve_older_than(&registry, age).await;
                compensate_revisions(&registry, age).await;
            }
            age = min_age;
            tokio::time::sleep(EVERY).await;
        }
    });
}

async fn resolve_older_than(registry: &Registry, age: Duration) {
    let db = &registry.env().db;
    let cutoff = Timestamp::now().0.saturating_sub(age.as_millis() as u64);
    let due: Vec<u64> = db
        .scan_keys(keys::PENDING)
        .filter_map(|k| k.ok().and_then(|k| keys::trailing_u64(&k)))
        .filter(|&id| {
            db.get::<Payment>(&keys::payment(id))
                .ok()
                .flatten()
                .is_some_and(|p| p.requested_at.0 <= cutoff)
        })
        .collect();
    for id in due {
        match registry.actor::<Order>(&id).send(Resolve).await {
            Ok(Ok(Resolution::Nothing)) => {}
            Ok(Ok(r)) => tracing::info!(order = id, resolution = ?r, "pending payment settled"),
            Ok(Err(e)) => tracing::warn!(order = id, error = %e, "pending payment not settled yet"),
            Err(e) => tracing::warn!(order = id, error = %e, "pending payment not settled yet"),
        }
    }
}

/// Compensates revisions whose extra charge was left pending. One still in
/// flight is safe to ask about: it holds its order's actor until it ends,
/// and then nothing is pending any more.
async fn compensate_revisions(registry: &Registry, age: Duration) {
    let cutoff = Timestamp(Timestamp::now().0.saturating_sub(age.as_millis() as u64));
    let ids: Vec<u64> = registry
        .env()
        .db
        .scan_keys(keys::REVISION_PENDING)
        .filter_map(|k| k.ok().and_then(|k| keys::trailing_u64(&k)))
        .collect();
    for id in ids {
        let resolve = ResolveRevision {
            requested_before: cutoff,
        };
        match registry.actor::<Order>(&id).send(resolve).await {
            Ok(Ok(true)) => tracing::info!(order = id, "pending revision compensated"),
            Ok(Ok(false)) => {}
            Ok(Err(e)) => {
                tracing::warn!(order = id, error = %e, "pending revision not settled yet")
            }
            Err(e) => tracing::warn!(order = id, error = %e, "pending revision not settled yet"),
        }
    }
}
