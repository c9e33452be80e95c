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
    Serve(ServeArgs),
    /// Drive order lifecycles against a server and report throughput,
    /// latency percentiles and whether the invariants held.
    Loadgen(crate::loadgen::LoadgenArgs),
    /// Fill a database with a million completed orders (or --orders), then
    /// start the server on it and measure start-up, memory and reads.
    Scale(crate::scale::ScaleArgs),
    /// Rewrite a stopped server's database into a fresh one (same keys,
    /// verified), which sheds sled's memory of the write history.
    Compact(CompactArgs),
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

    /// What the coupon a review earns is worth, in won.
    #[arg(long, env = "BAEDAL_REVIEW_COUPON_WON", default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub review_coupon_won: u64,

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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use std::sync::{Mutex, MutexGuard};

    /// The environment is the whole process's and tests run on several
    /// threads: every test that parses the command line (which reads
    /// `BAEDAL_*`) holds this lock, so none sees another's variables.
    static ENV: Mutex<()> = Mutex::new(());

    /// Environment variables set for one test, removed again when it ends
    /// (also when it fails), with [`ENV`] held meanwhile.
    struct EnvVars {
        names: Vec<String>,
        _held: MutexGuard<'static, ()>,
    }

    impl EnvVars {
        fn set(vars: &[(&str, &str)]) -> EnvVars {
            // A test that failed while holding the lock left nothing behind
            // (see Drop), so a poisoned lock is still good.
            let held = ENV.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            for (name, value) in vars {
                std::env::set_var(name, value);
            }
            EnvVars {
                names: vars.iter().map(|(name, _)| name.to_string()).collect(),
                _held: held,
            }
        }
    }

    impl Drop for EnvVars {
        fn drop(&mut self) {
            for name in &self.names {
                std::env::remove_var(name);
            }
        }
    }

    #[test]
    fn the_cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn bare_and_serve_take_the_same_options() {
        let _env = EnvVars::set(&[]);
        let bare = Cli::try_parse_from(["baedal", "--addr", "127.0.0.1:0", "--chaos"]).unwrap();
        assert!(bare.command.is_none());
        assert!(bare.serve.chaos);
        let serve = Cli::try_parse_from(["baedal", "serve", "--durability", "relaxed"]).unwrap();
        let Some(Command::Serve(args)) = serve.command else {
            panic!("serve")
        };
        assert_eq!(args.durability, DurabilityMode::Relaxed);
    }

    /// How people write "on" and "off" in an environment variable.
    const ON: [&str; 8] = ["1", "true", "TRUE", "True", "yes", "YES", "on", "On"];
    const OFF: [&str; 8] = ["0", "false", "FALSE", "False", "no", "NO", "off", "Off"];

    #[test]
    fn switches_take_1_0_true_false_yes_no_on_off_from_the_environment() {
        for (value, expected) in ON
            .map(|v| (v, true))
            .into_iter()
            .chain(OFF.map(|v| (v, false)))
        {
            let _env = EnvVars::set(&[("BAEDAL_CHAOS", value), ("BAEDAL_NO_DEMO", value)]);
            let bare = Cli::try_parse_from(["baedal"])
                .unwrap_or_else(|e| panic!("BAEDAL_CHAOS={value} BAEDAL_NO_DEMO={value}: {e}"));
            assert_eq!(bare.serve.chaos, expected, "BAEDAL_CHAOS={value}");
            assert_eq!(bare.serve.no_demo, expected, "BAEDAL_NO_DEMO={value}");
            let Some(Command::Serve(serve)) = Cli::try_parse_from(["baedal", "serve"])
                .unwrap_or_else(|e| panic!("serve, {value}: {e}"))
                .command
            else {
                panic!("serve")
            };
            assert_eq!(serve.chaos, expected, "serve, BAEDAL_CHAOS={value}");
            assert_eq!(serve.no_demo, expected, "serve, BAEDAL_NO_DEMO={value}");
        }
    }

    #[test]
    fn switches_are_off_unless_given_and_plain_flags_still_work() {
        let _env = EnvVars::set(&[]);
        let bare = Cli::try_parse_from(["baedal"]).unwrap();
        assert!(!bare.serve.chaos && !bare.serve.no_demo);
        let flags = Cli::try_parse_from(["baedal", "--chaos", "--no-demo"]).unwrap();
        assert!(flags.serve.chaos && flags.serve.no_demo);
        // A switch takes no value on the command line, as before.
        assert!(Cli::try_parse_from(["baedal", "--chaos=1"]).is_err());
    }

    #[test]
    fn a_flag_on_the_command_line_wins_over_its_variable_saying_off() {
        let _env = EnvVars::set(&[("BAEDAL_CHAOS", "0"), ("BAEDAL_NO_DEMO", "off")]);
        let cli = Cli::try_parse_from(["baedal", "--chaos", "--no-demo"]).unwrap();
        assert!(cli.serve.chaos && cli.serve.no_demo);
    }

    #[test]
    fn a_switch_variable_of_another_word_is_refused_with_the_word() {
        for value in ["maybe", "2", "enabled", ""] {
            let _env = EnvVars::set(&[("BAEDAL_CHAOS", value)]);
            let e = Cli::try_parse_from(["baedal"]).expect_err(value);
            assert_eq!(
                e.kind(),
                clap::error::ErrorKind::ValueValidation,
                "{value:?}: {e}"
            );
            let message = e.to_string();
            assert!(
                message.contains(&format!("'{value}'")) && message.contains("--chaos"),
                "{value:?}: {message}"
            );
        }
    }

    /// Every switch with a variable, in `baedal` and in each subcommand
    /// (`serve`, `loadgen`, `scale`, `compact`), as (subcommand path, id,
    /// variable).
    fn switches(cmd: &clap::Command, path: &[String]) -> Vec<(Vec<String>, String, String)> {
        let mut found: Vec<(Vec<String>, String, String)> = cmd
            .get_arguments()
            .filter(|a| matches!(a.get_action(), clap::ArgAction::SetTrue))
            .filter_map(|a| {
                let env = a.get_env()?.to_str()?.to_string();
                Some((path.to_vec(), a.get_id().to_string(), env))
            })
            .collect();
        for sub in cmd.get_subcommands() {
            let mut deeper = path.to_vec();
            deeper.push(sub.get_name().to_string());
            found.extend(switches(sub, &deeper));
        }
        found
    }

    /// The rule for the whole kind: whatever switch gets a variable later,
    /// wherever it is, reads it as the ones above do.
    #[test]
    fn every_switch_with_a_variable_takes_the_same_words() {
        let all = switches(&Cli::command(), &[]);
        for name in ["BAEDAL_CHAOS", "BAEDAL_NO_DEMO"] {
            assert!(
                all.iter().any(|(_, _, env)| env == name),
                "{name} in {all:?}"
            );
        }
        for (path, id, env) in &all {
            for (value, expected) in ON
                .map(|v| (v, true))
                .into_iter()
                .chain(OFF.map(|v| (v, false)))
            {
                let _env = EnvVars::set(&[(env.as_str(), value)]);
                let argv = std::iter::once("baedal").chain(path.iter().map(String::as_str));
                let matches = Cli::command()
                    .try_get_matches_from(argv)
                    .unwrap_or_else(|e| panic!("{path:?} {env}={value}: {e}"));
                let mut at = &matches;
                for sub in path {
                    at = at
                        .subcommand_matches(sub)
                        .expect("the subcommand was given");
                }
                assert_eq!(at.get_flag(id), expected, "{path:?} {env}={value}");
            }
        }
    }
}
