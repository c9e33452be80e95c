//! The load generator: drives whole order lifecycles over HTTP the way the
//! apps would (customers order and pay, stores accept, cook and finish,
//! riders search, pick and deliver, customers confirm; a share canceled or
//! rejected), checks the invariants over HTTP at the end, and reports
//! throughput and latency percentiles per route kind.

mod driver;
mod report;
mod verify;

pub use report::Report;

use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

/// Options of `baedal loadgen`.
#[derive(Clone, Debug, Args)]
pub struct LoadgenArgs {
    /// The server to drive.
    #[arg(long, default_value = "http://127.0.0.1:8088")]
    pub target: String,

    /// Order lifecycles to run.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub orders: u64,

    /// Lifecycles in flight at once (one keep-alive connection each).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub concurrency: u64,

    /// Stop starting new lifecycles after this many seconds.
    #[arg(long)]
    pub duration: Option<u64>,

    /// Share of orders the customer cancels (0–1).
    #[arg(long, default_value_t = 0.1)]
    pub cancel_share: f64,

    /// Share of orders the store rejects (0–1).
    #[arg(long, default_value_t = 0.05)]
    pub reject_share: f64,

    /// Seed of the choices (stores, dishes, fates).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Also write the report as JSON to this file (`-`: standard output).
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// Why a load run could not be done.
#[derive(Debug, thiserror::Error)]
pub enum LoadgenError {
    #[error("cannot reach {target}: {reason}")]
    Unreachable { target: String, reason: String },
    #[error("the target has no open store to order from")]
    NoStores,
    #[error("invalid options: {0}")]
    Options(String),
}

/// Runs the load and checks the invariants. Must run inside an actix System.
pub async fn run(args: LoadgenArgs) -> Result<Report, LoadgenError> {
    let shares = args.cancel_share + args.reject_share;
    if !(0.0..=1.0).contains(&args.cancel_share)
        || !(0.0..=1.0).contains(&args.reject_share)
        || shares > 1.0
    {
        return Err(LoadgenError::Options(
            "cancel and reject shares must be in 0–1 and add up to at most 1".into(),
        ));
    }
    let stores = driver::open_stores(&args.target).await?;
    let deadline = args.duration.map(Duration::from_secs);
    let run = driver::drive(&args, stores, deadline).await;
    let verified = verify::check(&args.target, &run.outcomes).await;
    Ok(Report::new(&args, &run, verified))
}
