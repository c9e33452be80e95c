//! The `baedal` binary: `baedal` alone (or `baedal serve`) runs the server.

use baedal::config::{Cli, Command};
use clap::Parser;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Loadgen(args)) => return loadgen(args),
        Some(Command::Scale(args)) => return scale(args),
        Some(Command::Soak(args)) => return soak(args),
        Some(Command::Compact(args)) => return compact(args),
        Some(Command::Backup(args)) => return backup(args),
        Some(Command::Restore(args)) => return restore(args),
        Some(Command::Serve(args)) => *args,
        None => cli.serve,
    };
    match actix_rt::System::new().block_on(baedal::server::serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints `report` to standard output and, with a `--json` path, writes it
/// as JSON there (`-`: standard output too). Answers whether that worked.
fn print_report<R: std::fmt::Display + serde::Serialize>(
    report: &R,
    json: Option<std::path::PathBuf>,
) -> bool {
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{report}");
    let Some(path) = json else {
        return true;
    };
    let text = serde_json::to_string_pretty(report).unwrap_or_default();
    let written = if path.as_os_str() == "-" {
        writeln!(out, "{text}")
    } else {
        std::fs::write(&path, text)
    };
    if let Err(e) = &written {
        tracing::error!("cannot write {}: {e}", path.display());
    }
    written.is_ok()
}

/// Prints what a command did, or logs why it failed: its exit code.
fn said<E: std::fmt::Display>(done: Result<String, E>, failed: &str) -> ExitCode {
    match done {
        Ok(done) => {
            let _ = writeln!(std::io::stdout().lock(), "{done}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!("{failed}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A report that was made and printed (see [`print_report`]); `None`, with
/// the reason logged, if either failed.
fn printed<R: std::fmt::Display + serde::Serialize>(
    made: Result<R, impl std::fmt::Display>,
    json: Option<std::path::PathBuf>,
) -> Option<R> {
    let report = made.map_err(|e| tracing::error!("{e}")).ok()?;
    print_report(&report, json).then_some(report)
}

/// Runs the load generator; its report goes to standard output (and, with
/// `--json`, to a file). Fails if the invariants did not hold.
fn loadgen(args: baedal::loadgen::LoadgenArgs) -> ExitCode {
    let json = args.json.clone();
    let ran = actix_rt::System::new().block_on(baedal::loadgen::run(args));
    match printed(ran, json) {
        Some(report) if report.passed() => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

/// Runs the soak; its summary goes to standard output (and, with `--json`,
/// the samples, segments and summary to a file). With `--strict`, fails if
/// a target was missed.
fn soak(args: baedal::soak::SoakArgs) -> ExitCode {
    let (json, strict) = (args.json.clone(), args.strict);
    let ran = actix_rt::System::new().block_on(baedal::soak::run(args));
    match printed(ran, json) {
        Some(report) if !strict || report.passed() => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

/// Takes a backup of a running server (`baedal backup`).
fn backup(args: baedal::backup::BackupArgs) -> ExitCode {
    let done = actix_rt::System::new().block_on(baedal::backup::backup(&args));
    said(done, "no backup")
}

/// Rebuilds a database from a backup (`baedal restore`).
fn restore(args: baedal::backup::RestoreArgs) -> ExitCode {
    said(baedal::backup::restore(&args), "cannot restore")
}

/// Compacts a stopped server's database; says what it did on standard
/// output.
fn compact(args: baedal::config::CompactArgs) -> ExitCode {
    match baedal::storage::compact(&args.data_dir) {
        Ok(done) => {
            let mb = |b: u64| b as f64 / (1024.0 * 1024.0);
            let _ = writeln!(
                std::io::stdout().lock(),
                "compacted {}: {} keys, {:.0} MB on disk before, {:.0} MB after, in {:.1} s",
                args.data_dir.display(),
                done.keys,
                mb(done.bytes_before),
                mb(done.bytes_after),
                done.seconds
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!("cannot compact {}: {e}", args.data_dir.display());
            ExitCode::FAILURE
        }
    }
}

/// Runs the scale probe; its report goes to standard output, then as JSON.
fn scale(args: baedal::scale::ScaleArgs) -> ExitCode {
    match actix_rt::System::new().block_on(baedal::scale::run(args)) {
        Ok(report) => {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "{report}");
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string(&report).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}
