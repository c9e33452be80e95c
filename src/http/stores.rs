//! Stores and menus.

use super::{ApiResult, AppState, Problem};
use crate::actors::entities::shell::Execute;
use crate::actors::projections::ratings;
use crate::domain::districts;
use crate::domain::store::{MenuItem, Store, StoreCommand};
use crate::read;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/stores", web::get().to(list))
        .route("/stores", web::post().to(register))
        .route("/stores/{storeId}", web::get().to(get))
        .route(
            "/stores/{storeId}/menu/{menuId}",
            web::put().to(set_menu_item),
        )
        .route("/stores/{storeId}/open", web::put().to(set_open));
}

/// A store in the list (without its menu).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary<'a> {
    id: &'a str,
    name: &'a str,
    address: &'a str,
    lat: f64,
    lon: f64,
    open: bool,
    menu_items: usize,
    rating: RatingSummary,
}

/// A store's rating in a list.
#[derive(Serialize)]
struct RatingSummary {
    average: f64,
    count: u64,
}

/// One store, with its menu and rating.
#[derive(Serialize)]
struct WithRating<'a> {
    #[serde(flatten)]
    store: &'a Store,
    rating: RatingSummary,
}

fn rating_of(state: &AppState, store: &str) -> ApiResult<RatingSummary> {
    let r = ratings::rating(&state.db, store)?;
    Ok(RatingSummary {
        average: r.average,
        count: r.count,
    })
}

async fn list(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let stores = read::stores(&state.db)?;
    let summaries: Vec<Summary> = stores
        .iter()
        .map(|s| {
            Ok(Summary {
                id: &s.id,
                name: &s.name,
                address: &s.address,
                lat: s.lat,
                lon: s.lon,
                open: s.open,
                menu_items: s.menu.len(),
                rating: rating_of(&state, &s.id)?,
            })
        })
        .collect::<ApiResult<_>>()?;
    Ok(HttpResponse::Ok().json(summaries))
}

async fn get(state: web::Data<AppState>, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let store = read::store(&state.db, &id)?
        .ok_or_else(|| Problem::not_found(format!("store {:?} does not exist", id.as_str())))?;
    let rating = rating_of(&state, &store.id)?;
    Ok(HttpResponse::Ok().json(WithRating {
        store: &store,
        rating,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewStore {
    id: String,
    name: String,
    address: String,
    lat: Option<f64>,
    lon: Option<f64>,
    #[serde(default = "open_by_default")]
    open: bool,
    #[serde(default)]
    menu: Vec<MenuItem>,
}

fn open_by_default() -> bool {
    true
}

async fn register(
    state: web::Data<AppState>,
    body: web::Json<NewStore>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let at = districts::position(body.lat, body.lon, &body.address)?;
    let store = Store {
        id: body.id,
        name: body.name,
        address: body.address,
        lat: at.lat,
        lon: at.lon,
        open: body.open,
        menu: body.menu,
    };
    store.validate()?;
    let id = store.id.clone();
    let store = state
        .registry
        .send(
            &id,
            Execute::<Store>(StoreCommand::Register(Box::new(store))),
        )
        .await??
        .state;
    Ok(HttpResponse::Created().json(store))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MenuItemBody {
    name: String,
    price: u64,
}

async fn set_menu_item(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<MenuItemBody>,
) -> ApiResult<HttpResponse> {
    let (store_id, menu_id) = path.into_inner();
    let body = body.into_inner();
    let item = MenuItem {
        id: menu_id,
        name: body.name,
        price: body.price,
    };
    item.validate()?;
    let store = state
        .registry
        .send(&store_id, Execute::<Store>(StoreCommand::SetMenuItem(item)))
        .await??
        .state;
    Ok(HttpResponse::Ok().json(store))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenBody {
    open: bool,
}

/// Opens or closes a store: a closed store's checkouts are refused (409)
/// before anything is charged.
async fn set_open(
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<OpenBody>,
) -> ApiResult<HttpResponse> {
    let store = state
        .registry
        .send(
            &id.into_inner(),
            Execute::<Store>(StoreCommand::SetOpen(body.open)),
        )
        .await??
        .state;
    Ok(HttpResponse::Ok().json(store))
}
