//! The workers: each drives one lifecycle after another over its own
//! keep-alive connection, timing every request.

use super::accounts::Identities;
use super::basket::{self, Store};
use super::{LoadgenArgs, LoadgenError};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How a lifecycle was meant to end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Completed,
    Canceled,
    Rejected,
}

impl Fate {
    pub fn status(self) -> &'static str {
        match self {
            Fate::Completed => "Completed",
            Fate::Canceled => "Canceled",
            Fate::Rejected => "Rejected",
        }
    }
}

/// A lifecycle that went through every step it was meant to.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub order_id: u64,
    pub fate: Fate,
    /// The customer's access token, to read the order back with.
    pub customer: Arc<str>,
}

/// Latencies (µs) and statuses, per route kind.
#[derive(Default)]
pub struct Samples {
    pub latencies: BTreeMap<&'static str, hdrhistogram::Histogram<u64>>,
    pub statuses: BTreeMap<u16, u64>,
    pub failures: u64,
}

/// What a run did.
pub struct Run {
    pub elapsed: Duration,
    pub outcomes: Vec<Outcome>,
    pub samples: Samples,
    pub broken: u64,
}

struct Shared {
    next: AtomicU64,
    done: AtomicU64,
    samples: Mutex<Samples>,
    outcomes: Mutex<Vec<Outcome>>,
    broken: AtomicU64,
}

/// The open stores of the target, each with its menu.
pub async fn open_stores(target: &str) -> Result<Vec<Store>, LoadgenError> {
    let client = awc::Client::default();
    let unreachable = |reason: String| LoadgenError::Unreachable {
        target: target.to_string(),
        reason,
    };
    // Page by page, following `Link: <…>; rel="next"`.
    let mut list: Vec<Store> = Vec::new();
    let mut next = Some("/stores?limit=500".to_string());
    while let Some(path) = next.take() {
        let mut res = client
            .get(format!("{target}{path}"))
            .send()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        next = res
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .and_then(next_link);
        let page: Vec<Store> = res
            .json()
            .limit(16 << 20)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        list.extend(page);
    }
    let mut stores = Vec::new();
    for s in list.into_iter().filter(|s| s.open) {
        let mut res = client
            .get(format!("{target}/stores/{}", s.id))
            .send()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        let full: Store = res.json().await.map_err(|e| unreachable(e.to_string()))?;
        // Only stores whose address names a district can take an order by
        // address; the rest get coordinates below anyway.
        if !full.menu.is_empty() {
            stores.push(full);
        }
    }
    if stores.is_empty() {
        return Err(LoadgenError::NoStores);
    }
    Ok(stores)
}

/// The target of a `Link` header's `rel="next"`: `<…>; rel="next"`.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|link| {
        let (target, params) = link.trim().split_once(';')?;
        params.contains("rel=\"next\"").then(|| {
            target
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

/// Runs the workers until the orders are done or the deadline passes;
/// with `args.rate`, paced (open loop) at that many lifecycles a second.
pub async fn drive(
    args: &LoadgenArgs,
    stores: Arc<Vec<Store>>,
    identities: Arc<Identities>,
    deadline: Option<Duration>,
) -> Run {
    let shared = Arc::new(Shared {
        next: AtomicU64::new(0),
        done: AtomicU64::new(0),
        samples: Mutex::new(Samples::default()),
        outcomes: Mutex::new(Vec::new()),
        broken: AtomicU64::new(0),
    });
    let started = Instant::now();
    let progress = actix_rt::spawn(progress(shared.clone(), args.orders, started));
    let workers: Vec<_> = (0..args.concurrency)
        .map(|w| {
            let (shared, stores, args) = (shared.clone(), stores.clone(), args.clone());
            let identities = identities.clone();
            actix_rt::spawn(async move {
                let who = Who::of(&identities, w);
                worker(w, &args, &stores, &who, &shared, started, deadline).await
            })
        })
        .collect();
    for w in workers {
        let _ = w.await;
    }
    let elapsed = started.elapsed();
    progress.abort();
    Run {
        elapsed,
        outcomes: take(&shared.outcomes),
        samples: take(&shared.samples),
        broken: shared.broken.load(Ordering::Relaxed),
    }
}

/// Takes what a mutex holds (the workers are done with it).
fn take<T: Default>(m: &Mutex<T>) -> T {
    std::mem::take(&mut *m.lock().unwrap_or_else(|p| p.into_inner()))
}

async fn progress(shared: Arc<Shared>, total: u64, started: Instant) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let done = shared.done.load(Ordering::Relaxed);
        let secs = started.elapsed().as_secs_f64();
        // u64::MAX: no count was asked for, only a duration.
        let of = if total == u64::MAX {
            String::new()
        } else {
            format!("/{total}")
        };
        tracing::info!("{done}{of} lifecycles, {:.0}/s", done as f64 / secs);
    }
}

/// The tokens one worker acts with.
struct Who<'a> {
    customers: &'a [Arc<str>],
    rider: &'a Arc<str>,
    owners: &'a std::collections::HashMap<String, Arc<str>>,
}

