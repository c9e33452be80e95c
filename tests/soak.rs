//! `baedal soak` at a small scale: it starts its own server, measures the
//! peak, drives paced segments while it samples, draws the three curves
//! and reports the targets, also as JSON. The hidden options shorten it to
//! four segments of 4 s and a sample a second (about half a minute).

use serde_json::Value;
use std::process::Command;

#[test]
fn a_short_soak_samples_draws_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("soak.svg");
    let json = dir.path().join("soak.json");
    let out = Command::new(env!("CARGO_BIN_EXE_baedal"))
        .args(["soak", "--minutes", "1", "--concurrency", "4"])
        .args([
            "--segment-secs",
            "4",
            "--segments",
            "4",
            "--sample-secs",
            "1",
        ])
        .arg("--data-dir")
        .arg(dir.path().join("db"))
        .arg("--out")
        .arg(&svg)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "throughput",
        "p99 latency",
        "resident memory",
        "bytes on disk",
        "curves:",
    ] {
        assert!(stdout.contains(line), "{line} in {stdout}");
    }

    let drawing = std::fs::read_to_string(&svg).unwrap();
    assert!(drawing.contains("<svg"), "{drawing}");
    for title in [
        "Resident memory of the server",
        "Bytes on disk",
        "Throughput per segment",
    ] {
        assert!(drawing.contains(title), "{title}");
    }

    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let samples = report["samples"].as_array().unwrap();
    assert!(samples.len() >= 5, "{samples:?}");
    for sample in samples {
        assert!(sample["rssBytes"].as_u64().unwrap() > 0, "{sample}");
        assert!(sample["diskBytes"].as_u64().unwrap() > 0, "{sample}");
    }
    assert!(
        samples.iter().any(|s| s["healthStatus"] == 200),
        "{samples:?}"
    );
    assert!(report["peak"]["lifecyclesPerSecond"].as_f64().unwrap() > 0.0);
    let segments = report["segments"].as_array().unwrap();
    assert_eq!(segments.len(), 4);
    let loaded = segments
        .iter()
        .filter(|s| s["lifecycles"].as_u64().unwrap() > 0)
        .count();
    assert!(loaded >= 3, "{segments:?}");
    assert!(report["ordersVerified"].as_u64().unwrap() > 0, "{report}");
    let targets = report["summary"]["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 5, "{targets:?}");
    assert!(targets.iter().all(|t| t["passed"].is_boolean()));
    assert!(report["summary"]["lifecyclesStarted"].as_u64().unwrap() > 0);
    assert!(
        dir.path().join("db").read_dir().unwrap().next().is_some(),
        "a given data directory is kept"
    );
}
