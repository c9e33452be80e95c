//! Command-line options and their environment variables.
//!
//! A switch (a `bool` flag) with a variable takes `action =
//! ArgAction::SetTrue` and `value_parser = BoolishValueParser::new()`: the
//! flag alone switches it on, and its variable may say 1/0, true/false,
//! yes/no, on/off (or y/n, t/f) in any case. Without them clap accepts only
//! true/false from the variable. A test holds every switch to this.

use crate::supervision::BreakerConfig;
use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// baedal: a food-delivery order platform backend.
#[derive(Debug, Parser)]
#[command(
    name = "baedal",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`, which is what `baedal` alone does.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (the default).
    Serve(Box<ServeArgs>),
    /// Drive order lifecycles against a server and report throughput,
    /// latency percentiles and whether the invariants held.
    Loadgen(crate::loadgen::LoadgenArgs),
    /// Fill a database with a million completed orders (or --orders), then
    /// start the server on it and measure start-up, memory and reads.
    Scale(crate::scale::ScaleArgs),
    /// Start a server on a fresh database, drive a steady load at a share
    /// of its peak for --minutes, sample its memory, disk and /health, draw
    /// the curves (SVG) and check that growth is bounded.
    Soak(crate::soak::SoakArgs),
    /// Rewrite a stopped server's database into a fresh one (same keys,
    /// verified), which sheds sled's memory of the write history.
    Compact(CompactArgs),
    /// Take a consistent backup of a running server into a file, without
    /// stopping it (signs in as an operator).
    Backup(crate::backup::BackupArgs),
    /// Rebuild a database from a backup file into a new directory.
    Restore(crate::backup::RestoreArgs),
}

/// Options of `baedal compact`.
#[derive(Clone, Debug, Args)]
pub struct CompactArgs {
    /// The database to compact; its server must be stopped.
    #[arg(long, env = "BAEDAL_DATA_DIR", default_value = "./data/db")]
    pub data_dir: PathBuf,
}

/// When a write is acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DurabilityMode {
    /// Answer a command only after its write is flushed to disk (group commit).
    Durable,
    /// Answer at once and flush every --flush-interval-ms: a crash can lose
    /// the last interval's acknowledged writes.
    Relaxed,
}

/// Everything `serve` can be told.
#[derive(Clone, Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "BAEDAL_ADDR", default_value = "127.0.0.1:8088")]
    pub addr: SocketAddr,

    /// Directory of the sled database.
    #[arg(long, env = "BAEDAL_DATA_DIR", default_value = "./data/db")]
    pub data_dir: PathBuf,

    /// Enable fault injection under /admin/chaos (tests and demos only).
    #[arg(long, env = "BAEDAL_CHAOS", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub chaos: bool,

    /// When writes are acknowledged.
    #[arg(long, env = "BAEDAL_DURABILITY", value_enum, default_value_t = DurabilityMode::Durable)]
    pub durability: DurabilityMode,

    /// Flush interval in relaxed durability, in milliseconds.
    #[arg(long, env = "BAEDAL_FLUSH_INTERVAL_MS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub flush_interval_ms: u64,

    /// sled page cache size, in MiB.
    #[arg(long, env = "BAEDAL_CACHE_MB", default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=65_536))]
    pub cache_mb: u64,

    /// Seconds an order, store or rider actor may stay idle before it is
    /// passivated (stopped; rehydrated from disk on its next message).
    #[arg(long, env = "BAEDAL_PASSIVATE_AFTER_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub passivate_after_secs: u64,

    /// Arbiters (threads) that run entity actors [default: one per core].
    #[arg(long, env = "BAEDAL_ARBITERS")]
    pub arbiters: Option<usize>,

    /// HTTP worker threads [default: one per core].
    #[arg(long, env = "BAEDAL_HTTP_WORKERS")]
    pub http_workers: Option<usize>,

    /// Least time between two deliveries of the log to one subscriber, in
    /// milliseconds. Under load a subscriber then takes many events at
    /// once and writes a key they share once; idle, it is told at once.
    #[arg(long, env = "BAEDAL_SUBSCRIBER_BATCH_MS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=1_000))]
    pub subscriber_batch_ms: u64,

    /// Seconds between two compactions of the event log, which remove the
    /// records every subscriber has applied.
    #[arg(long, env = "BAEDAL_LOG_COMPACT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub log_compact_secs: u64,

    /// Mailbox capacity of each entity actor.
    #[arg(long, env = "BAEDAL_MAILBOX_CAPACITY", default_value_t = 256)]
    pub mailbox_capacity: usize,

    /// Requests served at once; more are refused with 503 at once.
    #[arg(long, env = "BAEDAL_MAX_IN_FLIGHT", default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_in_flight: u64,

    /// POST every notification to this URL (http://), retried until it
    /// answers 2xx.
    #[arg(long, env = "BAEDAL_WEBHOOK_URL", value_parser = webhook_url)]
    pub webhook_url: Option<String>,

    /// A PEM file of certificate authorities the webhook endpoints' https
    /// is also trusted with (besides the Mozilla roots): for a private CA.
    #[arg(long, env = "BAEDAL_WEBHOOK_CA_FILE")]
    pub webhook_ca_file: Option<std::path::PathBuf>,

    /// What the coupon a review earns is worth, in won.
    #[arg(long, env = "BAEDAL_REVIEW_COUPON_WON", default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub review_coupon_won: u64,

    /// What an order must have cost (after any discount), in won, for its
    /// review to earn a coupon.
    #[arg(long, env = "BAEDAL_REVIEW_COUPON_MIN_ORDER_WON", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(0..=100_000_000))]
    pub review_coupon_min_order_won: u64,

    /// Hours an `Idempotency-Key` answers retries of its checkout (24:
    /// Stripe's window); then the key may be used anew.
    #[arg(long, env = "BAEDAL_IDEMPOTENCY_RETENTION_HOURS", default_value_t = 24, value_parser = clap::value_parser!(u64).range(1..=720))]
    pub idempotency_retention_hours: u64,

    /// Days a notification is kept in its inbox (the newest page of each
    /// inbox always stays).
    #[arg(long, env = "BAEDAL_NOTIFICATION_RETENTION_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3650))]
    pub notification_retention_days: u64,

    /// Hours a finished order's kitchen ticket and delivery stay in those
    /// views after they last changed, and the sandbox gateway's books of
    /// it once its payment is settled (the order, its payment and MyPage
    /// are kept).
    #[arg(long, env = "BAEDAL_FINISHED_VIEW_RETENTION_HOURS", default_value_t = 24, value_parser = clap::value_parser!(u64).range(1..=87_600))]
    pub finished_view_retention_hours: u64,

    /// Seconds between two sweeps of what retention removes.
    #[arg(long, env = "BAEDAL_RETENTION_SWEEP_SECS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub retention_sweep_secs: u64,

    /// Most an order may cost before any discount, in won: a checkout or a
    /// revision over it is refused (422).
    #[arg(long, env = "BAEDAL_MAX_ORDER_WON", default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_order_won: u64,

    /// Seconds a store that set no deadline of its own has to accept an
    /// order before it is canceled (`NOT_ACCEPTED`) and refunded. A
    /// store's own deadline is 3–30 minutes; this accepts 5 s and up, for
    /// demos and tests.
    #[arg(long, env = "BAEDAL_ACCEPT_DEADLINE_SECS", default_value_t = 600, value_parser = clap::value_parser!(u32).range(5..=86_400))]
    pub accept_deadline_secs: u32,

    /// Most times one order may be revised (409 after that).
    #[arg(long, env = "BAEDAL_MAX_REVISIONS", default_value_t = 5, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub max_revisions: u32,

    /// The key that signs access tokens (at least 32 bytes). Without it,
    /// one is generated on first start and kept in the database.
    #[arg(long, env = "BAEDAL_AUTH_SECRET", hide_env_values = true)]
    pub auth_secret: Option<String>,

    /// How long an access token is honoured, in seconds.
    #[arg(long, env = "BAEDAL_ACCESS_TOKEN_SECS", default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub access_token_secs: u64,

    /// Create the operator account `admin` with this password (if it does
    /// not exist yet). Without it there is no `admin`.
    #[arg(long, env = "BAEDAL_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Requests a second one client IP may make (twice as many in a burst);
    /// past it, 429.
    #[arg(long, env = "BAEDAL_RATE_LIMIT_PER_IP", default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_per_ip: u32,

    /// Requests a second one account may make (twice as many in a burst);
    /// past it, 429.
    #[arg(long, env = "BAEDAL_RATE_LIMIT_PER_ACCOUNT", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_per_account: u32,

    /// Sign-ins and sign-ups a second one client IP may attempt (twice as
    /// many in a burst): each costs a password hash; past it, 429.
    #[arg(long, env = "BAEDAL_RATE_LIMIT_SIGN_INS_PER_IP", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_sign_ins_per_ip: u32,

    /// Turn the rate limits off (a load test from one machine).
    #[arg(long, env = "BAEDAL_NO_RATE_LIMITS", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub no_rate_limits: bool,

    /// How often an open WebSocket is pinged, in seconds; a client silent
    /// for three pings is dropped, and one whose sign-in ended (signed out,
    /// disabled, token expired) is closed.
    #[arg(long, env = "BAEDAL_WEBSOCKET_PING_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub websocket_ping_secs: u64,

    /// Most WebSockets one account may hold open at once (429 past it).
    #[arg(long, env = "BAEDAL_MAX_WEBSOCKETS_PER_ACCOUNT", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_websockets_per_account: u32,

    /// Do not load the demo stores on first start.
    #[arg(long, env = "BAEDAL_NO_DEMO", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub no_demo: bool,

    /// Sandbox payment gateway: latency of each call, in milliseconds.
    #[arg(long, env = "BAEDAL_SANDBOX_LATENCY_MS", default_value_t = 0)]
    pub sandbox_latency_ms: u64,

    /// Sandbox payment gateway: decline charges above this many won.
    #[arg(long, env = "BAEDAL_SANDBOX_DECLINE_OVER")]
    pub sandbox_decline_over: Option<u64>,

    /// Sandbox payment gateway: decline charges of customers whose id starts
    /// with this prefix.
    #[arg(long, env = "BAEDAL_SANDBOX_DECLINE_PREFIX")]
    pub sandbox_decline_prefix: Option<String>,

    #[command(flatten)]
    pub gateway: GatewayArgs,

    #[command(flatten)]
    pub breaker: BreakerArgs,
}

/// The payment circuit breaker's settings.
#[derive(Clone, Debug, Args)]
pub struct BreakerArgs {
    /// Calls in the breaker's sliding window.
    #[arg(long, env = "BAEDAL_BREAKER_WINDOW", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub breaker_window: u64,

    /// Calls needed in the window before the breaker may open.
    #[arg(long, env = "BAEDAL_BREAKER_MIN_CALLS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub breaker_min_calls: u64,

    /// Failure rate (0–1) in the window that opens the breaker.
    #[arg(long, env = "BAEDAL_BREAKER_FAILURE_RATE", default_value_t = 0.5)]
    pub breaker_failure_rate: f64,

    /// A gateway call at least this long is slow, in milliseconds.
    #[arg(long, env = "BAEDAL_BREAKER_SLOW_CALL_MS", default_value_t = 1_000)]
    pub breaker_slow_call_ms: u64,

    /// Slow-call rate (0–1) in the window that opens the breaker.
    #[arg(long, env = "BAEDAL_BREAKER_SLOW_RATE", default_value_t = 0.5)]
    pub breaker_slow_rate: f64,

    /// A gateway call is abandoned (and failed) after this long, in milliseconds.
    #[arg(long, env = "BAEDAL_BREAKER_CALL_TIMEOUT_MS", default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub breaker_call_timeout_ms: u64,

    /// How long the breaker stays open before trial calls, in milliseconds.
    #[arg(long, env = "BAEDAL_BREAKER_OPEN_WAIT_MS", default_value_t = 5_000)]
    pub breaker_open_wait_ms: u64,

    /// Trial calls in the half-open state; all must succeed to close it.
    #[arg(long, env = "BAEDAL_BREAKER_HALF_OPEN_CALLS", default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=1_000))]
    pub breaker_half_open_calls: u64,

    /// Bulkhead: most gateway calls in flight at once.
    #[arg(long, env = "BAEDAL_BREAKER_MAX_CONCURRENT", default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub breaker_max_concurrent: u64,
}

impl BreakerArgs {
    /// The breaker's settings, refused if it could never work with them.
    pub fn config(&self) -> Result<BreakerConfig, String> {
        let config = BreakerConfig {
            window: self.breaker_window as usize,
            min_calls: self.breaker_min_calls as usize,
            failure_rate: self.breaker_failure_rate,
            slow_call: Duration::from_millis(self.breaker_slow_call_ms),
            slow_rate: self.breaker_slow_rate,
            call_timeout: Duration::from_millis(self.breaker_call_timeout_ms),
            open_wait: Duration::from_millis(self.breaker_open_wait_ms),
            half_open_calls: self.breaker_half_open_calls as usize,
            max_concurrent: self.breaker_max_concurrent as usize,
        };
        config.validate()?;
        Ok(config)
    }
}

impl ServeArgs {
    pub fn arbiter_count(&self) -> usize {
        self.arbiters.unwrap_or_else(cores).max(1)
    }

    pub fn http_worker_count(&self) -> usize {
        self.http_workers.unwrap_or_else(cores).max(1)
    }

    /// Refuses a signing key or an admin password too short, without
    /// repeating them (clap's own refusal would print the value).
    pub fn check_secrets(&self) -> Result<(), String> {
        if let Some(secret) = &self.auth_secret {
            if secret.len() < crate::auth::secret::MIN_BYTES {
                return Err(format!(
                    "--auth-secret must be at least {} bytes long",
                    crate::auth::secret::MIN_BYTES
                ));
            }
        }
        if let Some(password) = &self.admin_password {
            crate::auth::password::validate(password)
                .map_err(|e| format!("--admin-password: the {e}"))?;
        }
        self.gateway.check()
    }

    /// The retention periods asked for.
    pub fn retention(&self) -> crate::domain::retention::Retention {
        const HOUR_MS: u64 = 3_600_000;
        crate::domain::retention::Retention {
            idempotency_ms: self.idempotency_retention_hours * HOUR_MS,
            notifications_ms: self.notification_retention_days * 24 * HOUR_MS,
            finished_views_ms: self.finished_view_retention_hours * HOUR_MS,
        }
    }

    /// The rate limits asked for (none with `--no-rate-limits`).
    pub fn rate_limit_config(&self) -> crate::http::rate_limits::RateLimitConfig {
        let on = |n: u32| std::num::NonZeroU32::new(n).filter(|_| !self.no_rate_limits);
        crate::http::rate_limits::RateLimitConfig {
            per_ip: on(self.rate_limit_per_ip),
            per_account: on(self.rate_limit_per_account),
            sign_ins_per_ip: on(self.rate_limit_sign_ins_per_ip),
        }
    }
}

fn webhook_url(url: &str) -> Result<String, String> {
    if url.starts_with("http://") && url.len() > "http://".len() {
        Ok(url.to_string())
    } else {
        Err("the webhook URL must start with http://".into())
    }
}

fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

#[path = "config_gateway.rs"]
mod gateway;
pub use gateway::{GatewayArgs, GatewayKind};

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