impl<'a> Who<'a> {
    fn of(identities: &'a Identities, w: u64) -> Who<'a> {
        Who {
            customers: &identities.customers[w as usize],
            rider: &identities.riders[w as usize],
            owners: &identities.owners,
        }
    }
}

async fn worker(
    w: u64,
    args: &LoadgenArgs,
    stores: &[Store],
    who: &Who<'_>,
    shared: &Shared,
    started: Instant,
    deadline: Option<Duration>,
) {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let mut rng = fastrand::Rng::with_seed(args.seed.wrapping_mul(1_000_003).wrapping_add(w));
    loop {
        let n = shared.next.fetch_add(1, Ordering::Relaxed);
        if n >= args.orders || deadline.is_some_and(|d| started.elapsed() >= d) {
            return;
        }
        if let Some(rate) = args.rate {
            if !paced(n, rate, started, deadline).await {
                return;
            }
        }
        let store = &stores[rng.usize(0..stores.len())];
        let fate = match rng.f64() {
            x if x < args.cancel_share => Fate::Canceled,
            // A store that accepts by itself cannot reject: canceled instead.
            x if x < args.cancel_share + args.reject_share && store.kitchen.auto_accept => {
                Fate::Canceled
            }
            x if x < args.cancel_share + args.reject_share => Fate::Rejected,
            _ => Fate::Completed,
        };
        let customer = who.customers[n as usize % who.customers.len()].clone();
        let Some(owner) = who.owners.get(&store.id) else {
            continue;
        };
        let mut life = Lifecycle {
            client: &client,
            target: &args.target,
            shared,
        };
        let tokens = Tokens {
            customer: &customer,
            owner,
            rider: who.rider,
        };
        match life.run(store, fate, &tokens, &mut rng).await {
            Some(order_id) => shared
                .outcomes
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(Outcome {
                    order_id,
                    fate,
                    customer,
                }),
            None => {
                shared.broken.fetch_add(1, Ordering::Relaxed);
            }
        }
        shared.done.fetch_add(1, Ordering::Relaxed);
    }
}

/// Waits until lifecycle `n` is due, `n / rate` seconds after `started`
/// (open loop: a late answer does not push the schedule back); `false`
/// if it would be due at or past the deadline, so it is not started.
async fn paced(n: u64, rate: f64, started: Instant, deadline: Option<Duration>) -> bool {
    // `rate` is positive and finite (checked with the options).
    let due = Duration::try_from_secs_f64(n as f64 / rate).unwrap_or(Duration::MAX);
    if deadline.is_some_and(|d| due >= d) {
        return false;
    }
    let Some(at) = started.checked_add(due) else {
        return false;
    };
    tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
    true
}

/// Who each step of one lifecycle acts as.
struct Tokens<'a> {
    customer: &'a str,
    owner: &'a str,
    rider: &'a str,
}

/// One lifecycle's requests.
struct Lifecycle<'a> {
    client: &'a awc::Client,
    target: &'a str,
    shared: &'a Shared,
}

impl Lifecycle<'_> {
    /// Records one request's latency and status (`None`: no answer).
    fn record(&self, kind: &'static str, micros: u64, status: Option<u16>) {
        let mut samples = self
            .shared
            .samples
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let h = samples.latencies.entry(kind).or_insert_with(|| {
            hdrhistogram::Histogram::new(3).expect("3 significant figures is valid")
        });
        let _ = h.record(micros.max(1));
        match status {
            Some(status) => *samples.statuses.entry(status).or_default() += 1,
            None => samples.failures += 1,
        }
    }

    /// Sends one request and records it; the answer if it was a success.
    async fn call(
        &mut self,
        kind: &'static str,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Option<Value> {
        let url = format!("{}{path}", self.target);
        let req = match method {
            "GET" => self.client.get(url),
            _ => self.client.post(url),
        }
        .bearer_auth(token);
        let started = Instant::now();
        let sent = match body {
            Some(b) => req.send_json(&b).await,
            None => req.send().await,
        };
        let micros = started.elapsed().as_micros() as u64;
        let status = sent.as_ref().ok().map(|res| res.status().as_u16());
        self.record(kind, micros, status);
        let (mut res, status) = match (sent, status) {
            (Ok(res), Some(status)) => (res, status),
            _ => return None,
        };
        let body = res.json::<Value>().limit(1 << 20).await.ok();
        (200..300)
            .contains(&status)
            .then(|| body.unwrap_or(Value::Null))
    }

    /// Runs the lifecycle to its fate; the order id if every step succeeded.
    async fn run(
        &mut self,
        store: &Store,
        fate: Fate,
        who: &Tokens<'_>,
        rng: &mut fastrand::Rng,
    ) -> Option<u64> {
        let order = basket::order_body(store, rng);
        let placed = self
            .call("place", who.customer, "POST", "/orders", Some(order))
            .await?;
        let id = placed["id"].as_u64()?;
        match fate {
            Fate::Canceled => {
                let cancel = format!("/orders/{id}/cancel");
                self.call("cancel", who.customer, "POST", &cancel, None)
                    .await?;
            }
            Fate::Rejected => {
                let reason = json!({ "reason": "SOLD_OUT" });
                let reject = format!("/foodCookings/{id}/reject");
                self.call("kitchen", who.owner, "POST", &reject, Some(reason))
                    .await?;
            }
            Fate::Completed => {
                // A store that accepts by itself already has.
                if !store.kitchen.auto_accept {
                    let accept = format!("/foodCookings/{id}/accept");
                    let minutes = json!({ "cookingMinutes": rng.u32(10..40) });
                    self.call("kitchen", who.owner, "POST", &accept, Some(minutes))
                        .await?;
                }
                for step in ["start", "finish"] {
                    let path = format!("/foodCookings/{id}/{step}");
                    self.call("kitchen", who.owner, "POST", &path, None).await?;
                }
                let near = format!(
                    "/deliveries?lat={}&lon={}&radiusKm=3&limit=10",
                    store.lat, store.lon
                );
                self.call("search", who.rider, "GET", &near, None).await?;
                for step in ["pick", "complete"] {
                    let path = format!("/deliveries/{id}/{step}");
                    self.call("rider", who.rider, "POST", &path, Some(json!({})))
                        .await?;
                }
                let confirm = format!("/orders/{id}/confirm");
                self.call("confirm", who.customer, "POST", &confirm, None)
                    .await?;
            }
        }
        Some(id)
    }
}
