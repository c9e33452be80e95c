//! Deliveries: riders' nearby search, pick and complete.

use super::caller::Caller;
use super::or_empty::OrEmpty;
use super::orders::visible_order;
use super::paged::with_next;
use super::{ApiResult, AppState, Problem};
use crate::actors::entities::rider::{Act, RiderAction};
use crate::actors::projections::board::{self, Nearby, NearbyDelivery};
use crate::domain::access::{self, Principal};
use crate::domain::delivery::Delivery;
use crate::domain::ids::validate_id;
use crate::domain::{LatLon, OrderId};
use crate::read;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

/// Radius searched when none is given, and the largest allowed.
const DEFAULT_RADIUS_KM: f64 = 3.0;
const MAX_RADIUS_KM: f64 = 50.0;
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/deliveries", web::get().to(nearby))
        .route("/deliveries/{orderId}", web::get().to(get))
        .route("/deliveries/{orderId}/pick", web::post().to(pick))
        .route("/deliveries/{orderId}/complete", web::post().to(complete));
}

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(nearby, get, pick, complete))]
pub(super) struct Api;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NearbyQuery {
    /// Search around this rider's last location instead of lat/lon.
    rider_id: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    radius_km: Option<f64>,
    limit: Option<usize>,
    /// The cursor a `Link: rel="next"` gave: `<km>,<orderId>`.
    after: Option<String>,
}

/// A nearby search's cursor: the exact distance in km and the order id of
/// the last delivery of the page before.
fn parse_cursor(after: &str) -> Result<(f64, OrderId), Problem> {
    after
        .split_once(',')
        .and_then(|(km, id)| Some((km.parse::<f64>().ok()?, id.parse::<OrderId>().ok()?)))
        .filter(|(km, _)| km.is_finite())
        .ok_or_else(|| Problem::invalid(format!("after: {after:?} is no cursor this list gave")))
}

/// Ready deliveries near a point: for riders and operators.
#[utoipa::path(get, path = "/deliveries", tag = "deliveries", params(NearbyQuery),
    responses(
        (status = 200, description = "Ready deliveries within the radius, nearest first; `Link: rel=\"next\"` while there are more.", body = Vec<NearbyDelivery>),
        (status = 403, description = "Not a rider or an operator, or another rider's id."),
    ))]
async fn nearby(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    q: web::Query<NearbyQuery>,
) -> ApiResult<HttpResponse> {
    let by = &caller.principal;
    if !matches!(by, Principal::Rider(_)) && !by.is_staff() {
        return Err(
            access::forbidden(by, "look for", "deliveries".into(), "riders and operators").into(),
        );
    }
    let rider_id = match &q.rider_id {
        Some(claimed) => Some(access::acting_rider(by, claimed)?),
        None => None,
    };
    let at = match (q.lat, q.lon, &rider_id) {
        (Some(lat), Some(lon), None) => LatLon::new(lat, lon)?,
        (None, None, Some(rider)) => {
            validate_id("riderId", rider)?;
            read::rider(&state.db, rider)?.location.ok_or_else(|| {
                Problem::invalid(format!("rider {rider:?} has not told where they are yet"))
            })?
        }
        _ => {
            return Err(Problem::invalid(
                "lat and lon are required (or riderId instead of both): where is the rider?",
            ))
        }
    };
    let radius_km = q.radius_km.unwrap_or(DEFAULT_RADIUS_KM);
    if !(radius_km > 0.0 && radius_km <= MAX_RADIUS_KM) {
        return Err(Problem::invalid(format!(
            "radiusKm must be above 0 and at most {MAX_RADIUS_KM}"
        )));
    }
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(Problem::invalid(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let after = q.after.as_deref().map(parse_cursor).transpose()?;
    let mut found = state
        .board
        .send(Nearby {
            at,
            radius_km,
            limit: limit + 1,
            after,
        })
        .await
        .map_err(crate::error::AppError::from)?;
    let more = found.len() > limit;
    found.truncate(limit);
    let next = match found.last() {
        Some((_, (km, id))) if more => Some(format!("{km:?},{id}")),
        _ => None,
    };
    let page: Vec<NearbyDelivery> = found.into_iter().map(|(d, _)| d).collect();
    Ok(with_next(&req, page, next.as_deref()))
}

/// A delivery: its rider's, its customer's, its store's and operators' to see.
#[utoipa::path(get, path = "/deliveries/{orderId}", tag = "deliveries", params(("orderId" = u64, Path, description = "The order id")),
    responses(
        (status = 200, description = "The delivery, as the caller may read it.", body = Delivery),
        (status = 404, description = "No such order or delivery, or not the caller's."),
    ))]
async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
) -> ApiResult<HttpResponse> {
    visible_order(&state, &caller.principal, *id)?;
    let delivery = board::delivery(&state.db, *id)?
        .ok_or_else(|| Problem::not_found(format!("order {} has no delivery (yet)", *id)))?;
    Ok(HttpResponse::Ok().json(access::delivery_as_read_by(&caller.principal, delivery)))
}

/// Who picks or completes: the signed-in rider (`riderId`, or the whole
/// body, may be left out; it must be theirs), or the rider an operator
/// names.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RiderBody {
    #[serde(default)]
    rider_id: String,
}

async fn act(
    state: &AppState,
    caller: Caller,
    order_id: OrderId,
    body: OrEmpty<RiderBody>,
    action: RiderAction,
) -> ApiResult<HttpResponse> {
    let claimed = body.0.rider_id;
    let rider_id = access::acting_rider(&caller.principal, &claimed)?;
    validate_id("riderId", &rider_id)?;
    let act = Act {
        by: caller.principal,
        order_id,
        action,
    };
    let order = state.registry.send(&rider_id, act).await??;
    Ok(HttpResponse::Ok().json(Delivery::of(&order)))
}

/// A rider takes a ready delivery: PickedUp (one rider per delivery).
#[utoipa::path(post, path = "/deliveries/{orderId}/pick", tag = "deliveries", params(("orderId" = u64, Path, description = "The order id")),
    request_body(content = Option<RiderBody>, description = "Optional: the rider (a rider's own id; an operator names one)."),
    responses(
        (status = 200, description = "Picked up by the rider.", body = Delivery),
        (status = 403, description = "Another rider's delivery or id (`not-your-delivery`, `forbidden`)."),
        (status = 409, description = "Not ready, already taken, or the rider is off duty."),
    ))]
async fn pick(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
    body: OrEmpty<RiderBody>,
) -> ApiResult<HttpResponse> {
    act(&state, caller, *id, body, RiderAction::Pick).await
}

/// The rider hands the food over: Delivered.
#[utoipa::path(post, path = "/deliveries/{orderId}/complete", tag = "deliveries", params(("orderId" = u64, Path, description = "The order id")),
    request_body(content = Option<RiderBody>, description = "Optional: the rider (a rider's own id; an operator names one)."),
    responses(
        (status = 200, description = "Delivered.", body = Delivery),
        (status = 403, description = "Another rider's delivery or id (`not-your-delivery`, `forbidden`)."),
        (status = 409, description = "Not ready, already taken, or the rider is off duty."),
    ))]
async fn complete(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
    body: OrEmpty<RiderBody>,
) -> ApiResult<HttpResponse> {
    act(&state, caller, *id, body, RiderAction::Complete).await
}
