//! The load generator: drives whole order lifecycles over HTTP the way the
//! apps would (customers order and pay, stores accept, cook and finish,
//! riders search, pick and deliver, customers confirm; a share canceled or
//! rejected), checks the invariants over HTTP at the end, and reports
//! throughput and latency percentiles per route kind.

mod accounts;
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

/// Runs the load and checks the invariants. Must run inside an actix System.
pub async fn run(mut args: LoadgenArgs) -> Result<Report, LoadgenError> {
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
    let mut stores = driver::open_stores(&args.target).await?;
    let identities = accounts::sign_in(&args, &mut stores).await?;
    tracing::info!(
        customers = identities.customers.iter().map(Vec::len).sum::<usize>(),
        riders = identities.riders.len(),
        owners = identities.owners.len(),
        "signed in; the clock starts"
    );
    let deadline = args.duration.map(Duration::from_secs);
    let run = driver::drive(&args, stores, identities, deadline).await;
    let verified = verify::check(&args.target, &run.outcomes).await;
    Ok(Report::new(&args, &run, verified))
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
