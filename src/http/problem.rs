//! Every error the API answers, as `application/problem+json`, mapped from
//! the application's errors in this one place.

pub use super::problem_types::ProblemType;
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
    /// Which problem it is: its `type`.
    pub kind: ProblemType,
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
    /// A problem of type `kind` (whose status it takes), saying `detail`.
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        Problem {
            status: kind.status(),
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
                ProblemType::Overloaded,
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
            ..Problem::new(ProblemType::RateLimited, detail)
        }
    }

    pub fn invalid(detail: impl Into<String>) -> Self {
        Problem::new(ProblemType::InvalidRequest, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Problem::new(ProblemType::NotFound, detail)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.kind.slug(),
            self.detail
        )
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
            r#type: self.kind.uri(),
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
        let kind = match (e.kind(), &e) {
            (ErrorKind::Invalid, DomainError::BelowMinimumOrder { .. }) => {
                ProblemType::BelowMinimumOrder
            }
            (ErrorKind::Invalid, DomainError::OutsideDeliveryArea { .. }) => {
                ProblemType::OutsideDeliveryArea
            }
            (ErrorKind::Invalid, _) => ProblemType::InvalidRequest,
            (ErrorKind::NotFound, _) => ProblemType::NotFound,
            (ErrorKind::Forbidden, DomainError::NotYourDelivery { .. }) => {
                ProblemType::NotYourDelivery
            }
            (ErrorKind::Forbidden, _) => ProblemType::Forbidden,
            (ErrorKind::PaymentDeclined, _) => ProblemType::PaymentDeclined,
            (ErrorKind::Unauthenticated, _) => ProblemType::Unauthenticated,
            (ErrorKind::Conflict, DomainError::PaymentKeyUsed { .. }) => {
                ProblemType::PaymentKeyUsed
            }
            (ErrorKind::Conflict, DomainError::AlreadyTaken { .. }) => ProblemType::AlreadyTaken,
            (ErrorKind::Conflict, DomainError::CookingStarted(_)) => ProblemType::CookingStarted,
            (
                ErrorKind::Conflict,
                DomainError::StoreClosed(_) | DomainError::StoreClosedNow { .. },
            ) => ProblemType::StoreClosed,
            (ErrorKind::Conflict, DomainError::StorePaused { .. }) => ProblemType::StorePaused,
            (ErrorKind::Conflict, DomainError::SoldOut { .. }) => ProblemType::SoldOut,
            (
                ErrorKind::Conflict,
                DomainError::UnknownCoupon(_) | DomainError::CouponUnusable { .. },
            ) => ProblemType::CouponUnusable,
            (ErrorKind::Conflict, _) => ProblemType::Conflict,
        };
        Problem::new(kind, e.to_string())
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
                ..Problem::new(ProblemType::Unavailable, message)
            },
            AppError::Storage(s @ crate::storage::StorageError::Unavailable(_)) => Problem {
                retry_after_secs: Some(STORAGE_RETRY_AFTER_SECS),
                ..Problem::new(ProblemType::StorageUnavailable, s.to_string())
            },
            AppError::Storage(s) => Problem::new(ProblemType::Storage, s.to_string()),
            AppError::Internal(m) => Problem::new(ProblemType::Internal, m),
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
            ProblemType::UnsupportedMediaType,
            "the body must be JSON, sent with Content-Type: application/json",
        ),
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => Problem::new(
            ProblemType::PayloadTooLarge,
            format!("the body must be at most {limit} bytes"),
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            Problem::invalid(format!("the body does not fit: {e}"))
        }
        JsonPayloadError::Deserialize(e) => Problem::new(
            ProblemType::MalformedJson,
            format!("the body is not valid JSON: {e}"),
        ),
        other => Problem::new(
            ProblemType::BadRequest,
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
