//! The sampler: every few seconds, the server's resident memory, the bytes
//! of its database on disk, and what `GET /health` answers.

use serde::Serialize;
use serde_json::Value;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What the sampler read at one moment.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    /// Seconds since the server answered `/health` (the soak's clock).
    pub secs: f64,
    /// Resident memory of the server process (`VmRSS`), in bytes; 0 if it
    /// could not be read.
    pub rss_bytes: u64,
    /// Bytes of the database directory on disk.
    pub disk_bytes: u64,
    /// The status `GET /health` answered (0: no answer).
    pub health_status: u16,
    /// How long `GET /health` took, in milliseconds.
    pub health_ms: f64,
    /// `logSequence` of `/health`: the last log record on disk.
    pub log_sequence: u64,
    /// The largest `subscriberLag` of `/health`, in log records.
    pub max_subscriber_lag: u64,
}

/// Where and how often to sample.
pub struct Watched {
    /// The server's process id.
    pub pid: u32,
    /// The server's base URL.
    pub base: String,
    /// The server's database directory.
    pub dir: PathBuf,
    /// Time between two samples.
    pub every: Duration,
    /// The soak's clock: `Sample::secs` counts from it.
    pub began: Instant,
}

/// A sampler running on the current actix System.
pub struct Sampler {
    stop: tokio::sync::oneshot::Sender<()>,
    task: actix_rt::task::JoinHandle<Vec<Sample>>,
}

impl Sampler {
    /// Starts sampling at once, then every `target.every`.
    pub fn start(target: Watched) -> Sampler {
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let task = actix_rt::spawn(async move {
            let client = awc::Client::builder()
                .timeout(Duration::from_secs(5))
                .finish();
            let mut samples = Vec::new();
            let mut tick = tokio::time::interval(target.every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => samples.push(take(&client, &target).await),
                    _ = &mut stopped => break,
                }
            }
            // One more, as the load ends.
            samples.push(take(&client, &target).await);
            samples
        });
        Sampler { stop, task }
    }

    /// Takes a last sample and answers all of them, oldest first.
    pub async fn stop(self) -> Vec<Sample> {
        let _ = self.stop.send(());
        self.task.await.unwrap_or_default()
    }
}

/// One sample.
async fn take(client: &awc::Client, target: &Watched) -> Sample {
    let began = Instant::now();
    let (health_status, health) = match client.get(format!("{}/health", target.base)).send().await {
        Ok(mut res) => (
            res.status().as_u16(),
            res.json::<Value>().await.unwrap_or(Value::Null),
        ),
        Err(_) => (0, Value::Null),
    };
    let health_ms = began.elapsed().as_secs_f64() * 1e3;
    let max_subscriber_lag = health["subscriberLag"]
        .as_object()
        .and_then(|lags| lags.values().filter_map(Value::as_u64).max())
        .unwrap_or(0);
    Sample {
        secs: target.began.elapsed().as_secs_f64(),
        rss_bytes: rss_of(target.pid).unwrap_or(0),
        disk_bytes: crate::storage::dir_size(&target.dir),
        health_status,
        health_ms,
        log_sequence: health["logSequence"].as_u64().unwrap_or(0),
        max_subscriber_lag,
    }
}

/// Resident memory of process `pid`, in bytes (`VmRSS` of
/// `/proc/<pid>/status`, which counts kB); `None` off Linux or once the
/// process is gone.
pub fn rss_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_resident_memory_of_this_process() {
        let rss = rss_of(std::process::id()).expect("Linux has /proc");
        assert!(rss > 1024 * 1024, "{rss}");
        assert_eq!(rss_of(u32::MAX), None);
    }
}
