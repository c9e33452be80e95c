//! A fake Toss Payments for the tests: the API v1 calls baedal makes
//! (`POST /v1/payments/confirm`, `POST /v1/payments/{paymentKey}/cancel`,
//! `GET /v1/payments/orders/{orderId}`) over real HTTP on a free loopback
//! port, with Toss's error objects and codes, its `Idempotency-Key` replays
//! and its Basic authentication by secret key. Faults are injected through
//! [`FakePg::faults`]: latency, 5xx answers, answers held past the caller's
//! timeout, answers lost after the work was done, and replays it forgets.
//!
//! `POST /widget/pay {orderId, amount, decline?}` stands in for Toss's
//! payment widget: it answers the `paymentKey` a customer's app would get.
//!
//! The HTTP is written by hand (HTTP/1.1, `Content-Length` bodies,
//! keep-alive) so that an answer can be held or dropped at will.

use base64::Engine;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The secret key the fake accepts.
pub const SECRET_KEY: &str = "test_sk_fakepg_baedal_0123456789";

/// What the fake is told to do wrong.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Every answer waits this long.
    pub latency_ms: u64,
    /// The next this many POSTs answer 500 without doing anything.
    pub fail_5xx: u32,
    /// The next this many POSTs are done, then the connection is closed
    /// unanswered.
    pub drop_answers: u32,
    /// Confirms are done, then answered only after this long.
    pub hold_confirms_ms: Option<u64>,
    /// Confirms wait this long before they are done (the payment stays
    /// `IN_PROGRESS` meanwhile), then are done and answered.
    pub slow_confirms_ms: Option<u64>,
    /// A POST under an `Idempotency-Key` already used is refused with 400
    /// `INVALID_REQUEST`, doing nothing, instead of replayed.
    pub refuse_repeats: bool,
    /// A repeated `Idempotency-Key` is not recognised: the call is made
    /// again (and an approval answers `ALREADY_PROCESSED_PAYMENT`).
    pub forget_idempotency: bool,
}

/// A payment as the fake keeps it.
#[derive(Clone, Debug)]
pub struct Payment {
    pub payment_key: String,
    pub order_id: String,
    /// What the widget authorized.
    pub authorized: u64,
    /// `IN_PROGRESS` (authorized in the widget), `DONE`,
    /// `PARTIAL_CANCELED`, `CANCELED` or `ABORTED`.
    pub status: String,
    pub total_amount: u64,
    pub balance_amount: u64,
    /// (transactionKey, cancelAmount, cancelReason), oldest first.
    pub cancels: Vec<(String, u64, String)>,
    decline: bool,
}

impl Payment {
    fn json(&self) -> Value {
        let cancels: Vec<Value> = self
            .cancels
            .iter()
            .map(|(key, amount, reason)| {
                json!({"transactionKey": key, "cancelAmount": amount,
                       "cancelReason": reason, "canceledAt": "2026-12-01T12:00:00+09:00"})
            })
            .collect();
        json!({
            "mId": "tosspayments", "version": "2022-11-16",
            "paymentKey": self.payment_key, "orderId": self.order_id,
            "orderName": "배달 주문", "currency": "KRW", "method": "카드",
            "status": self.status, "totalAmount": self.total_amount,
            "balanceAmount": self.balance_amount,
            "cancels": if cancels.is_empty() { Value::Null } else { Value::Array(cancels) },
        })
    }
}

/// One call the fake received.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub idempotency_key: Option<String>,
}

#[derive(Default)]
struct State {
    payments: Vec<Payment>,
    replies: HashMap<String, (u16, Value)>,
    faults: Faults,
    calls: Vec<Call>,
}

