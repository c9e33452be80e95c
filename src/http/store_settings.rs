//! A store's settings beyond its menu: delivery terms (minimum order, fees,
//! radius, acceptance deadline) and kitchen terms (default cooking time,
//! auto-accept). Its owner's and operators' to set (`StoreAction::Manage`).

use super::caller::Caller;
use super::stores::command;
use super::{ApiResult, AppState};
use crate::domain::delivery_terms::{DeliveryTerms, KitchenTerms};
use crate::domain::store::StoreCommand;
use actix_web::{web, HttpResponse};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/stores/{storeId}/delivery", web::put().to(set_delivery))
        .route("/stores/{storeId}/kitchen", web::put().to(set_kitchen));
}

/// `PUT /stores/{id}/delivery {"minOrderWon","baseFeeWon","baseDistanceKm",
/// "stepFeeWon","stepKm","radiusKm","acceptDeadlineMinutes"?}`: answers the
/// store.
async fn set_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<DeliveryTerms>,
) -> ApiResult<HttpResponse> {
    let cmd = StoreCommand::SetDeliveryTerms(body.into_inner());
    let store = command(&state, &caller.principal, &id, cmd).await?;
    Ok(HttpResponse::Ok().json(store))
}

/// `PUT /stores/{id}/kitchen {"defaultCookingMinutes","autoAccept"?}`:
/// answers the store.
async fn set_kitchen(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<KitchenTerms>,
) -> ApiResult<HttpResponse> {
    let cmd = StoreCommand::SetKitchenTerms(body.into_inner());
    let store = command(&state, &caller.principal, &id, cmd).await?;
    Ok(HttpResponse::Ok().json(store))
}
