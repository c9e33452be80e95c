//! Stores and menus.

use super::caller::{Caller, MaybeCaller};
use super::paged::paged;
use super::{ApiResult, AppState, Problem};
use crate::actors::entities::shell::Execute;
use crate::actors::projections::ratings;
use crate::domain::access::{self, Principal, Role};
use crate::domain::delivery_terms::{DeliveryTerms, KitchenTerms};
use crate::domain::districts;
use crate::domain::hours::OpeningHours;
use crate::domain::options::OptionGroup;
use crate::domain::paging::{Page, PageRequest};
use crate::domain::store::{MenuItem, Store, StoreCommand};
use crate::domain::Timestamp;
use crate::read;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/stores", web::get().to(list))
        .route("/stores", web::post().to(register))
        .route("/stores/{storeId}", web::get().to(get))
        .route(
            "/stores/{storeId}/menu/{menuId}",
            web::put().to(set_menu_item),
        )
        .route("/stores/{storeId}/open", web::put().to(set_open))
        .route("/stores/{storeId}/approve", web::post().to(approve))
        .route("/stores/{storeId}/owner", web::put().to(set_owner));
}

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, get, register, set_owner, approve, set_menu_item, set_open))]
pub(super) struct Api;

/// A store `by` may see (`access::sees_store`): an unapproved one is its
/// owner's and operators' only; to anyone else it does not exist.
pub(super) fn visible_store(state: &AppState, by: &Principal, id: &str) -> ApiResult<Store> {
    read::store(&state.db, id)?
        .filter(|s| access::sees_store(by, s))
        .ok_or_else(|| Problem::not_found(format!("store {id:?} does not exist")))
}

/// A store in the list (without its menu).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct Summary<'a> {
    id: &'a str,
    name: &'a str,
    address: &'a str,
    lat: f64,
    lon: f64,
    open: bool,
    /// Takes orders now: open, not paused, within its hours.
    open_now: bool,
    /// When it next takes orders, if not now.
    next_open_at: Option<Timestamp>,
    min_order_won: u64,
    /// The fee up to the base distance (more beyond it: `GET /stores/{id}`).
    base_fee_won: u64,
    radius_km: f64,
    menu_items: usize,
    rating: RatingSummary,
    /// Registered by its owner, not yet approved by an operator (seen by
    /// them only).
    awaiting_approval: bool,
}

/// A store's rating in a list.
#[derive(Serialize, utoipa::ToSchema)]
struct RatingSummary {
    average: f64,
    count: u64,
}

/// One store, with its menu, rating and whether it takes orders now.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct WithRating<'a> {
    #[serde(flatten)]
    #[schema(value_type = Store)]
    store: &'a Store,
    rating: RatingSummary,
    open_now: bool,
    next_open_at: Option<Timestamp>,
}

fn rating_of(state: &AppState, store: &str) -> ApiResult<RatingSummary> {
    let r = ratings::rating(&state.db, store)?;
    Ok(RatingSummary {
        average: r.average,
        count: r.count,
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    /// Stores per page (50; at most 500).
    limit: Option<usize>,
    /// The cursor a `Link: rel="next"` gave (a store id).
    after: Option<String>,
}

/// A page of the stores the caller may see (public: approved stores), by
/// id.
#[utoipa::path(get, path = "/stores", tag = "stores", security((), ("bearer" = [])), params(ListQuery),
    responses((status = 200, description = "A page of stores (without menus), by id; `Link: rel=\"next\"` while there are more.", body = Vec<Summary>)))]
async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: MaybeCaller,
    q: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let page = PageRequest::parse(q.limit, q.after)?;
    let stores = read::stores_page(&state.db, &page, |s| access::sees_store(&caller.0, s))?;
    let now = Timestamp::now();
    let summaries: Vec<Summary> = stores
        .items
        .iter()
        .map(|s| {
            let availability = s.availability(now);
            Ok(Summary {
                id: &s.id,
                name: &s.name,
                address: &s.address,
                lat: s.lat,
                lon: s.lon,
                open: s.open,
                open_now: availability.open_now,
                next_open_at: availability.next_open_at,
                min_order_won: s.delivery.min_order_won,
                base_fee_won: s.delivery.base_fee_won,
                radius_km: s.delivery.radius_km,
                menu_items: s.menu.len(),
                rating: rating_of(&state, &s.id)?,
                awaiting_approval: s.awaiting_approval,
            })
        })
        .collect::<ApiResult<_>>()?;
    let page = Page {
        items: summaries,
        next: stores.next,
    };
    Ok(paged(&req, page))
}

