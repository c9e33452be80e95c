//! Toss Payments behind [`Gateway`]: API v1 as published at
//! docs.tosspayments.com ("결제 승인", "결제 취소", "orderId로 결제 조회",
//! "멱등키", "에러 코드").
//!
//! - Approve: `POST /v1/payments/confirm {paymentKey, orderId, amount}`,
//!   the payment the customer authorized in Toss's widget. The approved
//!   payment's `paymentKey` is baedal's transaction id of the charge.
//! - Refund: `POST /v1/payments/{paymentKey}/cancel {cancelReason,
//!   cancelAmount}`, whole or in part (a revision down); the cancel's
//!   `transactionKey` is the refund's transaction id.
//! - Lookup: `GET /v1/payments/orders/{orderId}`, to settle a payment
//!   whose answer never came.
//!
//! Every call authenticates with the secret key (HTTP Basic, the key as
//! user name and no password). Approvals and cancels carry an
//! `Idempotency-Key` (at most 300 characters, kept 15 days by Toss): a call
//! whose answer was lost is sent once more under the same key and answers
//! what the first did. A payment already approved
//! (`ALREADY_PROCESSED_PAYMENT`, a retry the gateway did not recognise) is
//! looked up: it is this order's if the widget's order id and key match,
//! since one widget order id pays one baedal order
//! (`services::checkout::with_payment_key`).

use super::gateway::{
    Answer, Gateway, GatewayAdjustment, GatewayCall, GatewayCharge, GatewayError,
};
use super::toss_wire::{Cancel, Confirm, Failure, TossPayment};
use crate::domain::payment::AdjustmentKind;
use crate::domain::payment_key::PaymentKey;
use crate::domain::payment_ledger::RefundCall;
use crate::domain::{OrderId, Won};
use base64::Engine;
use reqwest::{Method, StatusCode};
use std::sync::Arc;
use std::time::Duration;

/// Toss's answer to an approval of a payment no longer waiting for one.
const ALREADY_PROCESSED: &str = "ALREADY_PROCESSED_PAYMENT";

/// How long one HTTP exchange may take at most; the circuit breaker's call
/// timeout (`--breaker-call-timeout-ms`) is normally shorter.
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The Toss Payments gateway. Cheap to clone.
#[derive(Clone)]
pub struct Toss {
    inner: Arc<Inner>,
}

struct Inner {
    client: reqwest::Client,
    /// `https://api.tosspayments.com`, no trailing slash.
    base: String,
    /// `Basic base64(secret_key + ":")`.
    authorization: String,
}

/// How an HTTP exchange with Toss ended.
enum Reply {
    Ok(TossPayment),
    Refused {
        status: StatusCode,
        failure: Failure,
    },
}

impl Toss {
    /// Toss at `base` (`--gateway-url`) with `secret_key`, over `tls`.
    /// Errors: the HTTP client could not be built.
    pub fn new(base: &str, secret_key: &str, tls: rustls::ClientConfig) -> Result<Toss, String> {
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(HTTP_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("the Toss Payments client: {e}"))?;
        let credentials =
            base64::engine::general_purpose::STANDARD.encode(format!("{secret_key}:"));
        Ok(Toss {
            inner: Arc::new(Inner {
                client,
                base: base.trim_end_matches('/').to_string(),
                authorization: format!("Basic {credentials}"),
            }),
        })
    }

    /// One exchange. A POST whose answer was lost (the connection broke
    /// after the request went out, or the gateway answered 5xx) is sent once
    /// more under the same idempotency key. Once an attempt may have taken
    /// effect, only an answer that says what became of it will do: a second
    /// attempt that fails or is refused (other than
    /// `ALREADY_PROCESSED_PAYMENT`, which the caller looks up) leaves the
    /// outcome [`GatewayError::Uncertain`], never "nothing was done".
    async fn exchange(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        idempotency_key: Option<&str>,
    ) -> Result<Reply, GatewayError> {
        let send = || self.send_once(&method, path, body.as_ref(), idempotency_key);
        let lost = match send().await {
            Err(GatewayError::Uncertain(reason)) if idempotency_key.is_some() => reason,
            other => return other,
        };
        match send().await {
            Ok(Reply::Refused { status, failure }) if failure.code != ALREADY_PROCESSED => {
                Err(GatewayError::Uncertain(format!(
                    "{lost}; sent again, Toss Payments refused ({status} {})",
                    failure.describe()
                )))
            }
            Ok(reply) => Ok(reply),
            Err(e) => Err(GatewayError::Uncertain(format!("{lost}; sent again: {e}"))),
        }
    }

