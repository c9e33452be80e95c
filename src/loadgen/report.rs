//! The report: throughput, latency percentiles per route kind, errors, and
//! the invariants' verdict.

use super::driver::Run;
use super::verify::Verified;
use super::LoadgenArgs;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Latency of one route kind, in milliseconds.
#[derive(Clone, Debug, Serialize)]
pub struct Latency {
    pub count: u64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// What a load run measured and found.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub target: String,
    pub concurrency: u64,
    pub seconds: f64,
    pub lifecycles: u64,
    /// Lifecycles that failed at some step (see `statuses`).
    pub broken_lifecycles: u64,
    pub lifecycles_per_second: f64,
    pub requests: u64,
    pub requests_per_second: f64,
    pub latency_ms: BTreeMap<String, Latency>,
    /// HTTP statuses seen, and requests that got no answer.
    pub statuses: BTreeMap<u16, u64>,
    pub unanswered: u64,
    pub invariants: Verified,
}

impl Report {
    pub fn new(args: &LoadgenArgs, run: &Run, invariants: Verified) -> Self {
        let secs = run.elapsed.as_secs_f64().max(1e-9);
        let ms = |us: u64| us as f64 / 1000.0;
        let latency_ms: BTreeMap<String, Latency> = run
            .samples
            .latencies
            .iter()
            .map(|(kind, h)| {
                let l = Latency {
                    count: h.len(),
                    p50: ms(h.value_at_quantile(0.50)),
                    p90: ms(h.value_at_quantile(0.90)),
                    p99: ms(h.value_at_quantile(0.99)),
                    max: ms(h.max()),
                };
                (kind.to_string(), l)
            })
            .collect();
        let requests: u64 = run.samples.latencies.values().map(|h| h.len()).sum();
        let lifecycles = run.outcomes.len() as u64;
        Report {
            target: args.target.clone(),
            concurrency: args.concurrency,
            seconds: secs,
            lifecycles,
            broken_lifecycles: run.broken,
            lifecycles_per_second: lifecycles as f64 / secs,
            requests,
            requests_per_second: requests as f64 / secs,
            latency_ms,
            statuses: run.samples.statuses.clone(),
            unanswered: run.samples.failures,
            invariants,
        }
    }

    /// Whether everything held: no broken lifecycle, no violation.
    pub fn passed(&self) -> bool {
        self.broken_lifecycles == 0 && self.unanswered == 0 && self.invariants.violations.is_empty()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "target {} at concurrency {}, {:.1} s",
            self.target, self.concurrency, self.seconds
        )?;
        writeln!(
            f,
            "lifecycles: {} ({:.0}/s), broken {}; requests: {} ({:.0}/s), unanswered {}",
            self.lifecycles,
            self.lifecycles_per_second,
            self.broken_lifecycles,
            self.requests,
            self.requests_per_second,
            self.unanswered
        )?;
        writeln!(
            f,
            "{:<10} {:>8} {:>9} {:>9} {:>9} {:>9}",
            "route", "count", "p50 ms", "p90 ms", "p99 ms", "max ms"
        )?;
        for (kind, l) in &self.latency_ms {
            writeln!(
                f,
                "{kind:<10} {:>8} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
                l.count, l.p50, l.p90, l.p99, l.max
            )?;
        }
        let statuses: Vec<String> = self
            .statuses
            .iter()
            .map(|(s, n)| format!("{s}: {n}"))
            .collect();
        writeln!(f, "statuses: {}", statuses.join(", "))?;
        let v = &self.invariants;
        writeln!(
            f,
            "invariants over {} orders, {} charges and {} refunds: approved {} = refunded {} + kept {} won, per transaction: {}",
            v.orders_checked,
            v.charges_checked,
            v.refunds_checked,
            v.approved_won,
            v.refunded_won,
            v.kept_won,
            if v.violations.is_empty() {
                "held"
            } else {
                "VIOLATED"
            }
        )?;
        for violation in v.violations.iter().take(20) {
            writeln!(f, "  {violation}")?;
        }
        Ok(())
    }
}
