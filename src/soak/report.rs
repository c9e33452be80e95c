//! The soak's verdict: what was measured, the figures the targets are
//! about, and each target with PASS or FAIL.
//!
//! "The first loaded minute" is the first paced segments that make up a
//! minute, "the last minute" and "the last five minutes" the last ones
//! (with the default 60-s segments: the first segment, the last one, the
//! last five). "The last half" is the second half of the paced load, from
//! the first segment's start to the last one's end; growth over it is the
//! slope of a least-squares line through its samples.

use super::sample::Sample;
use crate::loadgen::Report;
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// Throughput in the last five minutes within this share of the first
/// loaded minute's.
const THROUGHPUT_TOLERANCE: f64 = 0.10;
/// p99 latency in the last minute at most this many times the first's.
const P99_DRIFT: f64 = 1.5;
/// Resident memory over the last half flat within this share.
const RSS_TOLERANCE: f64 = 0.10;
/// Bytes on disk per stored order at most this many.
const DISK_BYTES_PER_ORDER: f64 = 4096.0;

/// One segment of load, as the load generator reported it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    /// 0: the peak run, unpaced; then 1, 2, … paced at the target rate.
    pub index: u64,
    /// On the soak's clock (seconds since the server answered), when the
    /// segment started and when its report was in.
    pub start_secs: f64,
    pub end_secs: f64,
    /// Seconds the load was driven (until the last lifecycle ended).
    pub seconds: f64,
    /// Lifecycles that went through, and those that failed at a step.
    pub lifecycles: u64,
    pub broken_lifecycles: u64,
    pub lifecycles_per_second: f64,
    /// The worst p99 latency over the route kinds, in milliseconds.
    pub p99_ms: f64,
    /// Requests answered 4xx or 5xx, or not at all.
    pub failed_requests: u64,
    /// Of those, how many of each status (0: no answer), so that a failure
    /// can be told apart from another afterwards.
    pub failures: std::collections::BTreeMap<u16, u64>,
}

impl Segment {
    /// The figures of a segment's report.
    pub fn of(index: u64, report: &Report, start_secs: f64, end_secs: f64) -> Segment {
        let failed: u64 = report
            .statuses
            .iter()
            .filter(|(status, _)| **status >= 400)
            .map(|(_, n)| n)
            .sum();
        Segment {
            index,
            start_secs,
            end_secs,
            seconds: report.seconds,
            lifecycles: report.lifecycles,
            broken_lifecycles: report.broken_lifecycles,
            lifecycles_per_second: report.lifecycles_per_second,
            p99_ms: report
                .latency_ms
                .values()
                .map(|l| l.p99)
                .fold(0.0, f64::max),
            failed_requests: failed + report.unanswered,
            failures: report
                .statuses
                .iter()
                .filter(|(status, _)| **status >= 400)
                .map(|(status, n)| (*status, *n))
                .chain((report.unanswered > 0).then_some((0, report.unanswered)))
                .collect(),
        }
    }
}

/// What a soak measured.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SoakRun {
    pub durability: &'static str,
    pub concurrency: u64,
    pub load_share: f64,
    /// Nominal seconds of the peak run and of each segment.
    pub segment_secs: u64,
    /// The paced segments' rate: the peak's lifecycles/s × the load share.
    pub target_rate: f64,
    pub peak: Segment,
    pub segments: Vec<Segment>,
    pub samples: Vec<Sample>,
    /// Bytes of the database directory once the server stopped.
    pub disk_bytes_end: u64,
    /// Orders of the last segment checked over HTTP, and what did not hold.
    pub orders_verified: u64,
    pub violations: Vec<String>,
    /// Where the curves were drawn.
    pub svg: PathBuf,
}

/// A least-squares line through samples of the last half, in bytes.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trend {
    pub samples: usize,
    /// The line at the half's start and at its end.
    pub from_bytes: f64,
    pub to_bytes: f64,
    /// Its slope, in bytes per hour.
    pub per_hour: f64,
}

impl Trend {
    /// The change over the half, as a share of where it started.
    pub fn change(&self) -> f64 {
        if self.from_bytes > 0.0 {
            (self.to_bytes - self.from_bytes) / self.from_bytes
        } else {
            f64::INFINITY
        }
    }
}

/// One target and how it came out.
#[derive(Clone, Debug, Serialize)]
pub struct Target {
    pub name: &'static str,
    pub measured: String,
    pub goal: &'static str,
    pub passed: bool,
}

