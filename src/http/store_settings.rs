//! A store's settings beyond its menu: delivery terms (minimum order, fees,
//! radius, acceptance deadline), kitchen terms (default cooking time,
//! auto-accept), and availability (opening hours, a pause, sold-out
//! dishes). Its owner's and operators' to set (`StoreAction::Manage`); each
//! answers the store.

use super::caller::Caller;
use super::stores::command;
use super::{ApiResult, AppState};
use crate::domain::delivery_terms::{DeliveryTerms, KitchenTerms};
use crate::domain::hours::OpeningHours;
use crate::domain::store::{Store, StoreCommand};
use crate::domain::{DomainError, Timestamp};
use actix_web::{web, HttpResponse};
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/stores/{storeId}/delivery", web::put().to(set_delivery))
        .route("/stores/{storeId}/kitchen", web::put().to(set_kitchen))
        .route("/stores/{storeId}/hours", web::put().to(set_hours))
        .route("/stores/{storeId}/hours", web::delete().to(clear_hours))
        .route("/stores/{storeId}/pause", web::put().to(pause))
        .route("/stores/{storeId}/pause", web::delete().to(resume))
        .route(
            "/stores/{storeId}/menu/{menuId}/soldOut",
            web::put().to(set_sold_out),
        );
}

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    set_delivery,
    set_kitchen,
    set_hours,
    clear_hours,
    pause,
    resume,
    set_sold_out
))]
pub(super) struct Api;

async fn answer(
    state: &AppState,
    caller: &Caller,
    id: &str,
    cmd: StoreCommand,
) -> ApiResult<HttpResponse> {
    let store = command(state, &caller.principal, id, cmd).await?;
    Ok(HttpResponse::Ok().json(store))
}

/// `PUT /stores/{id}/hours {"weekly":[{"day":"MON","open":"10:00",
/// "close":"02:00"},…],"closedDates":["2026-12-25"]}`: Seoul's clock; a
/// close before the open means after midnight.
#[utoipa::path(put, path = "/stores/{storeId}/hours", tag = "stores", params(("storeId" = String, Path, description = "The store id")), request_body = OpeningHours,
    responses(
        (status = 200, description = "The store.", body = Store),
        (status = 403, description = "Not the store's owner or an operator."),
    ))]
async fn set_hours(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<OpeningHours>,
) -> ApiResult<HttpResponse> {
    let cmd = StoreCommand::SetHours(Some(body.into_inner()));
    answer(&state, &caller, &id, cmd).await
}

/// `DELETE /stores/{id}/hours`: open whenever `open` is.
#[utoipa::path(delete, path = "/stores/{storeId}/hours", tag = "stores", params(("storeId" = String, Path, description = "The store id")), 
    responses(
        (status = 200, description = "The store.", body = Store),
        (status = 403, description = "Not the store's owner or an operator."),
    ))]
async fn clear_hours(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    answer(&state, &caller, &id, StoreCommand::SetHours(None)).await
}

/// `{"until": RFC 3339}` or `{"minutes": n}` ("busy for 30 minutes").
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PauseBody {
    until: Option<Timestamp>,
    minutes: Option<u64>,
}

/// `PUT /stores/{id}/pause`: no orders until then (at most 24 hours).
#[utoipa::path(put, path = "/stores/{storeId}/pause", tag = "stores", params(("storeId" = String, Path, description = "The store id")), request_body = PauseBody,
    responses(
        (status = 200, description = "The store.", body = Store),
        (status = 403, description = "Not the store's owner or an operator."),
    ))]
async fn pause(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<PauseBody>,
) -> ApiResult<HttpResponse> {
    let until = match (body.until, body.minutes) {
        (Some(until), None) => until,
        (None, Some(minutes)) => Timestamp::now().plus_ms(minutes.saturating_mul(60_000)),
        _ => {
            return Err(DomainError::Invalid {
                field: "until",
                reason: "or minutes must be given, not both".into(),
            }
            .into())
        }
    };
    answer(&state, &caller, &id, StoreCommand::Pause { until }).await
}

/// `DELETE /stores/{id}/pause`: orders again now.
#[utoipa::path(delete, path = "/stores/{storeId}/pause", tag = "stores", params(("storeId" = String, Path, description = "The store id")), 
    responses(
        (status = 200, description = "The store.", body = Store),
        (status = 403, description = "Not the store's owner or an operator."),
    ))]
async fn resume(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    answer(&state, &caller, &id, StoreCommand::Resume).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SoldOutBody {
    sold_out: bool,
}

/// `PUT /stores/{id}/menu/{menuId}/soldOut {"soldOut"}`: out of stock, or
/// back.
#[utoipa::path(put, path = "/stores/{storeId}/menu/{menuId}/soldOut", tag = "stores", params(("storeId" = String, Path, description = "The store id"), ("menuId" = String, Path, description = "The dish's id")),
    request_body = SoldOutBody,
    responses(
        (status = 200, description = "The store.", body = Store),
        (status = 403, description = "Not the store's owner or an operator."),
    ))]
async fn set_sold_out(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Json<SoldOutBody>,
) -> ApiResult<HttpResponse> {
    let (id, menu_id) = path.into_inner();
    let cmd = StoreCommand::SetSoldOut {
        menu_id,
        sold_out: body.sold_out,
    };
    answer(&state, &caller, &id, cmd).await
}

/// `PUT /stores/{id}/delivery {"minOrderWon","baseFeeWon","baseDistanceKm",
/// "stepFeeWon","stepKm","radiusKm","acceptDeadlineMinutes"?}`: answers the
/// store.
#[utoipa::path(put, path = "/stores/{storeId}/delivery", tag = "stores", params(("storeId" = String, Path, description = "The store id")), request_body = DeliveryTerms,
    responses(
        (status = 200, description = "The store.", body = Store),
        (status = 403, description = "Not the store's owner or an operator."),
    ))]
async fn set_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<DeliveryTerms>,
) -> ApiResult<HttpResponse> {
    let cmd = StoreCommand::SetDeliveryTerms(body.into_inner());
    answer(&state, &caller, &id, cmd).await
}

/// `PUT /stores/{id}/kitchen {"defaultCookingMinutes","autoAccept"?}`:
/// answers the store.
#[utoipa::path(put, path = "/stores/{storeId}/kitchen", tag = "stores", params(("storeId" = String, Path, description = "The store id")), request_body = KitchenTerms,
    responses(
        (status = 200, description = "The store.", body = Store),
        (status = 403, description = "Not the store's owner or an operator."),
    ))]
async fn set_kitchen(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<KitchenTerms>,
) -> ApiResult<HttpResponse> {
    let cmd = StoreCommand::SetKitchenTerms(body.into_inner());
    answer(&state, &caller, &id, cmd).await
}
