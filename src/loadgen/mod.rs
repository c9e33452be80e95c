//! The load generator: drives whole order lifecycles over HTTP the way the
//! apps would (customers order and pay, stores accept, cook and finish,
//! riders search, pick and deliver, customers confirm; a share canceled or
//! rejected), checks the invariants over HTTP at the end, and reports
//! throughput and latency percentiles per route kind.

mod accounts;
mod basket;
mod driver;
mod report;
mod verify;

pub use report::Report;

use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;
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

    /// Open-loop pacing, in lifecycles per second: lifecycle k (counted
    /// from 0 across all workers) starts no sooner than k/rate seconds
    /// after the clock starts, whatever the answers take; --concurrency
    /// still caps how many run at once. Without it each worker starts its
    /// next lifecycle as soon as its last one ends.
    #[arg(long)]
    pub rate: Option<f64>,

    /// Share of orders the customer cancels (0–1).
    #[arg(long, default_value_t = 0.1)]
    pub cancel_share: f64,

    /// Share of orders the store rejects (0–1).
    #[arg(long, default_value_t = 0.05)]
    pub reject_share: f64,

    /// The fates as percentages, e.g. `canceled=10,rejected=5` (the rest
    /// complete); instead of the two shares above.
    #[arg(long, value_parser = parse_mix, conflicts_with_all = ["cancel_share", "reject_share"])]
    pub mix: Option<Mix>,

    /// Seed of the choices (stores, dishes, fates).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// The password of the demo store owners (`owner-<storeId>`) the run
    /// signs in as; stores whose owner cannot sign in are left out.
    #[arg(long, default_value = "baedal-demo")]
    pub owner_password: String,

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

/// Shares of lifecycles canceled and rejected, from `--mix`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mix {
    pub canceled: f64,
    pub rejected: f64,
}

/// Parses `canceled=10,rejected=5` (percentages; either may be left out).
fn parse_mix(text: &str) -> Result<Mix, String> {
    let mut mix = Mix {
        canceled: 0.0,
        rejected: 0.0,
    };
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| format!("`{part}`: expected name=percent"))?;
        let percent: f64 = value
            .trim()
            .parse()
            .map_err(|_| format!("`{value}` is not a percentage"))?;
        if !(0.0..=100.0).contains(&percent) {
            return Err(format!("`{part}`: a percentage is between 0 and 100"));
        }
        match name.trim() {
            "canceled" => mix.canceled = percent / 100.0,
            "rejected" => mix.rejected = percent / 100.0,
            "completed" => {}
            other => {
                return Err(format!(
                    "unknown fate `{other}`: completed, canceled or rejected"
                ))
            }
        }
    }
    Ok(mix)
}

/// The options with `--mix` applied, refused if they make no sense.
fn checked(mut args: LoadgenArgs) -> Result<LoadgenArgs, LoadgenError> {
    if let Some(mix) = args.mix {
        args.cancel_share = mix.canceled;
        args.reject_share = mix.rejected;
    }
    let shares = args.cancel_share + args.reject_share;
    if !(0.0..=1.0).contains(&args.cancel_share)
        || !(0.0..=1.0).contains(&args.reject_share)
        || shares > 1.0
    {
        return Err(LoadgenError::Options(
            "cancel and reject shares must be in 0–1 and add up to at most 1".into(),
        ));
    }
    if args.rate.is_some_and(|r| !(r.is_finite() && r > 0.0)) {
        return Err(LoadgenError::Options(
            "--rate must be a positive number of lifecycles per second".into(),
        ));
    }
    Ok(args)
}

/// Runs the load and checks the invariants. Must run inside an actix System.
pub async fn run(args: LoadgenArgs) -> Result<Report, LoadgenError> {
    let args = checked(args)?;
    let mut stores = driver::open_stores(&args.target).await?;
    let identities = accounts::sign_in(&args, &mut stores).await?;
    tracing::info!(
        customers = identities.customers.iter().map(Vec::len).sum::<usize>(),
        riders = identities.riders.len(),
        owners = identities.owners.len(),
        "signed in; the clock starts"
    );
    let deadline = args.duration.map(Duration::from_secs);
    let run = driver::drive(&args, Arc::new(stores), Arc::new(identities), deadline).await;
    let verified = verify::check(&args.target, &run.outcomes).await;
    Ok(Report::new(&args, &run, verified))
}

/// A load signed in once and driven in segments, a report each (`baedal
/// soak`). Between two segments nothing signs in and, unless asked,
/// nothing is verified, so the load does not pause. The tokens must
/// outlive the session: start the server with `--access-token-secs` past
/// its length.
pub struct Session {
    args: LoadgenArgs,
    stores: Arc<Vec<basket::Store>>,
    identities: Arc<accounts::Identities>,
}

impl Session {
    /// Reads the open stores and signs everyone in, as [`run`] does
    /// before its clock starts. Must run inside an actix System.
    pub async fn start(args: LoadgenArgs) -> Result<Session, LoadgenError> {
        let args = checked(args)?;
        let mut stores = driver::open_stores(&args.target).await?;
        let identities = accounts::sign_in(&args, &mut stores).await?;
        Ok(Session {
            args,
            stores: Arc::new(stores),
            identities: Arc::new(identities),
        })
    }

    /// Drives lifecycles for `seconds`, paced at `rate` lifecycles per
    /// second (`None`: as fast as the concurrency allows), its choices
    /// drawn from `seed`. With `check`, then verifies the invariants of
    /// the segment's orders; without, the report's `invariants` checked
    /// none.
    pub async fn segment(
        &self,
        seconds: u64,
        rate: Option<f64>,
        seed: u64,
        check: bool,
    ) -> Result<Report, LoadgenError> {
        let mut args = self.args.clone();
        args.orders = u64::MAX;
        args.duration = Some(seconds);
        args.rate = rate;
        args.seed = seed;
        let args = checked(args)?;
        let deadline = Some(Duration::from_secs(seconds));
        let run = driver::drive(
            &args,
            self.stores.clone(),
            self.identities.clone(),
            deadline,
        )
        .await;
        let verified = if check {
            verify::check(&args.target, &run.outcomes).await
        } else {
            verify::Verified::default()
        };
        Ok(Report::new(&args, &run, verified))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_reads_percentages_and_refuses_nonsense() {
        assert_eq!(
            parse_mix("canceled=10, rejected=5").unwrap(),
            Mix {
                canceled: 0.1,
                rejected: 0.05
            }
        );
        assert_eq!(parse_mix("completed=100").unwrap().canceled, 0.0);
        assert!(parse_mix("canceled").unwrap_err().contains("name=percent"));
        assert!(parse_mix("eaten=3").unwrap_err().contains("unknown fate"));
        assert!(parse_mix("canceled=120")
            .unwrap_err()
            .contains("between 0 and 100"));
    }
}
