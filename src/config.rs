//! Command-line options and their environment variables.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

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
    #[arg(long, env = "BAEDAL_CHAOS")]
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

    /// Mailbox capacity of each entity actor.
    #[arg(long, env = "BAEDAL_MAILBOX_CAPACITY", default_value_t = 256)]
    pub mailbox_capacity: usize,

    /// Do not load the demo stores on first start.
    #[arg(long, env = "BAEDAL_NO_DEMO")]
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
}

impl ServeArgs {
    pub fn arbiter_count(&self) -> usize {
        self.arbiters.unwrap_or_else(cores).max(1)
    }

    pub fn http_worker_count(&self) -> usize {
        self.http_workers.unwrap_or_else(cores).max(1)
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

    #[test]
    fn the_cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn bare_and_serve_take_the_same_options() {
        let bare = Cli::try_parse_from(["baedal", "--addr", "127.0.0.1:0", "--chaos"]).unwrap();
        assert!(bare.command.is_none());
        assert!(bare.serve.chaos);
        let serve = Cli::try_parse_from(["baedal", "serve", "--durability", "relaxed"]).unwrap();
        let Some(Command::Serve(args)) = serve.command else {
            panic!("serve")
        };
        assert_eq!(args.durability, DurabilityMode::Relaxed);
    }
}
