//! Every error the API answers, as `application/problem+json`, mapped from
//! the application's errors in this one place.

use crate::domain::{DomainError, ErrorKind};
use crate::error::AppError;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;

/// An API error: a status, a short kind and a message a person can act on.
#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    /// Short machine-readable kind, used in `type`.
    pub kind: &'static str,
    pub detail: String,
    pub retry_after_secs: Option<u64>,
    /// For a 429: the policy broken, for the `RateLimit` headers.
    pub rate_limit: Option<RatePolicy>,
}

/// A rate limit's policy, as `RateLimit-Policy` names it: `limit` requests
/// per second under `name`.
#[derive(Debug, Clone, Copy)]
pub struct RatePolicy {
    pub name: &'static str,
    pub limit: u32,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> Self {
        Problem {
            status,
            kind,
            detail: detail.into(),
            retry_after_secs: None,
            rate_limit: None,
        }
    }

    /// 503: too many requests in flight (admission control); try again in
    /// a second.
    pub fn overloaded() -> Self {
        Problem {
            retry_after_secs: Some(1),
            ..Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded",
                "the server is busy with other requests; try again in a moment",
            )
        }
    }

    /// 429: over the rate limit `policy` (`limit` a second); try again in
    /// `retry_after_secs`.
    pub fn rate_limited(
        detail: impl Into<String>,
        policy: &'static str,
        limit: u32,
        retry_after_secs: u64,
    ) -> Self {
        Problem {
            retry_after_secs: Some(retry_after_secs),
            rate_limit: Some(RatePolicy {
                name: policy,
                limit,
            }),
            ..Problem::new(StatusCode::TOO_MANY_REQUESTS, "rate-limited", detail)
        }
    }

    pub fn invalid(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-request", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::NOT_FOUND, "not-found", detail)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.kind, self.detail)
    }
}

#[derive(Serialize)]
struct Body<'a> {
    r#type: String,
    title: &'a str,
    status: u16,
    detail: &'a str,
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if self.status.is_server_error() {
            tracing::error!(status = self.status.as_u16(), detail = %self.detail, "request failed");
        }
        let body = Body {
            r#type: format!("/problems/{}", self.kind),
            title: self.status.canonical_reason().unwrap_or("Error"),
            status: self.status.as_u16(),
            detail: &self.detail,
        };
        let mut res = HttpResponse::build(self.status);
        res.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let Some(secs) = self.retry_after_secs {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if let (Some(policy), Some(secs)) = (self.rate_limit, self.retry_after_secs) {
            // draft-ietf-httpapi-ratelimit-headers: the policy (quota per
            // window of 1 s) and what is left of it (nothing) until reset.
            res.insert_header((
                "RateLimit-Policy",
                format!("\"{}\";q={};w=1", policy.name, policy.limit),
            ));
            res.insert_header(("RateLimit", format!("\"{}\";r=0;t={secs}", policy.name)));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            // RFC 6750, section 3: say which scheme, and why.
            res.insert_header((
                header::WWW_AUTHENTICATE,
                r#"Bearer realm="baedal", error="invalid_token""#,
            ));
        }
        res.body(serde_json::to_string(&body).unwrap_or_default())
    }
}

impl From<DomainError> for Problem {
    fn from(e: DomainError) -> Self {
        let (status, kind) = match (e.kind(), &e) {
            (ErrorKind::Invalid, DomainError::BelowMinimumOrder { .. }) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "below-minimum-order")
            }
            (ErrorKind::Invalid, DomainError::OutsideDeliveryArea { .. }) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "outside-delivery-area")
            }
            (ErrorKind::Invalid, _) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid-request"),
            (ErrorKind::NotFound, _) => (StatusCode::NOT_FOUND, "not-found"),
            (ErrorKind::Forbidden, DomainError::NotYourDelivery { .. }) => {
                (StatusCode::FORBIDDEN, "not-your-delivery")
            }
            (ErrorKind::Forbidden, _) => (StatusCode::FORBIDDEN, "forbidden"),
            (ErrorKind::PaymentDeclined, _) => (StatusCode::PAYMENT_REQUIRED, "payment-declined"),
            (ErrorKind::Unauthenticated, _) => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            (ErrorKind::Conflict, DomainError::PaymentKeyUsed { .. }) => {
                (StatusCode::CONFLICT, "payment-key-used")
            }
            (ErrorKind::Conflict, DomainError::AlreadyTaken { .. }) => {
                (StatusCode::CONFLICT, "already-taken")
            }
            (ErrorKind::Conflict, DomainError::CookingStarted(_)) => {
                (StatusCode::CONFLICT, "cooking-started")
            }
            (
                ErrorKind::Conflict,
                DomainError::StoreClosed(_) | DomainError::StoreClosedNow { .. },
            ) => (StatusCode::CONFLICT, "store-closed"),
            (ErrorKind::Conflict, DomainError::StorePaused { .. }) => {
                (StatusCode::CONFLICT, "store-paused")
            }
            (ErrorKind::Conflict, DomainError::SoldOut { .. }) => {
                (StatusCode::CONFLICT, "sold-out")
            }
            (
                ErrorKind::Conflict,
                DomainError::UnknownCoupon(_) | DomainError::CouponUnusable { .. },
            ) => (StatusCode::CONFLICT, "coupon-unusable"),
            (ErrorKind::Conflict, _) => (StatusCode::CONFLICT, "conflict"),
        };
        Problem::new(status, kind, e.to_string())
    }
}

/// `Retry-After` when storage is unavailable: time for an operator or the
/// supervisor to free space and restart baedal.
const STORAGE_RETRY_AFTER_SECS: u64 = 30;

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Domain(d) => d.into(),
            AppError::Unavailable {
                message,
                retry_after_secs,
            } => Problem {
                retry_after_secs: Some(retry_after_secs),
                ..Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
            },
            AppError::Storage(s @ crate::storage::StorageError::Unavailable(_)) => Problem {
                retry_after_secs: Some(STORAGE_RETRY_AFTER_SECS),
                ..Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage-unavailable",
                    s.to_string(),
                )
            },
            AppError::Storage(s) => {
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "storage", s.to_string())
            }
            AppError::Internal(m) => Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", m),
        }
    }
}

impl From<crate::storage::StorageError> for Problem {
    fn from(e: crate::storage::StorageError) -> Self {
        AppError::from(e).into()
    }
}

/// Malformed JSON is 400; JSON of the wrong shape is 422; the rest as named.
pub fn json_error(err: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let problem = match &err {
        JsonPayloadError::ContentType => Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "the body must be JSON, sent with Content-Type: application/json",
        ),
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            format!("the body must be at most {limit} bytes"),
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            Problem::invalid(format!("the body does not fit: {e}"))
        }
        JsonPayloadError::Deserialize(e) => Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            format!("the body is not valid JSON: {e}"),
        ),
        other => Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            format!("the body could not be read: {other}"),
        ),
    };
    problem.into()
}

pub fn query_error(err: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    Problem::invalid(format!("the query string does not fit: {err}")).into()
}

pub fn path_error(err: PathError, _: &HttpRequest) -> actix_web::Error {
    Problem::not_found(format!("no such resource: {err}")).into()
}
