//! Riders: location and duty.

use super::caller::Caller;
use super::{ApiResult, AppState};
use crate::actors::entities::shell::Execute;
use crate::domain::access::{self, Principal, Role};
use crate::domain::ids::validate_id;
use crate::domain::rider::{Rider, RiderCommand};
use crate::domain::{LatLon, Timestamp};
use crate::read;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/riders/{riderId}", web::get().to(get))
        .route("/riders/{riderId}/location", web::put().to(locate))
        .route("/riders/{riderId}/duty", web::put().to(duty));
}

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(get, locate, duty))]
pub(super) struct Api;

/// A rider's location and duty: theirs and operators' to see.
#[utoipa::path(get, path = "/riders/{riderId}", tag = "riders", params(("riderId" = String, Path, description = "The rider's account id")),
    responses(
        (status = 200, description = "The rider's duty and last location.", body = Rider),
        (status = 403, description = "Not this rider or an operator."),
    ))]
async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    validate_id("riderId", &id)?;
    access::check_own(&caller.principal, Role::Rider, &id, "rider")?;
    let rider = read::rider(&state.db, &id)?;
    Ok(HttpResponse::Ok().json(rider))
}

async fn update(
    state: &AppState,
    by: &Principal,
    id: &str,
    cmd: RiderCommand,
) -> ApiResult<HttpResponse> {
    validate_id("riderId", id)?;
    let rider = state
        .registry
        .send(&id.to_string(), Execute::<Rider>::new(by, cmd))
        .await??
        .state;
    Ok(HttpResponse::Ok().json(rider))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RiderLocation {
    lat: f64,
    lon: f64,
}

/// Records where the rider is and pushes it, with the ETA, to the customer
/// of each delivery they carry (`tracking`).
#[utoipa::path(put, path = "/riders/{riderId}/location", tag = "riders", params(("riderId" = String, Path, description = "The rider's account id")),
    request_body = RiderLocation,
    responses(
        (status = 200, description = "Recorded; the customers of the deliveries carried get it with the ETA.", body = Rider),
        (status = 403, description = "Not this rider or an operator."),
    ))]
async fn locate(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<RiderLocation>,
) -> ApiResult<HttpResponse> {
    let at = LatLon::new(body.lat, body.lon)?;
    let answer = update(&state, &caller.principal, &id, RiderCommand::Locate(at)).await?;
    state
        .tracking
        .rider_moved(&state.db, &id, at, Timestamp::now())?;
    Ok(answer)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Duty {
    on_duty: bool,
}

/// A rider goes on or off duty.
#[utoipa::path(put, path = "/riders/{riderId}/duty", tag = "riders", params(("riderId" = String, Path, description = "The rider's account id")),
    request_body = Duty,
    responses(
        (status = 200, description = "On or off duty.", body = Rider),
        (status = 403, description = "Not this rider or an operator."),
    ))]
async fn duty(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<Duty>,
) -> ApiResult<HttpResponse> {
    let cmd = RiderCommand::SetDuty(body.on_duty);
    update(&state, &caller.principal, &id, cmd).await
}
