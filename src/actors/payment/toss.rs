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
    /// more under the same idempotency key; if that too is lost the outcome
    /// is [`GatewayError::Uncertain`].
    async fn exchange(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        idempotency_key: Option<&str>,
    ) -> Result<Reply, GatewayError> {
        let mut last = None;
        for _ in 0..2 {
            match self
                .send_once(&method, path, body.as_ref(), idempotency_key)
                .await
            {
                Ok(reply) => return Ok(reply),
                Err(e @ GatewayError::Unavailable(_)) => return Err(e),
                Err(e @ GatewayError::Uncertain(_)) if idempotency_key.is_some() => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| GatewayError::Uncertain("no answer from Toss Payments".into())))
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

    /// The payment Toss holds for the widget's order id, if approved and it
    /// is the one `authorized` names.
    async fn approved(&self, authorized: &PaymentKey) -> Result<Option<TossPayment>, GatewayError> {
        let path = format!("/v1/payments/orders/{}", authorized.gateway_order_id);
        match self.exchange(Method::GET, &path, None, None).await? {
            Reply::Ok(p) if p.payment_key == authorized.key && p.was_approved() => Ok(Some(p)),
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
        let reply = self
            .exchange(
                Method::POST,
                "/v1/payments/confirm",
                Some(body),
                Some(idempotency_key),
            )
            .await?;
        match reply {
            Reply::Ok(p) if p.total_amount == amount => Ok(Answer::Approved {
                transaction_id: p.payment_key,
            }),
            Reply::Ok(p) => Err(GatewayError::Uncertain(format!(
                "Toss Payments approved {} won, not {amount}",
                p.total_amount
            ))),
            Reply::Refused { failure, .. } if failure.code == "ALREADY_PROCESSED_PAYMENT" => {
                match self.approved(authorized).await? {
                    Some(p) if p.total_amount == amount => Ok(Answer::Approved {
                        transaction_id: p.payment_key,
                    }),
                    _ => Ok(Answer::Declined {
                        reason:
                            "this payment was already processed; pay again in the payment widget"
                                .into(),
                    }),
                }
            }
            Reply::Refused { status, failure } if failure.is_gateway_trouble(status) => {
                Err(unavailable(status, &failure))
            }
            Reply::Refused { failure, .. } => Ok(Answer::Declined {
                reason: failure.describe(),
            }),
        }
    }

    /// Cancels `call.amount` won of the payment `call.transaction_id`.
    async fn cancel(&self, order_id: OrderId, call: RefundCall) -> Result<String, GatewayError> {
        let body = serde_json::to_value(Cancel {
            cancel_reason: &format!("baedal order {order_id}: {}", call.key),
            cancel_amount: call.amount,
        })
        .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        let path = format!("/v1/payments/{}/cancel", call.transaction_id);
        let key = format!("baedal-{}-{}", call.key, call.transaction_id);
        match self
            .exchange(Method::POST, &path, Some(body), Some(&key))
            .await?
        {
            Reply::Ok(p) => match p.cancels.unwrap_or_default().pop() {
                Some(c) if c.cancel_amount == call.amount => Ok(c.transaction_key),
                _ => Err(GatewayError::Uncertain(format!(
                    "Toss Payments answered the cancel of {} won without it",
                    call.amount
                ))),
            },
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
