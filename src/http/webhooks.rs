//! Webhook endpoints for integrators: `POST /webhooks {"url","types"?}`
//! (201 with the secret, shown once), `GET /webhooks`, `GET` and `DELETE
//! /webhooks/{id}`, `GET /webhooks/{id}/attempts` (newest first, paged) and
//! `POST /webhooks/{id}/attempts/{attemptId}/redeliver`. A store owner's
//! endpoint receives their stores' order events; an operator's, every
//! order's. Another's endpoint does not exist for the caller (404).

use super::caller::Caller;
use super::paged::paged;
use super::{ApiResult, AppState};
use crate::actors::webhooks::endpoints;
use crate::domain::paging::PageRequest;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/webhooks", web::post().to(register))
        .route("/webhooks", web::get().to(list))
        .route("/webhooks/{id}", web::get().to(get))
        .route("/webhooks/{id}", web::delete().to(delete))
        .route("/webhooks/{id}/attempts", web::get().to(attempts))
        .route(
            "/webhooks/{id}/attempts/{attemptId}/redeliver",
            web::post().to(redeliver),
        );
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewEndpoint {
    url: String,
    /// Message types (`order.placed`, …); left out: all of them.
    #[serde(default)]
    types: Vec<String>,
}

async fn register(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewEndpoint>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let endpoint = endpoints::register(&state.db, &caller.principal, body.url, body.types).await?;
    Ok(HttpResponse::Created().json(endpoint))
}

async fn list(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(endpoints::list(&state.db, &caller.principal)?))
}

async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<u64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(endpoints::get(&state.db, &caller.principal, *id)?))
}

async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<u64>,
) -> ApiResult<HttpResponse> {
    endpoints::delete(&state.db, &caller.principal, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    limit: Option<usize>,
    after: Option<String>,
}

async fn attempts(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    id: web::Path<u64>,
    q: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let page = PageRequest::parse(q.limit, q.after)?;
    let found = endpoints::attempts(&state.db, &caller.principal, *id, &page)?;
    Ok(paged(&req, found))
}

async fn redeliver(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(u64, u64)>,
) -> ApiResult<HttpResponse> {
    let (id, attempt) = path.into_inner();
    let tried = endpoints::redeliver(&state.db, &caller.principal, id, attempt).await?;
    Ok(HttpResponse::Accepted().json(tried))
}
