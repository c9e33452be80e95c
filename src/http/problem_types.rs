//! Every problem type the API answers (RFC 9457): its `type`
//! (`/problems/<slug>`), its status, and what it means. A [`Problem`] is
//! always one of these, so the list `/openapi.json` publishes is the whole
//! list.
//!
//! [`Problem`]: super::Problem

use actix_web::http::StatusCode;

/// One kind of refusal or failure. Each has one status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemType {
    InvalidRequest,
    BelowMinimumOrder,
    OutsideDeliveryArea,
    MalformedJson,
    BadRequest,
    UnsupportedMediaType,
    PayloadTooLarge,
    Unauthenticated,
    Forbidden,
    NotYourDelivery,
    NotFound,
    PaymentDeclined,
    Conflict,
    PaymentKeyUsed,
    AlreadyTaken,
    CookingStarted,
    StoreClosed,
    StorePaused,
    SoldOut,
    CouponUnusable,
    RateLimited,
    TooManySockets,
    Overloaded,
    Unavailable,
    StorageUnavailable,
    Storage,
    Internal,
}

impl ProblemType {
    /// All of them, in the order the reference lists them.
    pub const ALL: [ProblemType; 27] = [
        ProblemType::InvalidRequest,
        ProblemType::BelowMinimumOrder,
        ProblemType::OutsideDeliveryArea,
        ProblemType::MalformedJson,
        ProblemType::BadRequest,
        ProblemType::UnsupportedMediaType,
        ProblemType::PayloadTooLarge,
        ProblemType::Unauthenticated,
        ProblemType::Forbidden,
        ProblemType::NotYourDelivery,
        ProblemType::NotFound,
        ProblemType::PaymentDeclined,
        ProblemType::Conflict,
        ProblemType::PaymentKeyUsed,
        ProblemType::AlreadyTaken,
        ProblemType::CookingStarted,
        ProblemType::StoreClosed,
        ProblemType::StorePaused,
        ProblemType::SoldOut,
        ProblemType::CouponUnusable,
        ProblemType::RateLimited,
        ProblemType::TooManySockets,
        ProblemType::Overloaded,
        ProblemType::Unavailable,
        ProblemType::StorageUnavailable,
        ProblemType::Storage,
        ProblemType::Internal,
    ];

    /// The last segment of the problem's `type`.
    pub fn slug(self) -> &'static str {
        self.describe().0
    }

    /// The `type` member of the answer: `/problems/<slug>`.
    pub fn uri(self) -> String {
        format!("/problems/{}", self.slug())
    }

    pub fn status(self) -> StatusCode {
        self.describe().1
    }

    /// What it means, and what the caller can do about it.
    pub fn meaning(self) -> &'static str {
        self.describe().2
    }

    fn describe(self) -> (&'static str, StatusCode, &'static str) {
        use ProblemType::*;
        match self {
            InvalidRequest => ("invalid-request", StatusCode::UNPROCESSABLE_ENTITY, "A field, a query parameter or the body's shape is not acceptable; `detail` names which and why."),
            BelowMinimumOrder => ("below-minimum-order", StatusCode::UNPROCESSABLE_ENTITY, "The basket is under the store's minimum order; `detail` says how much is missing, in won."),
            OutsideDeliveryArea => ("outside-delivery-area", StatusCode::UNPROCESSABLE_ENTITY, "The drop-off is beyond the store's delivery radius; `detail` says how far it is, in km."),
            MalformedJson => ("malformed-json", StatusCode::BAD_REQUEST, "The body is not valid JSON."),
            BadRequest => ("bad-request", StatusCode::BAD_REQUEST, "The body could not be read."),
            UnsupportedMediaType => ("unsupported-media-type", StatusCode::UNSUPPORTED_MEDIA_TYPE, "The body must be sent with `Content-Type: application/json`."),
            PayloadTooLarge => ("payload-too-large", StatusCode::PAYLOAD_TOO_LARGE, "The body is over 64 KiB."),
            Unauthenticated => ("unauthenticated", StatusCode::UNAUTHORIZED, "No valid access token: sign in (`POST /auth/login`) or refresh it (`POST /auth/refresh`)."),
            Forbidden => ("forbidden", StatusCode::FORBIDDEN, "The caller's role or ownership does not allow this action."),
            NotYourDelivery => ("not-your-delivery", StatusCode::FORBIDDEN, "Another rider carries this delivery."),
            NotFound => ("not-found", StatusCode::NOT_FOUND, "No such resource, or none the caller may see."),
            PaymentDeclined => ("payment-declined", StatusCode::PAYMENT_REQUIRED, "The payment gateway declined the charge; nothing was charged."),
            Conflict => ("conflict", StatusCode::CONFLICT, "The resource is not in a state that allows this action (an order already accepted, a review already written, …)."),
            PaymentKeyUsed => ("payment-key-used", StatusCode::CONFLICT, "The gateway's paymentKey was already used for another order or revision."),
            AlreadyTaken => ("already-taken", StatusCode::CONFLICT, "An id (account, store) is already taken."),
            CookingStarted => ("cooking-started", StatusCode::CONFLICT, "The kitchen has started cooking: the order can no longer be changed or canceled by the customer."),
            StoreClosed => ("store-closed", StatusCode::CONFLICT, "The store is closed now; `detail` says when it next opens."),
            StorePaused => ("store-paused", StatusCode::CONFLICT, "The store has paused orders; `detail` says until when."),
            SoldOut => ("sold-out", StatusCode::CONFLICT, "A dish in the basket is sold out; `detail` names it."),
            CouponUnusable => ("coupon-unusable", StatusCode::CONFLICT, "The coupon does not exist, is used, or does not apply."),
            RateLimited => ("rate-limited", StatusCode::TOO_MANY_REQUESTS, "Too many requests from this address or account; `Retry-After` says when to try again."),
            TooManySockets => ("too-many-sockets", StatusCode::TOO_MANY_REQUESTS, "The account has as many WebSockets open as it may; close one first."),
            Overloaded => ("overloaded", StatusCode::SERVICE_UNAVAILABLE, "The server is busy with other requests; try again after `Retry-After`."),
            Unavailable => ("unavailable", StatusCode::SERVICE_UNAVAILABLE, "A dependency (the payment gateway, a backup in progress) is unavailable; try again after `Retry-After`."),
            StorageUnavailable => ("storage-unavailable", StatusCode::SERVICE_UNAVAILABLE, "Storage refuses writes (a full disk); reads still work. Try again after `Retry-After`."),
            Storage => ("storage", StatusCode::INTERNAL_SERVER_ERROR, "Storage failed."),
            Internal => ("internal", StatusCode::INTERNAL_SERVER_ERROR, "An internal error."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ProblemType;
    use std::collections::HashSet;

    #[test]
    fn each_type_has_its_own_slug_and_an_error_status() {
        let slugs: HashSet<&str> = ProblemType::ALL.iter().map(|t| t.slug()).collect();
        assert_eq!(slugs.len(), ProblemType::ALL.len());
        for t in ProblemType::ALL {
            assert!(t.status().is_client_error() || t.status().is_server_error());
            assert!(t.uri().starts_with("/problems/"));
            assert!(!t.meaning().is_empty());
        }
    }
}