/// The running fake; it stops with the test's runtime.
#[derive(Clone)]
pub struct FakePg {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl FakePg {
    /// Starts the fake on a free loopback port.
    pub async fn start() -> FakePg {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let fake = FakePg {
            url,
            state: Arc::default(),
        };
        let serving = fake.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serving.clone().serve(stream));
            }
        });
        fake
    }

    /// The flags that point a baedal server at this fake.
    pub fn flags(&self) -> Vec<String> {
        ["--payment-gateway", "toss", "--gateway-url", &self.url]
            .into_iter()
            .map(String::from)
            .chain(["--gateway-secret-key".into(), SECRET_KEY.into()])
            .collect()
    }

    /// Changes the faults.
    pub fn faults(&self, change: impl FnOnce(&mut Faults)) {
        change(&mut self.state.lock().unwrap().faults);
    }

    /// The widget: the customer authorizes `amount` won for `order_id`;
    /// answers the `paymentKey`. A `decline` payment is refused at approval.
    pub fn authorize(&self, order_id: &str, amount: u64, decline: bool) -> String {
        let mut state = self.state.lock().unwrap();
        let payment_key = format!("tfake{:04}{}", state.payments.len() + 1, order_id.len());
        state.payments.push(Payment {
            payment_key: payment_key.clone(),
            order_id: order_id.to_string(),
            authorized: amount,
            status: "IN_PROGRESS".into(),
            total_amount: 0,
            balance_amount: 0,
            cancels: Vec::new(),
            decline,
        });
        payment_key
    }

    /// The payment the widget's `order_id` names.
    pub fn payment(&self, order_id: &str) -> Option<Payment> {
        let state = self.state.lock().unwrap();
        state
            .payments
            .iter()
            .find(|p| p.order_id == order_id)
            .cloned()
    }

    /// Every payment, in the order they were authorized.
    pub fn payments(&self) -> Vec<Payment> {
        self.state.lock().unwrap().payments.clone()
    }

    /// Every call received, oldest first.
    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }

    async fn serve(self, mut stream: TcpStream) {
        let mut buf = Vec::new();
        loop {
            let Some((method, path, headers, body)) = read_request(&mut stream, &mut buf).await
            else {
                return;
            };
            let slow = self.state.lock().unwrap().faults.slow_confirms_ms;
            if let Some(ms) = slow.filter(|_| path == "/v1/payments/confirm") {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            let (status, reply, hold, lost) = self.answer(&method, &path, &headers, &body);
            if lost {
                return;
            }
            if hold > 0 {
                tokio::time::sleep(Duration::from_millis(hold)).await;
            }
            let body = reply.to_string();
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            if stream.write_all(head.as_bytes()).await.is_err()
                || stream.write_all(body.as_bytes()).await.is_err()
            {
                return;
            }
        }
    }

    /// The answer to one request: status, body, how long to hold it, and
    /// whether to drop it instead.
    fn answer(
        &self,
        method: &str,
        path: &str,
        headers: &HashMap<String, String>,
        body: &[u8],
    ) -> (u16, Value, u64, bool) {
        let mut state = self.state.lock().unwrap();
        let key = headers.get("idempotency-key").cloned();
        state.calls.push(Call {
            method: method.into(),
            path: path.into(),
            idempotency_key: key.clone(),
        });
        let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let latency = state.faults.latency_ms;
        if path == "/widget/pay" {
            let (order_id, amount) = (
                body["orderId"].as_str().unwrap_or(""),
                body["amount"].as_u64().unwrap_or(0),
            );
            let decline = body["decline"].as_bool().unwrap_or(false);
            drop(state);
            let payment_key = self.authorize(order_id, amount, decline);
            return (200, json!({"paymentKey": payment_key}), latency, false);
        }
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{SECRET_KEY}:"))
        );
        if headers.get("authorization") != Some(&expected) {
            return (
                401,
                error(
                    "UNAUTHORIZED_KEY",
                    "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.",
                ),
                latency,
                false,
            );
        }
        if method == "POST" {
            let repeated = key.as_ref().is_some_and(|k| state.replies.contains_key(k));
            if repeated && state.faults.refuse_repeats {
                let refused = error("INVALID_REQUEST", "잘못된 요청입니다.");
                return (400, refused, latency, false);
            }
            if let Some(replay) = key
                .as_ref()
                .filter(|_| !state.faults.forget_idempotency)
                .and_then(|k| state.replies.get(k).cloned())
            {
                return (replay.0, replay.1, latency, false);
            }
            if state.faults.fail_5xx > 0 {
                state.faults.fail_5xx -= 1;
                return (
                    500,
                    error(
                        "FAILED_INTERNAL_SYSTEM_PROCESSING",
                        "내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요.",
                    ),
                    latency,
                    false,
                );
            }
        }
        let (status, reply) = match (method, path) {
            ("POST", "/v1/payments/confirm") => confirm(&mut state, &body),
            ("POST", p) if p.starts_with("/v1/payments/") && p.ends_with("/cancel") => {
                let payment_key = &p["/v1/payments/".len()..p.len() - "/cancel".len()];
                cancel(&mut state, payment_key, &body)
            }
            ("GET", p) if p.starts_with("/v1/payments/orders/") => {
                let order_id = &p["/v1/payments/orders/".len()..];
                match state.payments.iter().find(|p| p.order_id == order_id) {
                    Some(p) => (200, p.json()),
                    None => (
                        404,
                        error("NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다."),
                    ),
                }
            }
            _ => (404, error("NOT_FOUND", "존재하지 않는 정보 입니다.")),
        };
        if method != "POST" {
            return (status, reply, latency, false);
        }
        if let Some(k) = key {
            state.replies.insert(k, (status, reply.clone()));
        }
        if state.faults.drop_answers > 0 {
            state.faults.drop_answers -= 1;
            return (status, reply, 0, true);
        }
        let hold = match state.faults.hold_confirms_ms {
            Some(ms) if path == "/v1/payments/confirm" => ms,
            _ => latency,
        };
        (status, reply, hold, false)
    }
}

