//! Who is calling: the `Authorization: Bearer` header (or, for the
//! WebSocket, `?access_token=`, RFC 6750 section 2.3, since browsers cannot
//! set headers on it) turned into a [`Principal`].
//!
//! [`Caller`] requires a valid token (401 with `WWW-Authenticate: Bearer`
//! otherwise); [`MaybeCaller`] lets anonymous callers through, for the
//! public routes. What either may do is decided in `domain::access`.

use super::{AppState, Problem};
use crate::auth::AccessClaims;
use crate::domain::access::Principal;
use crate::domain::{DomainError, Timestamp};
use crate::read;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use std::future::{ready, Ready};

/// A signed-in caller.
pub struct Caller {
    pub principal: Principal,
    /// What its token says: the session it was issued to (for signing
    /// out), when it expires (a WebSocket closes then).
    pub claims: AccessClaims,
}

/// A caller who may also be anonymous.
pub struct MaybeCaller(pub Principal);

/// The token a request carries, if any.
fn presented(req: &HttpRequest) -> Result<Option<String>, Problem> {
    if let Some(value) = req.headers().get(actix_web::http::header::AUTHORIZATION) {
        let value = value.to_str().unwrap_or_default();
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Problem::from(DomainError::Unauthenticated(
                    "the Authorization header must be \"Bearer <access token>\"".into(),
                ))
            })?;
        return Ok(Some(token.to_string()));
    }
    if req.path() == "/ws" {
        let query = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
            .map(|q| q.into_inner())
            .unwrap_or_default();
        if let Some((_, token)) = query.into_iter().find(|(k, _)| k == "access_token") {
            return Ok(Some(token));
        }
    }
    Ok(None)
}

fn resolve(req: &HttpRequest) -> Result<Option<Caller>, Problem> {
    let Some(token) = presented(req)? else {
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| Problem::from(crate::error::AppError::Internal("no app state".into())))?;
    let claims = state.tokens.verify(&token)?;
    state.rate_limits.check_account(&claims.sub)?;
    let principal = read::principal(&state.db, &claims, Timestamp::now())?;
    Ok(Some(Caller { principal, claims }))
}

impl FromRequest for Caller {
    type Error = Problem;
    type Future = Ready<Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(resolve(req).and_then(|caller| {
            caller.ok_or_else(|| {
                DomainError::Unauthenticated(
                    "sign in first: send Authorization: Bearer <access token> (POST /auth/login gives one)"
                        .into(),
                )
                .into()
            })
        }))
    }
}

impl FromRequest for MaybeCaller {
    type Error = Problem;
    type Future = Ready<Result<Self, Problem>>;

    /// A token that is sent must still be valid: a bad one is a 401, not
    /// a silent fall back to anonymous.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            resolve(req)
                .map(|caller| MaybeCaller(caller.map_or(Principal::Anonymous, |c| c.principal))),
        )
    }
}

/// A signed-in operator: 401 for anonymous callers, 403 for the others.
pub struct Operator;

impl FromRequest for Operator {
    type Error = Problem;
    type Future = Ready<Result<Self, Problem>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = match Caller::from_request(req, payload).into_inner() {
            Ok(caller) => caller,
            Err(e) => return ready(Err(e)),
        };
        ready(if caller.principal.is_staff() {
            Ok(Operator)
        } else {
            Err(crate::domain::access::forbidden(
                &caller.principal,
                "use",
                req.path().to_string(),
                "an operator",
            )
            .into())
        })
    }
}
