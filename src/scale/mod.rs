//! `baedal scale`: a million orders in the database, then the server
//! started on it and measured: start-up time until `/health` answers,
//! resident memory with idle actors passivated, the time to read a random
//! old order, and the memory each resident order actor costs.

// `baedal soak` starts its server the same way.
pub(crate) mod probe;
mod seed;

use crate::error::{AppError, AppResult};
use crate::storage::{Db, Durability, StorageConfig};
use clap::Args;
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Options of `baedal scale`.
#[derive(Clone, Debug, Args)]
pub struct ScaleArgs {
    /// Orders the database should hold (added if it holds fewer).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub orders: u64,

    /// The database to fill and serve.
    #[arg(long, default_value = "./data/scale")]
    pub data_dir: PathBuf,

    /// Customers the orders are spread over.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub customers: u64,

    /// Random old orders read, one at a time.
    #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub reads: u64,

    /// Distinct order actors woken to measure what one resident actor
    /// costs (at most the number of orders).
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub resident: u64,

    /// Seed of the random choice of orders.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// What `baedal scale` measured.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleReport {
    pub orders: u64,
    pub seed_seconds: f64,
    pub disk_bytes: u64,
    pub startup_ms: f64,
    pub rss_started_bytes: u64,
    pub read_ms_p50: f64,
    pub read_ms_p99: f64,
    pub read_ms_max: f64,
    pub rss_after_reads_bytes: u64,
    /// After reading the orders about to be woken (sled has cached them).
    pub rss_warm_bytes: u64,
    pub resident_actors: usize,
    pub bytes_per_resident_actor: f64,
    pub rss_passivated_bytes: u64,
}

/// How long the probe lets order actors idle before they passivate: long
/// enough that every woken actor is still live when memory is read.
const PASSIVATE_AFTER_SECS: u64 = 20;

/// Seeds (if needed), then starts the server and measures it.
pub async fn run(args: ScaleArgs) -> AppResult<ScaleReport> {
    let began = Instant::now();
    let (orders, ids) = {
        let db = Db::open(&StorageConfig {
            path: args.data_dir.clone(),
            durability: Durability::Relaxed {
                interval: Duration::from_millis(500),
            },
            cache_capacity_bytes: 256 << 20,
        })?;
        let orders = seed::fill(&db, args.orders, args.customers).await?;
        (orders, seed::order_ids(&db)?)
    };
    let seed_seconds = began.elapsed().as_secs_f64();
    tracing::info!(
        orders,
        seconds = seed_seconds,
        "database ready; starting the server"
    );

    let passivate = PASSIVATE_AFTER_SECS.to_string();
    let server = probe::Server::start(
        &args.data_dir,
        &["--no-demo", "--passivate-after-secs", &passivate],
    )
    .await?;
    let rss_started_bytes = server.rss()?;

    // Distinct orders: the reads first, then those woken (each wakes one
    // more actor), none of them among the reads.
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let mut shuffled = ids;
    rng.shuffle(&mut shuffled);
    let reads = args.reads.min(shuffled.len() as u64) as usize;
    let (reads, rest) = shuffled.split_at(reads);
    let woken = &rest[..rest.len().min(args.resident as usize)];

    let mut times = probe::read_orders(&server, reads).await?;
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let rss_after_reads_bytes = server.rss()?;

    // Read them first: sled's cache then holds their pages, and what waking
    // adds is the actors alone.
    probe::read_orders(&server, woken).await?;
    let rss_warm_bytes = server.rss()?;
    probe::wake_actors(&server, woken).await?;
    let rss_woken = server.rss()?;
    let live = server.live_orders().await?;
    if live < woken.len() as u64 {
        return Err(AppError::Internal(format!(
            "only {live} of {} woken order actors were still live when measured: \
             raise PASSIVATE_AFTER_SECS",
            woken.len()
        )));
    }
    let bytes_per_resident_actor =
        rss_woken.saturating_sub(rss_warm_bytes) as f64 / woken.len() as f64;
    // Passivation runs on the actors' own timers.
    server
        .wait_passivated(Duration::from_secs(3 * PASSIVATE_AFTER_SECS + 10))
        .await?;
    let rss_passivated_bytes = server.rss()?;
    let startup_ms = server.started.as_secs_f64() * 1e3;
    drop(server);

    Ok(ScaleReport {
        orders,
        seed_seconds,
        disk_bytes: crate::storage::dir_size(&args.data_dir),
        startup_ms,
        rss_started_bytes,
        read_ms_p50: at(0.5),
        read_ms_p99: at(0.99),
        read_ms_max: at(1.0),
        rss_after_reads_bytes,
        rss_warm_bytes,
        resident_actors: woken.len(),
        bytes_per_resident_actor,
        rss_passivated_bytes,
    })
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

impl fmt::Display for ScaleReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "orders in the database: {} (seeded in {:.0} s), on disk {:.0} MB",
            self.orders,
            self.seed_seconds,
            mb(self.disk_bytes)
        )?;
        writeln!(
            f,
            "start-up until /health answers: {:.0} ms",
            self.startup_ms
        )?;
        writeln!(
            f,
            "resident memory after start: {:.1} MB",
            mb(self.rss_started_bytes)
        )?;
        writeln!(f, "random old order, GET /orders/{{id}} one at a time: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms", self.read_ms_p50, self.read_ms_p99, self.read_ms_max)?;
        writeln!(
            f,
            "resident memory after the reads: {:.1} MB",
            mb(self.rss_after_reads_bytes)
        )?;
        writeln!(
            f,
            "resident memory after reading the {} orders to wake: {:.1} MB",
            self.resident_actors,
            mb(self.rss_warm_bytes)
        )?;
        writeln!(
            f,
            "{} order actors woken: {:.0} bytes each (beyond their cached pages)",
            self.resident_actors, self.bytes_per_resident_actor
        )?;
        writeln!(
            f,
            "resident memory once they passivated: {:.1} MB",
            mb(self.rss_passivated_bytes)
        )
    }
}