/// One store, with its menu, rating and whether it takes orders now; its
/// `ownerId` only to its owner and operators.
#[utoipa::path(get, path = "/stores/{storeId}", tag = "stores", security((), ("bearer" = [])), params(("storeId" = String, Path, description = "The store id")),
    responses(
        (status = 200, description = "The store.", body = WithRating),
        (status = 404, description = "No such store, or one awaiting approval the caller may not see."),
    ))]
async fn get(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let by = &caller.0;
    let store = visible_store(&state, by, &id)?;
    let rating = rating_of(&state, &store.id)?;
    let availability = store.availability(Timestamp::now());
    let mut shown = serde_json::to_value(WithRating {
        store: &store,
        rating,
        open_now: availability.open_now,
        next_open_at: availability.next_open_at,
    })
    .map_err(|e| crate::error::AppError::Internal(e.to_string()))?;
    // Whose account owns it is its owner's and operators' business.
    if !(by.owns(&store.id) || by.is_staff()) {
        if let Some(fields) = shown.as_object_mut() {
            fields.remove("ownerId");
        }
    }
    Ok(HttpResponse::Ok().json(shown))
}

/// Refuses an `ownerId` that names no store owner's account (422).
fn owner_account(state: &AppState, named: &str) -> ApiResult<()> {
    let is_owner = read::account(&state.db, named)?.is_some_and(|a| a.role == Role::Owner);
    if is_owner {
        Ok(())
    } else {
        Err(Problem::invalid(format!(
            "ownerId {named:?} is no store owner's account; create it first (POST /auth/signup, role \"owner\")"
        )))
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
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
    /// Whose store it is: an operator names an owner account; an owner may
    /// leave it out (or name themselves).
    owner_id: Option<String>,
    /// Minimum order, fees, radius, deadline (left out: the defaults).
    delivery: Option<DeliveryTerms>,
    /// Default cooking time and auto-accept (left out: the defaults).
    kitchen: Option<KitchenTerms>,
    /// Weekly hours and closed dates (left out: open whenever `open` is).
    hours: Option<OpeningHours>,
}

fn open_by_default() -> bool {
    true
}

/// Registers a store: an owner's awaits an operator's approval; an
/// operator's takes orders at once.
#[utoipa::path(post, path = "/stores", tag = "stores",
    request_body = NewStore,
    responses(
        (status = 201, description = "Registered (an owner's awaits approval).", body = Store),
        (status = 403, description = "Not an owner or an operator, or another owner named."),
        (status = 409, description = "The id is taken."),
    ))]
async fn register(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewStore>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let by = &caller.principal;
    // Whose store it may be is the domain's (`Store::decide`); whether the
    // owner an operator names has an owner's account is a read.
    let owner_id = body.owner_id;
    if let Some(named) = owner_id.as_ref().filter(|_| by.is_staff()) {
        owner_account(&state, named)?;
    }
    let at = districts::position(body.lat, body.lon, &body.address)?;
    let store = Store {
        id: body.id,
        name: body.name,
        address: body.address,
        lat: at.lat,
        lon: at.lon,
        open: body.open,
        menu: body.menu,
        owner_id,
        awaiting_approval: false,
        delivery: body.delivery.unwrap_or_default(),
        kitchen: body.kitchen.unwrap_or_default(),
        hours: body.hours,
        paused_until: None,
    };
    store.validate()?;
    let id = store.id.clone();
    let store = command(&state, by, &id, StoreCommand::Register(Box::new(store))).await?;
    Ok(HttpResponse::Created().json(store))
}

