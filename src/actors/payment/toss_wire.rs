//! The JSON of Toss Payments' API v1 that baedal sends and reads
//! (docs.tosspayments.com, "Payment 객체" and "에러 객체"): only the fields
//! it uses; the others are ignored.

use crate::domain::Won;
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

/// `POST /v1/payments/confirm`'s body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Confirm<'a> {
    pub payment_key: &'a str,
    pub order_id: &'a str,
    pub amount: Won,
}

/// `POST /v1/payments/{paymentKey}/cancel`'s body: `cancelAmount` won of
/// what is left.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Cancel<'a> {
    pub cancel_reason: &'a str,
    pub cancel_amount: Won,
}

/// A payment as Toss answers it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TossPayment {
    pub payment_key: String,
    /// `READY`, `IN_PROGRESS`, `WAITING_FOR_DEPOSIT`, `DONE`, `CANCELED`,
    /// `PARTIAL_CANCELED`, `ABORTED` or `EXPIRED`.
    pub status: String,
    /// Won approved.
    pub total_amount: Won,
    /// Won not canceled yet.
    pub balance_amount: Won,
    /// Each cancel, oldest first; `null` before the first.
    #[serde(default)]
    pub cancels: Option<Vec<TossCancel>>,
}

impl TossPayment {
    /// Approved, then perhaps canceled in part or whole: money moved.
    pub fn was_approved(&self) -> bool {
        matches!(
            self.status.as_str(),
            "DONE" | "PARTIAL_CANCELED" | "CANCELED"
        )
    }
}

/// One cancel of a payment.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TossCancel {
    pub transaction_key: String,
    pub cancel_amount: Won,
}

/// Toss's error object, with the HTTP status it came with.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Failure {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

impl Failure {
    /// `message (CODE)`, for the customer or the log.
    pub fn describe(&self) -> String {
        match (self.message.is_empty(), self.code.is_empty()) {
            (false, false) => format!("{} ({})", self.message, self.code),
            (false, true) => self.message.clone(),
            _ => self.code.clone(),
        }
    }

    /// Whether the refusal is Toss's or baedal's own trouble rather than
    /// the customer's payment being declined: a bad key, too many
    /// requests, or an error Toss says is temporary. Nothing was approved;
    /// the breaker counts it.
    pub fn is_gateway_trouble(&self, status: StatusCode) -> bool {
        status == StatusCode::UNAUTHORIZED
            || status == StatusCode::TOO_MANY_REQUESTS
            || matches!(
                self.code.as_str(),
                "PROVIDER_ERROR"
                    | "UNAUTHORIZED_KEY"
                    | "INVALID_API_KEY"
                    | "FAILED_INTERNAL_SYSTEM_PROCESSING"
                    | "FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING"
                    | "FAILED_DB_PROCESSING"
            )
    }
}
