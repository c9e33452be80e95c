//! Accounts and sessions: sign up, sign in, refresh, sign out; who am I;
//! an operator's disabling, and closing an account.

use super::caller::{Caller, MaybeCaller};
use super::{ApiResult, AppState, Problem};
use crate::actors::services::accounts::{self, AccountView, Credentials};
use crate::domain::access::{Principal, Role};
use crate::domain::account::AccountCommand;
use crate::read;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/signup", web::post().to(sign_up))
        .route("/auth/login", web::post().to(login))
        .route("/auth/refresh", web::post().to(refresh))
        .route("/auth/logout", web::post().to(logout))
        .route("/auth/me", web::get().to(me))
        .route("/accounts/{id}/disabled", web::put().to(set_disabled))
        .route("/accounts/{id}", web::delete().to(close));
}

/// This module's routes in the API's contract (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(sign_up, login, refresh, logout, me, set_disabled, close))]
pub(super) struct Api;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SignUp {
    id: String,
    password: String,
    /// `customer` or `rider`; an operator may also create `owner` and
    /// `operator` accounts.
    role: String,
    name: String,
}

/// Counts a sign-in or sign-up against its address's limit: each costs a
/// password hash.
fn sign_in_allowed(state: &AppState, req: &HttpRequest) -> ApiResult<()> {
    match req.peer_addr() {
        Some(peer) => state.rate_limits.check_sign_in(peer.ip()),
        None => Ok(()),
    }
}

/// Creates an account: anyone may sign up as a customer or a rider; an
/// operator may also create owner and operator accounts.
#[utoipa::path(post, path = "/auth/signup", tag = "accounts", security((), ("bearer" = [])),
    request_body = SignUp,
    responses(
        (status = 201, description = "The account.", body = AccountView),
        (status = 403, description = "Only an operator may create owner and operator accounts."),
        (status = 409, description = "The id is taken (`already-taken`)."),
    ))]
async fn sign_up(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: MaybeCaller,
    body: web::Json<SignUp>,
) -> ApiResult<HttpResponse> {
    sign_in_allowed(&state, &req)?;
    let body = body.into_inner();
    let role = Role::parse(&body.role).ok_or_else(|| {
        Problem::invalid("role must be \"customer\" or \"rider\" (\"owner\" and \"operator\" accounts are made by an operator)")
    })?;
    // Signing up while signed in is signing up anonymously, unless an
    // operator makes the account.
    let by = match caller.0 {
        by @ Principal::Operator(_) => by,
        _ => Principal::Anonymous,
    };
    let account = accounts::sign_up(
        &state.registry,
        &by,
        &body.id,
        body.password,
        role,
        body.name,
    )
    .await?;
    Ok(HttpResponse::Created().json(account))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Login {
    id: String,
    password: String,
}

/// Signs in: an access token and a refresh token.
#[utoipa::path(post, path = "/auth/login", tag = "accounts", security(()),
    request_body = Login,
    responses(
        (status = 200, description = "Signed in.", body = Credentials),
        (status = 401, description = "Wrong id or password, or the account is disabled or closed."),
    ))]
async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Login>,
) -> ApiResult<HttpResponse> {
    sign_in_allowed(&state, &req)?;
    let body = body.into_inner();
    let credentials =
        accounts::login(&state.registry, &state.tokens, &body.id, body.password).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(credentials))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Refresh {
    refresh_token: String,
}

/// Trades a refresh token (once) for new credentials.
#[utoipa::path(post, path = "/auth/refresh", tag = "accounts", security(()),
    request_body = Refresh,
    responses(
        (status = 200, description = "New credentials; the old refresh token stops working.", body = Credentials),
        (status = 401, description = "The refresh token is unknown, used or expired."),
    ))]
async fn refresh(state: web::Data<AppState>, body: web::Json<Refresh>) -> ApiResult<HttpResponse> {
    let credentials =
        accounts::refresh(&state.registry, &state.tokens, &body.refresh_token).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(credentials))
}

/// Ends the session the access token belongs to: its refresh token and
/// every access token issued to it stop working.
#[utoipa::path(post, path = "/auth/logout", tag = "accounts",
    responses((status = 204, description = "Signed out.")))]
async fn logout(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    accounts::logout(&state.registry, &caller.principal, caller.claims.sid).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, utoipa::ToSchema)]
struct Me<'a> {
    #[serde(flatten)]
    account: AccountView,
    /// The stores an owner owns.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<String>>)]
    stores: Option<&'a [String]>,
}

/// The signed-in account.
#[utoipa::path(get, path = "/auth/me", tag = "accounts",
    responses((status = 200, description = "The account, with the stores an owner owns.", body = Me)))]
async fn me(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let id = caller.principal.id();
    let account = read::account(&state.db, id)?
        .ok_or_else(|| Problem::not_found(format!("account {id:?} does not exist")))?;
    let stores = match &caller.principal {
        Principal::Owner { stores, .. } => Some(stores.as_slice()),
        _ => None,
    };
    Ok(HttpResponse::Ok().json(Me {
        account: AccountView::from(&account),
        stores,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Disabled {
    disabled: bool,
}

/// An operator turns an account off (every token of it is refused at
/// once) or on again.
#[utoipa::path(put, path = "/accounts/{id}/disabled", tag = "accounts", params(("id" = String, Path, description = "The account id")),
    request_body = Disabled,
    responses(
        (status = 200, description = "The account.", body = AccountView),
        (status = 403, description = "Not an operator."),
    ))]
async fn set_disabled(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<Disabled>,
) -> ApiResult<HttpResponse> {
    let cmd = AccountCommand::SetDisabled(body.disabled);
    let account = accounts::command(&state.registry, &caller.principal, &id, cmd).await?;
    Ok(HttpResponse::Ok().json(account))
}

/// Closes an account for good (the account itself, or an operator).
#[utoipa::path(delete, path = "/accounts/{id}", tag = "accounts", params(("id" = String, Path, description = "The account id")),
    responses(
        (status = 204, description = "Closed."),
        (status = 403, description = "Another's account, and not an operator."),
    ))]
async fn close(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    accounts::command(
        &state.registry,
        &caller.principal,
        &id,
        AccountCommand::Close,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