/// Sends a command `by` someone to a store's actor, which decides whether
/// they may.
pub(super) async fn command(
    state: &AppState,
    by: &Principal,
    id: &str,
    cmd: StoreCommand,
) -> ApiResult<Store> {
    Ok(state
        .registry
        .send(&id.to_string(), Execute::<Store>::new(by, cmd))
        .await??
        .state)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OwnerBody {
    owner_id: String,
}

/// An operator gives a store to an owner account (a store from before
/// accounts existed has none, and only operators manage it).
#[utoipa::path(put, path = "/stores/{storeId}/owner", tag = "stores", params(("storeId" = String, Path, description = "The store id")),
    request_body = OwnerBody,
    responses(
        (status = 200, description = "The store.", body = Store),
        (status = 403, description = "Not an operator."),
    ))]
async fn set_owner(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<OwnerBody>,
) -> ApiResult<HttpResponse> {
    let owner = body.into_inner().owner_id;
    // Only an operator may, and a store the caller cannot see does not
    // exist: the store decides that before anyone learns whose ids exist.
    if caller.principal.is_staff() {
        owner_account(&state, &owner)?;
    }
    let store = command(
        &state,
        &caller.principal,
        &id,
        StoreCommand::SetOwner(owner),
    )
    .await?;
    Ok(HttpResponse::Ok().json(store))
}

/// An operator approves a store an owner registered.
#[utoipa::path(post, path = "/stores/{storeId}/approve", tag = "stores", params(("storeId" = String, Path, description = "The store id")),
    responses(
        (status = 200, description = "Approved: it takes orders.", body = Store),
        (status = 403, description = "Not an operator."),
        (status = 409, description = "Not awaiting approval."),
    ))]
async fn approve(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let store = command(&state, &caller.principal, &id, StoreCommand::Approve).await?;
    Ok(HttpResponse::Ok().json(store))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct MenuItemBody {
    name: String,
    price: u64,
    /// Its option groups; left out, they stay as they were.
    #[serde(rename = "optionGroups")]
    option_groups: Option<Vec<OptionGroup>>,
}

/// Adds or changes a dish of the menu.
#[utoipa::path(put, path = "/stores/{storeId}/menu/{menuId}", tag = "stores", params(("storeId" = String, Path, description = "The store id"), ("menuId" = String, Path, description = "The dish's id")),
    request_body = MenuItemBody,
    responses(
        (status = 200, description = "The store.", body = Store),
        (status = 403, description = "Not the store's owner or an operator."),
    ))]
async fn set_menu_item(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Json<MenuItemBody>,
) -> ApiResult<HttpResponse> {
    let (store_id, menu_id) = path.into_inner();
    let body = body.into_inner();
    let option_groups = match body.option_groups {
        Some(groups) => groups,
        None => visible_store(&state, &caller.principal, &store_id)?
            .menu_item(&menu_id)
            .map(|m| m.option_groups.clone())
            .unwrap_or_default(),
    };
    let item = MenuItem {
        id: menu_id,
        name: body.name,
        price: body.price,
        // Kept as it was: a new name or price does not restock a dish.
        sold_out: false,
        option_groups,
    };
    item.validate()?;
    let cmd = StoreCommand::SetMenuItem(item);
    let store = command(&state, &caller.principal, &store_id, cmd).await?;
    Ok(HttpResponse::Ok().json(store))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct OpenBody {
    open: bool,
}

/// Opens or closes a store: a closed store's checkouts are refused (409)
/// before anything is charged.
#[utoipa::path(put, path = "/stores/{storeId}/open", tag = "stores", params(("storeId" = String, Path, description = "The store id")),
    request_body = OpenBody,
    responses(
        (status = 200, description = "The store.", body = Store),
        (status = 403, description = "Not the store's owner or an operator."),
    ))]
async fn set_open(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<OpenBody>,
) -> ApiResult<HttpResponse> {
    let cmd = StoreCommand::SetOpen(body.open);
    let store = command(&state, &caller.principal, &id, cmd).await?;
    Ok(HttpResponse::Ok().json(store))
}
