//! Webhook endpoints for integrators: `POST /webhooks {"url","types"?}`
//! (201 with the secret, shown once), `GET /webhooks`, `GET` and `DELETE
//! /webhooks/{id}`, `GET /webhooks/{id}/attempts` (newest first, paged) and
//! `POST /webhooks/{id}/attempts/{attemptId}/redeliver`. A store owner's
//! endpoint receives their stores' order events; an operator's, every
//! order's. Another's endpoint does not exist for the caller (404).

use super::caller::Caller;
use super::paged::paged;
use super::{ApiResult, AppState};
use crate::actors::webhooks::endpoints::{self, EndpointView};
use crate::actors::webhooks::Attempt;
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

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(register, list, get, delete, attempts, redeliver))]
pub(super) struct Api;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewEndpoint {
    url: String,
    /// Message types (`order.placed`, …); left out: all of them.
    #[serde(default)]
    types: Vec<String>,
}

/// Registers an endpoint: a store owner's gets their stores' order events,
/// an operator's every order's.
#[utoipa::path(post, path = "/webhooks", tag = "webhooks",
    request_body = NewEndpoint,
    responses(
        (status = 201, description = "The endpoint, with its signing secret (`whsec_<base64>`), shown this once.", body = EndpointView),
        (status = 403, description = "Not a store owner or an operator."),
        (status = 409, description = "As many endpoints as an account may have."),
    ))]
async fn register(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewEndpoint>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let endpoint = endpoints::register(&state.db, &caller.principal, body.url, body.types).await?;
    Ok(HttpResponse::Created().json(endpoint))
}

/// The caller's endpoints (an operator's: all).
#[utoipa::path(get, path = "/webhooks", tag = "webhooks",
    responses(
        (status = 200, description = "The endpoints, without secrets.", body = Vec<EndpointView>),
        (status = 403, description = "Not a store owner or an operator."),
    ))]
async fn list(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(endpoints::list(&state.db, &caller.principal)?))
}

/// One endpoint.
#[utoipa::path(get, path = "/webhooks/{id}", tag = "webhooks", params(("id" = u64, Path, description = "The endpoint id")),
    responses((status = 200, description = "The endpoint, without its secret.", body = EndpointView)))]
async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<u64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(endpoints::get(&state.db, &caller.principal, *id)?))
}

/// Deletes an endpoint.
#[utoipa::path(delete, path = "/webhooks/{id}", tag = "webhooks", params(("id" = u64, Path, description = "The endpoint id")),
    responses((status = 204, description = "Deleted: nothing more is sent to it.")))]
async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<u64>,
) -> ApiResult<HttpResponse> {
    endpoints::delete(&state.db, &caller.principal, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    limit: Option<usize>,
    after: Option<String>,
}

/// The delivery log: every attempt, newest first.
#[utoipa::path(get, path = "/webhooks/{id}/attempts", tag = "webhooks", params(("id" = u64, Path, description = "The endpoint id"), PageQuery),
    responses((status = 200, description = "A page of attempts; `Link: rel=\"next\"` while there are more.", body = Vec<Attempt>)))]
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

/// Sends an attempt's message again, now.
#[utoipa::path(post, path = "/webhooks/{id}/attempts/{attemptId}/redeliver", tag = "webhooks", params(("id" = u64, Path, description = "The endpoint id"), ("attemptId" = u64, Path, description = "The attempt id")),
    responses((status = 202, description = "The new attempt.", body = Attempt)))]
async fn redeliver(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(u64, u64)>,
) -> ApiResult<HttpResponse> {
    let (id, attempt) = path.into_inner();
    let tried = endpoints::redeliver(&state.db, &caller.principal, id, attempt).await?;
    Ok(HttpResponse::Accepted().json(tried))
}
