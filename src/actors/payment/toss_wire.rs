//! The JSON of Toss Payments' API v1 that baedal sends and reads
//! (docs.tosspayments.com, "Payment 객체" and "에러 객체"): only the fields
//! it uses; the others are ignored.

use crate::domain::Won;
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
    /// Approved for `amount` won and nothing of it cancelled.
    pub fn is_whole(&self, amount: Won) -> bool {
        self.status == "DONE" && self.total_amount == amount && self.balance_amount == amount
    }

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
    #[serde(default)]
    pub cancel_reason: String,
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

    /// Whether Toss refused the customer's payment itself: a card or
    /// account refused, a limit reached, the authorization expired or not
    /// found (docs.tosspayments.com, "에러 코드"). Any other refusal is
    /// about the request (a key, a limit, a bug), not the customer.
    pub fn is_decline(&self) -> bool {
        let code = self.code.as_str();
        code.starts_with("REJECT_")
            || code.starts_with("INVALID_CARD")
            || code.starts_with("EXCEED_")
            || matches!(
                code,
                "INVALID_STOPPED_CARD"
                    | "INVALID_REJECT_CARD"
                    | "INVALID_PASSWORD"
                    | "NOT_AVAILABLE_PAYMENT"
                    | "NOT_FOUND_PAYMENT_SESSION"
                    | "BELOW_MINIMUM_AMOUNT"
                    | "NOT_ALLOWED_POINT_USE"
                    | "PAY_PROCESS_CANCELED"
                    | "PAY_PROCESS_ABORTED"
            )
    }
}