/// The figures the targets are about.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Lifecycles per second.
    pub first_minute_throughput: f64,
    pub last_five_minutes_throughput: f64,
    /// Worst p99 over the route kinds, in milliseconds.
    pub first_minute_p99_ms: f64,
    pub last_minute_p99_ms: f64,
    /// Resident memory and bytes on disk over the last half (`None`: fewer
    /// than two samples in it).
    pub rss: Option<Trend>,
    pub disk: Option<Trend>,
    /// Lifecycles started over the whole soak, the peak run's included:
    /// every one stored an order, or tried to.
    pub lifecycles_started: u64,
    pub disk_bytes_per_order: f64,
    pub targets: Vec<Target>,
}

/// What a soak measured, and its verdict.
#[derive(Clone, Debug, Serialize)]
pub struct SoakReport {
    #[serde(flatten)]
    pub run: SoakRun,
    pub summary: Summary,
}

/// Lifecycles per second over `segments` (0 for none).
fn throughput(segments: &[Segment]) -> f64 {
    let seconds: f64 = segments.iter().map(|s| s.seconds).sum();
    let lifecycles: u64 = segments.iter().map(|s| s.lifecycles).sum();
    if seconds > 0.0 {
        lifecycles as f64 / seconds
    } else {
        0.0
    }
}

/// The worst p99 of `segments`, in milliseconds.
fn p99(segments: &[Segment]) -> f64 {
    segments.iter().map(|s| s.p99_ms).fold(0.0, f64::max)
}

/// The least-squares line through `points`: (slope, intercept); `None`
/// with fewer than two distinct x.
fn fit(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    Some((slope, my - slope * mx))
}

/// The trend of `bytes` over the samples taken from `from` to `to`
/// seconds (those that read 0, i.e. failed, left out).
fn trend(samples: &[Sample], from: f64, to: f64, bytes: fn(&Sample) -> u64) -> Option<Trend> {
    let points: Vec<(f64, f64)> = samples
        .iter()
        .filter(|s| (from..=to).contains(&s.secs) && bytes(s) > 0)
        .map(|s| (s.secs, bytes(s) as f64))
        .collect();
    let (slope, intercept) = fit(&points)?;
    Some(Trend {
        samples: points.len(),
        from_bytes: intercept + slope * from,
        to_bytes: intercept + slope * to,
        per_hour: slope * 3600.0,
    })
}

fn mb(bytes: f64) -> f64 {
    bytes / (1024.0 * 1024.0)
}

impl SoakReport {
    /// The figures and the verdict of what was measured.
    pub fn new(run: SoakRun) -> SoakReport {
        let segs = &run.segments;
        // How many of the last (or first) segments make up `secs`.
        let count = |secs: u64| {
            let n = secs.div_ceil(run.segment_secs.max(1)) as usize;
            n.max(1).min(segs.len())
        };
        let (minute, five) = (count(60), count(300));
        let first = &segs[..minute];
        let last_minute = &segs[segs.len() - minute..];
        let last_five = &segs[segs.len() - five..];
        let (start, end) = match (segs.first(), segs.last()) {
            (Some(a), Some(b)) => (a.start_secs, b.start_secs + b.seconds),
            _ => (0.0, 0.0),
        };
        let mid = (start + end) / 2.0;
        let rss = trend(&run.samples, mid, end, |s| s.rss_bytes);
        let disk = trend(&run.samples, mid, end, |s| s.disk_bytes);
        let lifecycles_started: u64 = std::iter::once(&run.peak)
            .chain(segs)
            .map(|s| s.lifecycles + s.broken_lifecycles)
            .sum();
        let broken: u64 = std::iter::once(&run.peak)
            .chain(segs)
            .map(|s| s.broken_lifecycles)
            .sum();
        let per_order = run.disk_bytes_end as f64 / lifecycles_started.max(1) as f64;
        let mut summary = Summary {
            first_minute_throughput: throughput(first),
            last_five_minutes_throughput: throughput(last_five),
            first_minute_p99_ms: p99(first),
            last_minute_p99_ms: p99(last_minute),
            rss,
            disk,
            lifecycles_started,
            disk_bytes_per_order: per_order,
            targets: Vec::new(),
        };
        summary.targets = targets(&summary, &run, broken);
        SoakReport { run, summary }
    }

