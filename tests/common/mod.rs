//! Test harness: the real `baedal` binary on a free loopback port and a
//! temporary data directory, and a small HTTP client for it.
#![allow(dead_code)]

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

pub mod fake_pg;
mod identity;
#[allow(unused_imports)]
pub use fake_pg::FakePg;
pub use identity::Identity;

/// How long anything awaited in a test may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The operator `admin`'s password on every test server.
pub const ADMIN_PASSWORD: &str = "test-admin-password";
/// The key test servers sign tokens with, so tests can forge their own.
pub const AUTH_SECRET: &str = "test-secret-test-secret-test-secret-0123";
/// The password of accounts the harness signs up.
pub const PASSWORD: &str = "test-password";
/// The demo accounts' password.
pub const DEMO_PASSWORD: &str = "baedal-demo";

/// The flags every test server gets: an operator, a known signing key and
/// no rate limits (unless `extra` or `envs` set them instead: a test of
/// the rate limits asks for its own).
fn auth_flags(command: &mut Command, extra: &[&str], envs: &[(&str, &str)]) {
    let set = |name: &str| envs.iter().any(|(n, _)| *n == name);
    let limited = extra.iter().any(|a| a.starts_with("--rate-limit"))
        || envs.iter().any(|(n, _)| n.contains("RATE_LIMIT"));
    if !limited {
        command.arg("--no-rate-limits");
    }
    if !set("BAEDAL_ADMIN_PASSWORD") {
        command.args(["--admin-password", ADMIN_PASSWORD]);
    }
    if !set("BAEDAL_AUTH_SECRET") {
        command.args(["--auth-secret", AUTH_SECRET]);
    }
}

/// A running server process.
pub struct Server {
    child: Option<Child>,
    pub api: Api,
    pub data_dir: PathBuf,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts the server on `dir` with extra flags, waiting until it listens.
    pub fn start(dir: &Path, extra: &[&str]) -> Server {
        let data_dir = dir.join("db");
        let mut command = Command::new(env!("CARGO_BIN_EXE_baedal"));
        command
            .args(["--addr", "127.0.0.1:0", "--data-dir"])
            .arg(&data_dir)
            .args(extra);
        auth_flags(&mut command, extra, &[]);
        Server::launch(command, data_dir)
    }