    async fn send_once(
        &self,
        method: &Method,
        path: &str,
        body: Option<&serde_json::Value>,
        idempotency_key: Option<&str>,
    ) -> Result<Reply, GatewayError> {
        let url = format!("{}{path}", self.inner.base);
        let mut request = self
            .inner
            .client
            .request(method.clone(), &url)
            .header("Authorization", &self.inner.authorization);
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| lost(method, &e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| lost(method, &e))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map(Reply::Ok).map_err(|e| {
                GatewayError::Uncertain(format!("Toss Payments answered {status} with {e}"))
            });
        }
        let failure: Failure = serde_json::from_slice(&bytes).unwrap_or_else(|_| Failure {
            code: String::new(),
            message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
        });
        if status.is_server_error() {
            // It may have done it: only a lookup will tell.
            let reason = format!("Toss Payments failed ({status} {})", failure.describe());
            return Err(if *method == Method::GET {
                GatewayError::Unavailable(reason)
            } else {
                GatewayError::Uncertain(reason)
            });
        }
        Ok(Reply::Refused { status, failure })
    }

    /// The payment Toss holds for the widget's order id, if approved (and
    /// perhaps cancelled since) and it is the one `authorized` names. One
    /// still `IN_PROGRESS` (authorized, its approval perhaps on its way) is
    /// not known yet: an error, so that the resolver asks again later rather
    /// than conclude it was never charged.
    async fn approved(&self, authorized: &PaymentKey) -> Result<Option<TossPayment>, GatewayError> {
        let path = format!("/v1/payments/orders/{}", authorized.gateway_order_id);
        match self.exchange(Method::GET, &path, None, None).await? {
            Reply::Ok(p) if p.payment_key != authorized.key => Ok(None),
            Reply::Ok(p) if p.was_approved() => Ok(Some(p)),
            Reply::Ok(p) if p.status == "IN_PROGRESS" || p.status == "READY" => {
                Err(GatewayError::Unavailable(format!(
                    "Toss Payments holds payment {} as {}: not settled yet",
                    authorized.gateway_order_id, p.status
                )))
            }
            Reply::Ok(_) => Ok(None),
            Reply::Refused { status, .. } if status == StatusCode::NOT_FOUND => Ok(None),
            Reply::Refused { status, failure } => Err(unavailable(status, &failure)),
        }
    }

    /// Approves `amount` won of what the customer authorized.
    async fn confirm(
        &self,
        authorized: &PaymentKey,
        amount: Won,
        idempotency_key: &str,
    ) -> Result<Answer, GatewayError> {
        let body = serde_json::to_value(Confirm {
            payment_key: &authorized.key,
            order_id: &authorized.gateway_order_id,
            amount,
        })
        .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        let path = "/v1/payments/confirm";
        let reply = self
            .exchange(Method::POST, path, Some(body), Some(idempotency_key))
            .await?;
        match reply {
            Reply::Ok(p) if p.total_amount == amount => Ok(Answer::Approved {
                transaction_id: p.payment_key,
            }),
            Reply::Ok(p) => Err(GatewayError::Uncertain(format!(
                "Toss Payments approved {} won, not {amount}",
                p.total_amount
            ))),
            // Approved already: by this very call, its answer lost (one
            // widget order id pays one baedal order, so it is ours if it
            // stands approved and whole), or used up otherwise.
            Reply::Refused { failure, .. } if failure.code == ALREADY_PROCESSED => {
                match self.approved(authorized).await? {
                    Some(p) if p.is_whole(amount) => Ok(Answer::Approved {
                        transaction_id: p.payment_key,
                    }),
                    _ => Ok(Answer::Declined {
                        reason:
                            "this payment was already processed; pay again in the payment widget"
                                .into(),
                    }),
                }
            }
            Reply::Refused { failure, .. } if failure.is_decline() => Ok(Answer::Declined {
                reason: failure.describe(),
            }),
            // About the request, not the customer's payment (a key, a limit,
            // a bug): nothing approved, and the breaker hears of it.
            Reply::Refused { status, failure } => Err(unavailable(status, &failure)),
        }
    }

    /// Cancels `call.amount` won of the payment `call.transaction_id`.
    async fn cancel(&self, order_id: OrderId, call: RefundCall) -> Result<String, GatewayError> {
        // The reason names the refund's key: it finds this cancel among
        // the payment's.
        let reason = format!("baedal order {order_id}: {}", call.key);
        let body = serde_json::to_value(Cancel {
            cancel_reason: &reason,
            cancel_amount: call.amount,
        })
        .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        let path = format!("/v1/payments/{}/cancel", call.transaction_id);
        let key = format!("baedal-{}-{}", call.key, call.transaction_id);
        let reply = self
            .exchange(Method::POST, &path, Some(body), Some(&key))
            .await?;
        match reply {
            Reply::Ok(p) => {
                let cancels = p.cancels.unwrap_or_default();
                match cancels
                    .into_iter()
                    .rev()
                    .find(|c| c.cancel_reason == reason)
                {
                    Some(c) if c.cancel_amount == call.amount => Ok(c.transaction_key),
                    _ => Err(GatewayError::Uncertain(format!(
                        "Toss Payments answered the cancel of {} won without it",
                        call.amount
                    ))),
                }
            }
            Reply::Refused { status, failure } => Err(unavailable(status, &failure)),
        }
    }
}

