//! `baedal soak`: a long run that shows growth is bounded. It starts the
//! server on a fresh database as a child process, measures the peak
//! throughput with one unpaced run of the load generator, then drives a
//! steady load at a share of it (70% by default) in back-to-back segments
//! of a minute for `--minutes`. Meanwhile it samples the server's resident
//! memory, its bytes on disk and `/health` every 10 s; at the end it draws
//! the curves (SVG) and checks the targets (`report.rs`).

mod plot;
mod report;
mod sample;

pub use report::{Segment, SoakReport, SoakRun, Summary, Target, Trend};
pub use sample::Sample;

use crate::config::DurabilityMode;
use crate::error::AppError;
use crate::loadgen::{LoadgenArgs, LoadgenError, Session};
use crate::scale::probe;
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Options of `baedal soak`.
#[derive(Clone, Debug, Args)]
pub struct SoakArgs {
    /// Minutes of steady load, after the minute that measures the peak.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub minutes: u64,

    /// Lifecycles in flight at most (one keep-alive connection each), in
    /// the peak run and in the paced segments.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub concurrency: u64,

    /// The steady load as a share of the peak throughput (above 0, at
    /// most 1).
    #[arg(long, default_value_t = 0.7)]
    pub load_share: f64,

    /// The server's database: absent or empty (the soak measures a fresh
    /// one). [default: `baedal-soak-<pid>` in the system's temporary
    /// directory, removed at the end]
    #[arg(long)]
    pub data_dir: Option<PathBuf>,

    /// Where to draw the curves (SVG).
    #[arg(long, default_value = "soak.svg")]
    pub out: PathBuf,

    /// Also write the samples, segments and summary as JSON to this file
    /// (`-`: standard output).
    #[arg(long)]
    pub json: Option<PathBuf>,

    /// When the server acknowledges writes.
    #[arg(long, value_enum, default_value_t = DurabilityMode::Durable)]
    pub durability: DurabilityMode,

    /// One more option for the server, e.g.
    /// `--server-arg=--retention-sweep-secs=60` (repeatable; not
    /// `--durability`, which is the soak's own).
    #[arg(long = "server-arg", allow_hyphen_values = true)]
    pub server_arg: Vec<String>,

    /// Exit non-zero if a target failed (without it the soak reports
    /// FAIL lines and exits 0).
    #[arg(long)]
    pub strict: bool,

    /// Seed of the load's choices; segment k draws from seed + k.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Seconds of the peak run and of each segment (for tests).
    #[arg(long, default_value_t = 60, hide = true, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub segment_secs: u64,

    /// Seconds between two samples (for tests).
    #[arg(long, default_value_t = 10, hide = true, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub sample_secs: u64,

    /// Paced segments to run instead of `--minutes` worth of them (for
    /// tests, which cannot wait a minute).
    #[arg(long, hide = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub segments: Option<u64>,
}

/// Why a soak could not be run to its end.
#[derive(Debug, thiserror::Error)]
pub enum SoakError {
    #[error("invalid options: {0}")]
    Options(String),
    #[error("{0} is not empty: the soak measures a fresh database")]
    NotFresh(PathBuf),
    #[error("cannot {what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Server(#[from] AppError),
    #[error(transparent)]
    Load(#[from] LoadgenError),
    #[error("the peak run completed no lifecycle")]
    NoPeak,
    #[error("cannot draw {path}: {reason}")]
    Plot { path: PathBuf, reason: String },
}

/// How long the load generator's tokens are honoured: the server's
/// longest (a day), past any soak's length.
const TOKEN_SECS: &str = "86400";

/// Runs the soak and draws its curves into `args.out`. Must run inside an
/// actix System.
pub async fn run(args: SoakArgs) -> Result<SoakReport, SoakError> {
    if !(args.load_share > 0.0 && args.load_share <= 1.0) {
        return Err(SoakError::Options(
            "--load-share must be above 0 and at most 1".into(),
        ));
    }
    if args.segment_secs == 0 || args.sample_secs == 0 {
        return Err(SoakError::Options(
            "segments and samples take at least a second".into(),
        ));
    }
    let (dir, ours) = match &args.data_dir {
        Some(dir) => (dir.clone(), false),
        None => {
            let name = format!("baedal-soak-{}", std::process::id());
            (std::env::temp_dir().join(name), true)
        }
    };
    fresh(&dir)?;
    let measured = soak_on(&args, &dir).await;
    if ours && dir.exists() {
        if let Err(e) = std::fs::remove_dir_all(&dir) {
            tracing::warn!("cannot remove {}: {e}", dir.display());
        }
    }
    let report = SoakReport::new(measured?);
    let svg = plot::svg(&report.run).map_err(|reason| SoakError::Plot {
        path: args.out.clone(),
        reason,
    })?;
    std::fs::write(&args.out, svg).map_err(|source| SoakError::Io {
        what: "write",
        path: args.out.clone(),
        source,
    })?;
    Ok(report)
}

/// Refuses a database directory that holds anything.
fn fresh(dir: &Path) -> Result<(), SoakError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => match entries.next() {
            Some(_) => Err(SoakError::NotFresh(dir.into())),
            None => Ok(()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(SoakError::Io {
            what: "read",
            path: dir.into(),
            source,
        }),
    }
}

/// The server's options beyond the probe's own (`--no-rate-limits` and an
/// operator password).
fn server_args(args: &SoakArgs) -> Vec<String> {
    let durability = durability_name(args.durability);
    let mut extra = vec!["--durability".to_string(), durability.to_string()];
    // The load signs in once: its tokens must last the whole soak.
    if !args
        .server_arg
        .iter()
        .any(|a| a.starts_with("--access-token-secs"))
    {
        extra.extend(["--access-token-secs".to_string(), TOKEN_SECS.to_string()]);
    }
    extra.extend(args.server_arg.iter().cloned());
    extra
}

/// `--durability`'s word for `mode`.
fn durability_name(mode: DurabilityMode) -> &'static str {
    match mode {
        DurabilityMode::Durable => "durable",
        DurabilityMode::Relaxed => "relaxed",
    }
}

