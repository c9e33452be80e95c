//! What a customer's app brings back from a payment gateway's widget: the
//! `paymentKey` the gateway issued and the `orderId` the app opened the
//! widget with. The server approves that payment; it never sees the card.
//!
//! Shapes follow Toss Payments' published rules (docs.tosspayments.com,
//! "결제 승인" and the widget's `requestPayment`): an `orderId` is 6 to 64
//! characters of letters, digits, `-` and `_`; a `paymentKey` at most 200
//! characters. The built-in sandbox needs neither.

use super::error::DomainError;
use serde::{Deserialize, Serialize};

/// Longest `paymentKey` accepted.
pub const MAX_PAYMENT_KEY_CHARS: usize = 200;
/// Shortest and longest gateway `orderId`.
pub const GATEWAY_ORDER_ID_CHARS: std::ops::RangeInclusive<usize> = 6..=64;

/// A payment the customer authorized at the gateway, to be approved for one
/// order (or one revision's extra charge).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentKey {
    /// The gateway's `paymentKey`.
    pub key: String,
    /// The `orderId` the widget was opened with: the gateway looks the
    /// payment up by it.
    pub gateway_order_id: String,
}

impl PaymentKey {
    /// Parses the request's `paymentKey` and `paymentOrderId`: both or
    /// neither. Errors: 422 naming the field that is missing or malformed.
    pub fn parse(
        key: Option<&str>,
        gateway_order_id: Option<&str>,
    ) -> Result<Option<PaymentKey>, DomainError> {
        let (key, gateway_order_id) = match (key, gateway_order_id) {
            (None, None) => return Ok(None),
            (Some(k), Some(o)) => (k, o),
            (Some(_), None) => {
                return Err(invalid(
                    "paymentOrderId",
                    "must come with paymentKey: the orderId the payment widget was opened with",
                ))
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "paymentKey",
                    "must come with paymentOrderId: the key the payment widget answered",
                ))
            }
        };
        if key.is_empty()
            || key.len() > MAX_PAYMENT_KEY_CHARS
            || !key.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(invalid(
                "paymentKey",
                &format!("must be 1 to {MAX_PAYMENT_KEY_CHARS} visible ASCII characters"),
            ));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if !GATEWAY_ORDER_ID_CHARS.contains(&gateway_order_id.len())
            || !gateway_order_id.chars().all(allowed)
        {
            return Err(invalid(
                "paymentOrderId",
                &format!(
                    "must be {} to {} letters, digits, '-' or '_'",
                    GATEWAY_ORDER_ID_CHARS.start(),
                    GATEWAY_ORDER_ID_CHARS.end()
                ),
            ));
        }
        Ok(Some(PaymentKey {
            key: key.to_string(),
            gateway_order_id: gateway_order_id.to_string(),
        }))
    }
}

fn invalid(field: &'static str, reason: &str) -> DomainError {
    DomainError::Invalid {
        field,
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(r: Result<Option<PaymentKey>, DomainError>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn both_or_neither() {
        assert_eq!(PaymentKey::parse(None, None), Ok(None));
        let parsed = PaymentKey::parse(Some("tgen_20261201abc"), Some("baedal-7f3a_01")).unwrap();
        assert_eq!(
            parsed,
            Some(PaymentKey {
                key: "tgen_20261201abc".into(),
                gateway_order_id: "baedal-7f3a_01".into(),
            })
        );
        assert!(reason(PaymentKey::parse(Some("k"), None)).starts_with("paymentOrderId must come"));
        assert!(
            reason(PaymentKey::parse(None, Some("order-1"))).starts_with("paymentKey must come")
        );
    }

    #[test]
    fn refuses_malformed_keys_and_order_ids() {
        let long_key = "k".repeat(MAX_PAYMENT_KEY_CHARS + 1);
        for key in ["", "has space", "키", long_key.as_str()] {
            let r = PaymentKey::parse(Some(key), Some("order-1"));
            assert!(reason(r).starts_with("paymentKey must be"), "{key:?}");
        }
        let long_id = "o".repeat(65);
        for id in [
            "short",
            "has space1",
            "주문번호123456",
            "a.b.c.d.e",
            long_id.as_str(),
        ] {
            let r = PaymentKey::parse(Some("key"), Some(id));
            assert!(reason(r).starts_with("paymentOrderId must be"), "{id:?}");
        }
        // The edges: 6 and 64 characters.
        assert!(PaymentKey::parse(Some("k"), Some("abcdef")).is_ok());
        assert!(PaymentKey::parse(Some("k"), Some(&"o".repeat(64))).is_ok());
        let longest_key = "k".repeat(MAX_PAYMENT_KEY_CHARS);
        assert!(PaymentKey::parse(Some(&longest_key), Some("abcdef")).is_ok());
    }
}