/// The connection failed: before the request went out (nothing done), or
/// after (it may have been done, unless it was only a read).
fn lost(method: &Method, e: &reqwest::Error) -> GatewayError {
    let reason = format!("Toss Payments did not answer: {e}");
    if e.is_connect() || e.is_builder() || *method == Method::GET {
        GatewayError::Unavailable(reason)
    } else {
        GatewayError::Uncertain(reason)
    }
}

fn unavailable(status: StatusCode, failure: &Failure) -> GatewayError {
    GatewayError::Unavailable(format!(
        "Toss Payments refused ({status} {})",
        failure.describe()
    ))
}

fn no_payment_key() -> Answer {
    Answer::Declined {
        reason: "no paymentKey: Toss Payments approves only a payment authorized in its widget"
            .into(),
    }
}

impl Gateway for Toss {
    fn charge(
        &self,
        order_id: OrderId,
        _: &str,
        amount: Won,
        authorized: Option<&PaymentKey>,
    ) -> GatewayCall<Answer> {
        let (toss, authorized) = (self.clone(), authorized.cloned());
        Box::pin(async move {
            let Some(authorized) = authorized else {
                return Ok(no_payment_key());
            };
            let key = format!("baedal-{order_id}-confirm-{}", authorized.gateway_order_id);
            toss.confirm(&authorized, amount, &key).await
        })
    }

    fn refund(&self, order_id: OrderId, call: &RefundCall) -> GatewayCall<String> {
        let (toss, call) = (self.clone(), call.clone());
        Box::pin(async move { toss.cancel(order_id, call).await })
    }

    fn lookup(
        &self,
        _: OrderId,
        authorized: Option<&PaymentKey>,
    ) -> GatewayCall<Option<GatewayCharge>> {
        let (toss, authorized) = (self.clone(), authorized.cloned());
        Box::pin(async move {
            let Some(authorized) = authorized else {
                return Ok(None);
            };
            Ok(toss.approved(&authorized).await?.map(|p| GatewayCharge {
                refunded: p.balance_amount == 0,
                transaction_id: p.payment_key,
                amount: p.total_amount,
            }))
        })
    }

    fn adjust(
        &self,
        order_id: OrderId,
        attempt: u64,
        kind: AdjustmentKind,
        _: &str,
        delta: i64,
        authorized: Option<&PaymentKey>,
    ) -> GatewayCall<Answer> {
        let (toss, authorized) = (self.clone(), authorized.cloned());
        Box::pin(async move {
            if kind != AdjustmentKind::ExtraCharge || delta <= 0 {
                return Err(GatewayError::Unavailable(format!(
                    "Toss Payments takes extra charges only, not {kind:?} of {delta} won"
                )));
            }
            let Some(authorized) = authorized else {
                return Ok(no_payment_key());
            };
            let key = format!(
                "baedal-{order_id}-revision-{attempt}-{}",
                authorized.gateway_order_id
            );
            toss.confirm(&authorized, delta.unsigned_abs(), &key).await
        })
    }

    fn lookup_adjustment(
        &self,
        _: OrderId,
        _: u64,
        kind: AdjustmentKind,
        authorized: Option<&PaymentKey>,
    ) -> GatewayCall<Option<GatewayAdjustment>> {
        let (toss, authorized) = (self.clone(), authorized.cloned());
        Box::pin(async move {
            let Some(authorized) = authorized.filter(|_| kind == AdjustmentKind::ExtraCharge)
            else {
                return Ok(None);
            };
            Ok(toss
                .approved(&authorized)
                .await?
                .map(|p| GatewayAdjustment {
                    delta: p.total_amount as i64,
                    transaction_id: p.payment_key,
                }))
        })
    }

    fn needs_payment_key(&self) -> bool {
        true
    }
}
