//! Starts the server on a seeded database and measures it from outside:
//! how long until `/health` answers, its resident memory, how fast a random
//! old order reads, and what each resident order actor costs.

use crate::error::{AppError, AppResult};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The operator password the probe's server is started with: it reads
/// every customer's orders as `admin`. The scale database is a benchmark's,
/// never an operator's.
const PROBE_PASSWORD: &str = "baedal-scale-probe";

/// The server, started as a child process.
pub struct Server {
    child: Child,
    pub base: String,
    /// The operator's access token.
    pub token: String,
    pub started: Duration,
}

impl Server {
    /// Starts `baedal serve` on `dir`, waiting until `/health` answers 200.
    pub async fn start(dir: &Path, extra: &[&str]) -> AppResult<Server> {
        let exe = std::env::current_exe().map_err(|e| AppError::Internal(e.to_string()))?;
        let began = Instant::now();
        let mut child = Command::new(exe)
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(dir)
            .args(["--no-rate-limits", "--admin-password", PROBE_PASSWORD])
            .args(extra)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| AppError::Internal(format!("cannot start the server: {e}")))?;
        let stderr = child
            .stderr
            .take()
            .ok_or_else(|| AppError::Internal("no stderr".into()))?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("listening on ") {
                    let addr = line[at + "listening on ".len()..]
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_string();
                    let _ = tx.send(addr);
                }
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(120))
            .map_err(|_| AppError::Internal("the server did not start".into()))?;
        let client = awc::Client::default();
        loop {
            if let Ok(res) = client.get(format!("{base}/health")).send().await {
                if res.status().is_success() {
                    break;
                }
            }
            if began.elapsed() > Duration::from_secs(120) {
                return Err(AppError::Internal("/health never answered".into()));
            }
            actix_rt::time::sleep(Duration::from_millis(5)).await;
        }
        let started = began.elapsed();
        let token = sign_in(&client, &base).await?;
        Ok(Server {
            child,
            base,
            token,
            started,
        })
    }

    /// How many order actors are live, as `/health` counts them.
    pub async fn live_orders(&self) -> AppResult<u64> {
        let mut res = awc::Client::default()
            .get(format!("{}/health", self.base))
            .send()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let health: serde_json::Value = res
            .json()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        health["liveActors"]["orders"]
            .as_u64()
            .ok_or_else(|| AppError::Internal(format!("/health has no live orders: {health}")))
    }

    /// Waits until no order actor is live (all passivated).
    pub async fn wait_passivated(&self, patience: Duration) -> AppResult<()> {
        let began = Instant::now();
        loop {
            let live = self.live_orders().await?;
            if live == 0 {
                return Ok(());
            }
            if began.elapsed() > patience {
                return Err(AppError::Internal(format!(
                    "{live} order actors still live after {patience:?}"
                )));
            }
            actix_rt::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory, in bytes.
    pub fn rss(&self) -> AppResult<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb * 1024)
            .ok_or_else(|| AppError::Internal("no VmRSS".into()))
    }
}

impl Drop for Server {
    /// SIGTERM, then waits: however the probe ends, the server never
    /// outlives it holding the database.
    fn drop(&mut self) {
        // SAFETY: kill(2) on our own child's pid has no memory effects.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

/// Signs in as the operator: its access token.
async fn sign_in(client: &awc::Client, base: &str) -> AppResult<String> {
    let failed = |e: String| AppError::Internal(format!("cannot sign in as admin: {e}"));
    let mut res = client
        .post(format!("{base}/auth/login"))
        .send_json(&serde_json::json!({ "id": "admin", "password": PROBE_PASSWORD }))
        .await
        .map_err(|e| failed(e.to_string()))?;
    let body: serde_json::Value = res.json().await.map_err(|e| failed(e.to_string()))?;
    body["accessToken"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| failed(body.to_string()))
}

/// Milliseconds of each read of `GET /orders/{id}` for ids drawn from
/// `ids`, one at a time (so each is a service time, not a queue).
pub async fn read_orders(server: &Server, ids: &[u64]) -> AppResult<Vec<f64>> {
    let client = awc::Client::default();
    let mut times = Vec::with_capacity(ids.len());
    for id in ids {
        let began = Instant::now();
        let mut res = client
            .get(format!("{}/orders/{id}", server.base))
            .bearer_auth(&server.token)
            .send()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let body = res
            .body()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        times.push(began.elapsed().as_secs_f64() * 1e3);
        if !res.status().is_success() || body.is_empty() {
            return Err(AppError::Internal(format!("order {id}: {}", res.status())));
        }
    }
    Ok(times)
}

/// Wakes an actor for each of `ids` with a command it refuses (they are
/// completed), so each stays resident until it passivates.
pub async fn wake_actors(server: &Server, ids: &[u64]) -> AppResult<()> {
    use futures_util::{StreamExt, TryStreamExt};
    // Several at once, so all are woken well within the passivation limit.
    const AT_ONCE: usize = 16;
    let client = awc::Client::default();
    futures_util::stream::iter(ids)
        .map(|id| {
            let req = client
                .post(format!("{}/foodCookings/{id}/accept", server.base))
                .bearer_auth(&server.token);
            async move {
                let res = req
                    .send()
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                if !res.status().is_client_error() {
                    return Err(AppError::Internal(format!(
                        "accepting completed order {id} answered {}",
                        res.status()
                    )));
                }
                Ok(())
            }
        })
        .buffer_unordered(AT_ONCE)
        .try_collect()
        .await
}
