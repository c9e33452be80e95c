//! Health and metrics.

use super::caller::Operator;
use super::{ApiResult, AppState};
use crate::actors::subscribers::Subscriber;
use crate::read;
use actix_web::{web, HttpResponse};
use serde::Serialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/health", web::get().to(health))
        .route("/health/live", web::get().to(live))
        .route("/metrics", web::get().to(metrics));
}

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(health, live, metrics))]
pub(super) struct Api;

fn offsets(state: &AppState) -> ApiResult<Vec<(&'static str, u64)>> {
    Subscriber::ALL
        .iter()
        .map(|&s| Ok((s.name(), read::applied(&state.db, s)?)))
        .collect()
}

/// Readiness and the engine's state (public: no one's data).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct Health {
    /// `ok`, or `unavailable` while storage refuses writes (then 503).
    status: &'static str,
    storage: StorageHealth,
    /// Checkouts whose payment outcome is not yet known; `null` while
    /// storage refuses writes (nothing is read then).
    pending_payments: Option<usize>,
    /// Revisions whose extra charge is not yet known; `null` likewise.
    pending_revisions: Option<usize>,
    circuit_breaker: BreakerHealth,
    /// The last log record on disk.
    log_sequence: u64,
    /// The last log record acknowledged (at least `logSequence`).
    acknowledged_log_sequence: u64,
    /// Log records each subscriber (projection, reaction) has still to
    /// apply; `null` while storage refuses writes.
    #[schema(value_type = Option<std::collections::BTreeMap<String, u64>>)]
    subscriber_lag: Option<serde_json::Map<String, serde_json::Value>>,
    live_actors: LiveActors,
}

#[derive(Serialize, utoipa::ToSchema)]
struct StorageHealth {
    writable: bool,
    /// Why not, when not.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// The payment gateway's circuit breaker.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct BreakerHealth {
    /// `closed`, `open` or `half-open`.
    state: &'static str,
    times_opened: u64,
}

/// Actors in memory now.
#[derive(Serialize, utoipa::ToSchema)]
struct LiveActors {
    orders: usize,
    stores: usize,
    riders: usize,
}

/// Readiness: the engine's state, and whether storage takes writes.
#[utoipa::path(get, path = "/health", tag = "operations", security(()),
    responses(
        (status = 200, description = "Ready.", body = Health),
        (status = 503, description = "Storage refuses writes: the same body, `status` `unavailable`.", body = Health),
    ))]
async fn health(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let log_seq = state.db.durable_horizon().borrow().log_seq;
    let (orders, stores, riders) = state.registry.live();
    // Storage that refuses writes makes the whole service unready (503);
    // liveness is `/health/live`. Then nothing is read from sled: after an
    // I/O error a scan may wait forever inside it (a node split takes a
    // page it cannot write), and this must answer.
    let failure = state.db.failure();
    let (lag, pending) = match failure {
        None => {
            let lag: serde_json::Map<String, serde_json::Value> = offsets(&state)?
                .into_iter()
                .map(|(name, offset)| (name.to_string(), log_seq.saturating_sub(offset).into()))
                .collect();
            (Some(lag), Some(read::pending_payments(&state.db)))
        }
        Some(_) => (None, None),
    };
    let mut answer = match failure {
        None => HttpResponse::Ok(),
        Some(_) => HttpResponse::ServiceUnavailable(),
    };
    Ok(answer.json(Health {
        status: if failure.is_some() {
            "unavailable"
        } else {
            "ok"
        },
        storage: StorageHealth {
            writable: failure.is_none(),
            reason: failure.map(|why| why.to_string()),
        },
        pending_payments: pending.map(|p| p.0),
        pending_revisions: pending.map(|p| p.1),
        circuit_breaker: BreakerHealth {
            state: state.payment_guard.state_name(),
            times_opened: state.payment_guard.times_opened(),
        },
        log_sequence: log_seq,
        acknowledged_log_sequence: state.db.horizon().borrow().log_seq,
        subscriber_lag: lag,
        live_actors: LiveActors {
            orders,
            stores,
            riders,
        },
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
struct Alive {
    /// Always `alive`.
    status: &'static str,
}

/// Liveness: the process answers HTTP. Unlike `/health` it stays 200 while
/// storage refuses writes: restarting would not free the disk (baedal
/// restarts itself once it can write again).
#[utoipa::path(get, path = "/health/live", tag = "operations", security(()),
    responses((status = 200, description = "The process answers.", body = Alive)))]
async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Alive { status: "alive" })
}

/// Operators only: the numbers describe everyone's traffic.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses(
        (status = 200, description = "Prometheus text exposition (version 0.0.4).", body = String, content_type = "text/plain"),
        (status = 403, description = "Not an operator."),
    ))]
async fn metrics(state: web::Data<AppState>, _: Operator) -> ApiResult<HttpResponse> {
    let log_seq = state.db.durable_horizon().borrow().log_seq;
    let breaker = (
        state.payment_guard.state_name(),
        state.payment_guard.times_opened(),
    );
    let text = state.metrics.render(
        state.registry.live(),
        log_seq,
        &offsets(&state)?,
        breaker,
        state.sockets.total(),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
