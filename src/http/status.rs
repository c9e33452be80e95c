//! Health and metrics.

use super::caller::Operator;
use super::{ApiResult, AppState};
use crate::actors::subscribers::Subscriber;
use crate::read;
use actix_web::{web, HttpResponse};
use serde_json::json;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/health", web::get().to(health))
        .route("/health/live", web::get().to(live))
        .route("/metrics", web::get().to(metrics));
}

fn offsets(state: &AppState) -> ApiResult<Vec<(&'static str, u64)>> {
    Subscriber::ALL
        .iter()
        .map(|&s| Ok((s.name(), read::applied(&state.db, s)?)))
        .collect()
}

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
                .map(|(name, offset)| (name.to_string(), json!(log_seq.saturating_sub(offset))))
                .collect();
            let (payments, revisions) = read::pending_payments(&state.db);
            (json!(lag), (json!(payments), json!(revisions)))
        }
        Some(_) => (json!(null), (json!(null), json!(null))),
    };
    let mut answer = match failure {
        None => HttpResponse::Ok(),
        Some(_) => HttpResponse::ServiceUnavailable(),
    };
    Ok(answer.json(json!({
        "status": if failure.is_some() { "unavailable" } else { "ok" },
        "storage": match &failure {
            None => json!({ "writable": true }),
            Some(why) => json!({ "writable": false, "reason": why }),
        },
        "pendingPayments": pending.0,
        "pendingRevisions": pending.1,
        "circuitBreaker": {
            "state": state.payment_guard.state_name(),
            "timesOpened": state.payment_guard.times_opened(),
        },
        "logSequence": log_seq,
        "acknowledgedLogSequence": state.db.horizon().borrow().log_seq,
        "subscriberLag": lag,
        "liveActors": { "orders": orders, "stores": stores, "riders": riders },
    })))
}

/// Liveness: the process answers HTTP. Unlike `/health` it stays 200 while
/// storage refuses writes: restarting would not free the disk (baedal
/// restarts itself once it can write again).
async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "alive" }))
}

/// Operators only: the numbers describe everyone's traffic.
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