/// Starts the server on `dir`, samples it while the load runs, and stops
/// it: what was measured.
async fn soak_on(args: &SoakArgs, dir: &Path) -> Result<SoakRun, SoakError> {
    let extra = server_args(args);
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let server = probe::Server::start(dir, &extra).await?;
    let began = Instant::now();
    let sampler = sample::Sampler::start(sample::Watched {
        pid: server.pid(),
        base: server.base.clone(),
        dir: dir.to_path_buf(),
        every: Duration::from_secs(args.sample_secs),
        began,
    });
    let loaded = load(args, &server.base, began).await;
    let samples = sampler.stop().await;
    // SIGTERM, and waits for it to exit.
    drop(server);
    let loaded = loaded?;
    Ok(SoakRun {
        durability: durability_name(args.durability),
        concurrency: args.concurrency,
        load_share: args.load_share,
        segment_secs: args.segment_secs,
        target_rate: loaded.target_rate,
        peak: loaded.peak,
        segments: loaded.segments,
        samples,
        disk_bytes_end: crate::storage::dir_size(dir),
        orders_verified: loaded.orders_verified,
        violations: loaded.violations,
        svg: args.out.clone(),
    })
}

/// What the load did.
struct Loaded {
    peak: Segment,
    target_rate: f64,
    segments: Vec<Segment>,
    orders_verified: u64,
    violations: Vec<String>,
}

/// The load generator's options for the soak (the counts and the pace
/// are each segment's).
fn loadgen_args(args: &SoakArgs, base: &str) -> LoadgenArgs {
    LoadgenArgs {
        target: base.to_string(),
        orders: u64::MAX,
        concurrency: args.concurrency,
        duration: None,
        rate: None,
        cancel_share: 0.1,
        reject_share: 0.05,
        mix: None,
        seed: args.seed,
        owner_password: crate::demo::DEMO_PASSWORD.to_string(),
        json: None,
    }
}

/// Signs in, measures the peak, then drives the paced segments back to
/// back; the last one's orders are then verified.
async fn load(args: &SoakArgs, base: &str, began: Instant) -> Result<Loaded, SoakError> {
    let session = Session::start(loadgen_args(args, base)).await?;
    let secs = args.segment_secs;
    let now = || began.elapsed().as_secs_f64();
    tracing::info!("signed in; measuring the peak for {secs} s");
    let start = now();
    let report = session.segment(secs, None, args.seed, false).await?;
    let peak = Segment::of(0, &report, start, now());
    if peak.lifecycles == 0 {
        return Err(SoakError::NoPeak);
    }
    let target_rate = peak.lifecycles_per_second * args.load_share;
    let count = args
        .segments
        .unwrap_or_else(|| (args.minutes * 60).div_ceil(secs));
    tracing::info!(
        peak = peak.lifecycles_per_second,
        rate = target_rate,
        segments = count,
        "steady load starts"
    );
    let mut segments = Vec::new();
    let mut orders_verified = 0;
    let mut violations = Vec::new();
    for k in 1..=count {
        let start = now();
        let last = k == count;
        let seed = args.seed.wrapping_add(k);
        let report = session.segment(secs, Some(target_rate), seed, last).await?;
        let segment = Segment::of(k, &report, start, now());
        tracing::info!(
            segment = k,
            of = count,
            lifecycles_per_second = segment.lifecycles_per_second,
            p99_ms = segment.p99_ms,
            "segment done"
        );
        segments.push(segment);
        if last {
            orders_verified = report.invariants.orders_checked;
            violations = report.invariants.violations;
        }
    }
    Ok(Loaded {
        peak,
        target_rate,
        segments,
        orders_verified,
        violations,
    })
}