    /// Whether every target was met.
    pub fn passed(&self) -> bool {
        self.summary.targets.iter().all(|t| t.passed)
    }
}

/// Each target of issue 12, and the invariants.
fn targets(s: &Summary, run: &SoakRun, broken: u64) -> Vec<Target> {
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::INFINITY };
    let throughput = ratio(s.last_five_minutes_throughput, s.first_minute_throughput);
    let drift = ratio(s.last_minute_p99_ms, s.first_minute_p99_ms);
    let rss_change = s.rss.as_ref().map(Trend::change);
    vec![
        Target {
            name: "throughput, last five minutes vs the first loaded minute",
            measured: format!(
                "{:.1}/s vs {:.1}/s, ratio {throughput:.2}",
                s.last_five_minutes_throughput, s.first_minute_throughput
            ),
            goal: "within 10%",
            passed: (throughput - 1.0).abs() <= THROUGHPUT_TOLERANCE,
        },
        Target {
            name: "p99 latency (worst route), last minute vs the first loaded minute",
            measured: format!(
                "{:.2} ms vs {:.2} ms, ratio {drift:.2}",
                s.last_minute_p99_ms, s.first_minute_p99_ms
            ),
            goal: "at most 1.5x",
            passed: drift <= P99_DRIFT,
        },
        Target {
            name: "resident memory over the last half",
            measured: match rss_change {
                Some(change) => format!("{:+.1}%", change * 100.0),
                None => "too few samples".into(),
            },
            goal: "flat within 10%",
            passed: rss_change.is_some_and(|c| c.abs() <= RSS_TOLERANCE),
        },
        Target {
            name: "bytes on disk per order started",
            measured: format!(
                "{:.0} ({:.1} MB for {} lifecycles)",
                s.disk_bytes_per_order,
                mb(run.disk_bytes_end as f64),
                s.lifecycles_started
            ),
            goal: "at most 4096 once retention has run",
            passed: s.lifecycles_started > 0 && s.disk_bytes_per_order <= DISK_BYTES_PER_ORDER,
        },
        Target {
            name: "every lifecycle went through; the last segment's orders hold the invariants",
            measured: format!(
                "{broken} broken; {} orders checked, {} violations",
                run.orders_verified,
                run.violations.len()
            ),
            goal: "none broken, none violated",
            passed: broken == 0 && run.violations.is_empty(),
        },
    ]
}

impl fmt::Display for SoakReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (run, s) = (&self.run, &self.summary);
        writeln!(
            f,
            "soak: {} segments of {} s paced at {:.1} lifecycles/s ({:.0}% of a peak of {:.1}/s), concurrency {}, {}",
            run.segments.len(),
            run.segment_secs,
            run.target_rate,
            run.load_share * 100.0,
            run.peak.lifecycles_per_second,
            run.concurrency,
            run.durability
        )?;
        writeln!(
            f,
            "lifecycles started: {} over the whole soak, {} samples",
            s.lifecycles_started,
            run.samples.len()
        )?;
        for (what, trend) in [("resident memory", &s.rss), ("bytes on disk", &s.disk)] {
            match trend {
                Some(t) => writeln!(
                    f,
                    "{what}, last half: {:.1} MB to {:.1} MB, {:+.1} MB per hour (least-squares line through {} samples)",
                    mb(t.from_bytes),
                    mb(t.to_bytes),
                    mb(t.per_hour),
                    t.samples
                )?,
                None => writeln!(f, "{what}, last half: too few samples")?,
            }
        }
        for t in &s.targets {
            let verdict = if t.passed { "PASS" } else { "FAIL" };
            writeln!(
                f,
                "{verdict}  {}: {} (goal: {})",
                t.name, t.measured, t.goal
            )?;
        }
        for violation in run.violations.iter().take(20) {
            writeln!(f, "  {violation}")?;
        }
        writeln!(f, "curves: {}", run.svg.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_through_points_on_a_line_is_that_line() {
        let points: Vec<(f64, f64)> = (0..10).map(|x| (x as f64, 3.0 * x as f64 + 2.0)).collect();
        let (slope, intercept) = fit(&points).unwrap();
        assert!((slope - 3.0).abs() < 1e-9 && (intercept - 2.0).abs() < 1e-9);
        assert_eq!(fit(&points[..1]), None);
        assert_eq!(fit(&[(1.0, 1.0), (1.0, 2.0)]), None);
    }
}