    /// Like [`Server::start`], with these environment variables set and no
    /// other `BAEDAL_*` one inherited from the test's own environment. If
    /// `envs` sets `BAEDAL_ADDR` or `BAEDAL_DATA_DIR`, the matching flag is
    /// left out so the variable is what the server reads (the address
    /// should then still pick a free loopback port, `127.0.0.1:0`).
    pub fn start_with_env(dir: &Path, extra: &[&str], envs: &[(&str, &str)]) -> Server {
        let given = |name: &str| envs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        let mut command = Command::new(env!("CARGO_BIN_EXE_baedal"));
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("BAEDAL_") {
                command.env_remove(name);
            }
        }
        if given("BAEDAL_ADDR").is_none() {
            command.args(["--addr", "127.0.0.1:0"]);
        }
        let data_dir = match given("BAEDAL_DATA_DIR") {
            Some(from_env) => PathBuf::from(from_env),
            None => {
                let data_dir = dir.join("db");
                command.arg("--data-dir").arg(&data_dir);
                data_dir
            }
        };
        command.args(extra).envs(envs.iter().copied());
        auth_flags(&mut command, extra, envs);
        Server::launch(command, data_dir)
    }

    /// Runs `command` (the binary and its arguments) and waits until the
    /// server says where it listens.
    fn launch(mut command: Command, data_dir: PathBuf) -> Server {
        let mut child = command
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the baedal binary starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("listening on http://") {
                    let addr = line[at + "listening on ".len()..]
                        .split_whitespace()
                        .next()
                        .unwrap_or("");
                    let _ = tx.send(addr.to_string());
                }
                lines.lock().unwrap().push(line);
            }
        });
        let base = match rx.recv_timeout(PATIENCE) {
            Ok(base) => base,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "the server did not start:\n{}",
                    log.lock().unwrap().join("\n")
                );
            }
        };
        Server {
            child: Some(child),
            api: Api::new(&base),
            data_dir,
            log,
        }
    }

    /// SIGTERM, then waits for the exit.
    pub fn stop(mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        wait(&mut child, &self.log)
    }

    /// Waits for the process to end by itself (no signal).
    pub fn exited(mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        wait(&mut child, &self.log)
    }

    /// SIGKILL: the process dies wherever it is.
    pub fn kill(mut self) {
        let mut child = self.child.take().expect("running");
        let _ = child.kill();
        let _ = child.wait();
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

fn wait(child: &mut Child, log: &Mutex<Vec<String>>) -> ExitStatus {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "the server did not stop:\n{}",
                log.lock().unwrap().join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A JSON client for one server.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    http: reqwest::Client,
    pub identity: Identity,
    /// Access tokens the harness got, by account id.
    tokens: Arc<Mutex<std::collections::HashMap<String, String>>>,
}

impl Api {
    pub fn new(base: &str) -> Api {
        Api {
            base: base.to_string(),
            http: reqwest::Client::builder()
                .timeout(PATIENCE)
                .build()
                .expect("client"),
            identity: Identity::Auto,
            tokens: Default::default(),
        }
    }

    /// A request to send by hand (to read its headers, say), with the
    /// token of this client's identity and `body` as JSON.
    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> reqwest::RequestBuilder {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(body) = body {
            req = req.json(body);
        }
        self.authorized(req, method.as_str(), path, body).await
    }

    /// The body of a GET as text (`/metrics`).
    pub async fn text(&self, path: &str) -> String {
        let req = self.request(reqwest::Method::GET, path, None).await;
        req.send()
            .await
            .expect("the server answers")
            .text()
            .await
            .expect("a body")
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let (status, _, body) = Api::answer(req).await;
        (status, body)
    }

    /// Sends `req`: its status, its media type (the `Content-Type` without
    /// parameters), and its body as JSON (a string if it is not JSON, null
    /// if empty).
    pub async fn answer(req: reqwest::RequestBuilder) -> (StatusCode, Option<String>, Value) {
        let res = req.send().await.expect("the server answers");
        let status = res.status();
        let media = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| m.trim().to_string());
        let text = res.text().await.expect("a body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, media, body)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(self.authorized(req, "GET", path, None).await)
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let req = self.http.post(format!("{}{path}", self.base)).json(&body);
        self.send(self.authorized(req, "POST", path, Some(&body)).await)
            .await
    }

    pub async fn post_empty(&self, path: &str) -> (StatusCode, Value) {
        let req = self.http.post(format!("{}{path}", self.base));
        self.send(self.authorized(req, "POST", path, None).await)
            .await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let req = self.http.put(format!("{}{path}", self.base)).json(&body);
        self.send(self.authorized(req, "PUT", path, Some(&body)).await)
            .await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        let req = self.http.delete(format!("{}{path}", self.base));
        self.send(self.authorized(req, "DELETE", path, None).await)
            .await
    }

    /// A raw body with a chosen content type.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> (StatusCode, Value) {
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        self.send(self.authorized(req, "POST", path, None).await)
            .await
    }

    /// Places an order of `qty` × the store's first dish, with an address
    /// in the store's district; panics unless it is 201.
    pub async fn place(&self, customer: &str, store: &str) -> Value {
        let (status, body) = self.post("/orders", order_body(customer, store)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Drives an order from where it is through the lifecycle until it
    /// reaches `target`.
    pub async fn advance(&self, id: u64, rider: &str, target: &str) -> Value {
        let steps: [(&str, &str, Option<Value>); 6] = [
            ("Accepted", "/foodCookings/{id}/accept", None),
            ("Cooking", "/foodCookings/{id}/start", None),
            ("Cooked", "/foodCookings/{id}/finish", None),
            (
                "PickedUp",
                "/deliveries/{id}/pick",
                Some(json!({ "riderId": rider })),
            ),
            (
                "Delivered",
                "/deliveries/{id}/complete",
                Some(json!({ "riderId": rider })),
            ),
            ("Completed", "/orders/{id}/confirm", None),
        ];
        let (_, now) = self.get(&format!("/orders/{id}")).await;
        let done = steps
            .iter()
            .position(|s| now["status"] == s.0)
            .map_or(0, |i| i + 1);
        for (reached, path, body) in steps.into_iter().skip(done) {
            let path = path.replace("{id}", &id.to_string());
            let (status, answer) = match body {
                Some(b) => self.post(&path, b).await,
                None => self.post_empty(&path).await,
            };
            assert_eq!(status, StatusCode::OK, "{path}: {answer}");
            if reached == target {
                break;
            }
        }
        let (status, order) = self.get(&format!("/orders/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(order["status"], target, "{order}");
        order
    }
}

/// The body of an order of two of the store's first dish, by district.
pub fn order_body(customer: &str, store: &str) -> Value {
    let (menu, address) = demo_dish(store);
    json!({
        "customerId": customer,
        "storeId": store,
        "items": [{ "menuId": menu, "qty": 2 }],
        "address": address,
    })
}

/// A dish of a demo store and an address in its district.
pub fn demo_dish(store: &str) -> (String, String) {
    let stores: Value = serde_json::from_str(include_str!("../../data/stores.json")).unwrap();
    let s = stores
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == store)
        .unwrap_or_else(|| panic!("no demo store {store}"));
    let menu = s["menu"][0]["id"].as_str().unwrap().to_string();
    let address = format!("{} 101호", s["address"].as_str().unwrap());
    (menu, address)
}

/// An RFC 3339 time the API answered, in milliseconds since the epoch.
pub fn ms(at: &Value) -> u64 {
    let text = at.as_str().unwrap_or_else(|| panic!("a time: {at}"));
    humantime::parse_rfc3339(text)
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// The wall clock, in milliseconds since the epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// Polls `probe` until it returns `Some`, failing the test after PATIENCE.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until every subscriber of the log has applied all of it, so the
/// views (kitchen, deliveries, MyPage, refunds) show every effect there is.
pub async fn caught_up(api: &Api) {
    eventually("subscribers to catch up", || async {
        let (_, health) = api.get("/health").await;
        let lag = health["subscriberLag"].as_object()?.clone();
        lag.values().all(|v| v == 0).then_some(())
    })
    .await;
}

/// The statuses an order went through, in order (its `history`).
pub fn statuses(order: &Value) -> Vec<&str> {
    order["history"]
        .as_array()
        .expect("an order has a history")
        .iter()
        .map(|h| h["status"].as_str().expect("each step has a status"))
        .collect()
}

/// Waits until a resource answers 200 with `field` equal to `value`.
pub async fn await_field(api: &Api, path: &str, field: &str, value: &str) -> Value {
    eventually(&format!("{path} to have {field} = {value}"), || async {
        let (status, body) = api.get(path).await;
        (status == StatusCode::OK && body[field] == value).then_some(body)
    })
    .await
}

/// Asserts a problem+json refusal: its status, and that its detail says `needle`.
pub fn assert_problem(status: StatusCode, body: &Value, expected: u16, needle: &str) {
    assert_eq!(status.as_u16(), expected, "{body}");
    assert_eq!(body["status"], expected, "{body}");
    let detail = body["detail"]
        .as_str()
        .unwrap_or_else(|| panic!("no detail in {body}"));
    assert!(
        detail.to_lowercase().contains(&needle.to_lowercase()),
        "detail {detail:?} does not mention {needle:?}"
    );
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("/problems/")),
        "{body}"
    );
}

impl Api {
    /// `POST /orders` with an `Idempotency-Key`.
    pub async fn post_keyed(&self, key: &str, body: Value) -> (StatusCode, Value) {
        let req = self
            .http
            .post(format!("{}/orders", self.base))
            .header("Idempotency-Key", key)
            .json(&body);
        self.send(self.authorized(req, "POST", "/orders", Some(&body)).await)
            .await
    }
}

impl Api {
    /// A POST that may meet a dead server: `None` when nothing answered.
    pub async fn try_post(&self, path: &str, body: Option<&Value>) -> Option<(StatusCode, Value)> {
        let mut req = self.http.post(format!("{}{path}", self.base));
        if let Some(body) = body {
            req = req.json(body);
        }
        let req = self.authorized(req, "POST", path, body).await;
        let res = req.send().await.ok()?;
        let status = res.status();
        let text = res.text().await.ok()?;
        Some((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }
}