fn error(code: &str, message: &str) -> Value {
    json!({"code": code, "message": message})
}

fn confirm(state: &mut State, body: &Value) -> (u16, Value) {
    let (key, order_id) = (
        body["paymentKey"].as_str().unwrap_or(""),
        body["orderId"].as_str().unwrap_or(""),
    );
    let amount = body["amount"].as_u64().unwrap_or(0);
    let Some(p) = state.payments.iter_mut().find(|p| p.payment_key == key) else {
        return (
            404,
            error(
                "NOT_FOUND_PAYMENT_SESSION",
                "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.",
            ),
        );
    };
    if p.order_id != order_id || p.authorized != amount {
        return (400, error("INVALID_REQUEST", "잘못된 요청입니다."));
    }
    if p.status != "IN_PROGRESS" {
        return (
            400,
            error("ALREADY_PROCESSED_PAYMENT", "이미 처리된 결제 입니다."),
        );
    }
    if p.decline {
        p.status = "ABORTED".into();
        return (
            403,
            error(
                "REJECT_CARD_PAYMENT",
                "한도초과 혹은 잔액부족으로 결제에 실패했습니다.",
            ),
        );
    }
    p.status = "DONE".into();
    p.total_amount = amount;
    p.balance_amount = amount;
    (200, p.json())
}

fn cancel(state: &mut State, payment_key: &str, body: &Value) -> (u16, Value) {
    let Some(p) = state
        .payments
        .iter_mut()
        .find(|p| p.payment_key == payment_key)
    else {
        return (
            404,
            error("NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다."),
        );
    };
    if body["cancelReason"].as_str().unwrap_or("").is_empty() {
        return (400, error("INVALID_REQUEST", "취소 사유를 입력해주세요."));
    }
    match p.status.as_str() {
        "DONE" | "PARTIAL_CANCELED" => {}
        "CANCELED" => {
            return (
                400,
                error("ALREADY_CANCELED_PAYMENT", "이미 취소된 결제 입니다."),
            )
        }
        _ => {
            return (
                403,
                error("NOT_CANCELABLE_PAYMENT", "취소 할 수 없는 결제 입니다."),
            )
        }
    }
    let amount = body["cancelAmount"].as_u64().unwrap_or(p.balance_amount);
    if amount == 0 || amount > p.balance_amount {
        return (
            403,
            error("NOT_CANCELABLE_AMOUNT", "취소 할 수 없는 금액 입니다."),
        );
    }
    p.balance_amount -= amount;
    p.status = if p.balance_amount == 0 {
        "CANCELED"
    } else {
        "PARTIAL_CANCELED"
    }
    .into();
    let transaction_key = format!("{}c{}", p.payment_key, p.cancels.len() + 1);
    let reason = body["cancelReason"].as_str().unwrap_or("").to_string();
    p.cancels.push((transaction_key, amount, reason));
    (200, p.json())
}

/// Reads one request from `stream` (what is left of the previous read
/// first): method, path, lower-cased headers and body. `None` once the
/// client closes.
async fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> Option<(String, String, HashMap<String, String>, Vec<u8>)> {
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buf.len() < body_start + length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[body_start..body_start + length].to_vec();
    buf.drain(..body_start + length);
    Some((method, path, headers, body))
}
