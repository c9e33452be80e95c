//! The load generator, run against the real server: it drives whole
//! lifecycles, checks the invariants and reports, also as JSON.

mod common;

use common::*;
use serde_json::Value;
use std::process::Command;

#[test]
fn drives_lifecycles_checks_the_invariants_and_reports_them() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let json = dir.path().join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_baedal"))
        .args([
            "loadgen",
            "--target",
            &server.api.base,
            "--orders",
            "60",
            "--concurrency",
            "8",
        ])
        .args(["--cancel-share", "0.2", "--reject-share", "0.1", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("lifecycles: 60"), "{stdout}");
    assert!(stdout.contains("held"), "{stdout}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["lifecycles"], 60);
    assert_eq!(report["brokenLifecycles"], 0);
    assert_eq!(report["invariants"]["violations"], serde_json::json!([]));
    assert_eq!(report["invariants"]["ordersChecked"], 60);
    let v = &report["invariants"];
    assert_eq!(
        v["approvedWon"].as_u64().unwrap(),
        v["refundedWon"].as_u64().unwrap() + v["keptWon"].as_u64().unwrap()
    );
    assert!(
        v["refundedWon"].as_u64().unwrap() > 0,
        "some were canceled or rejected"
    );
    for kind in ["place", "kitchen", "rider", "confirm"] {
        assert!(
            report["latencyMs"][kind]["p99"].as_f64().unwrap() > 0.0,
            "{kind}"
        );
    }
}

#[test]
fn an_unreachable_target_is_an_error() {
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_baedal"))
        .args([
            "loadgen",
            "--target",
            &format!("http://{free}"),
            "--orders",
            "1",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach"));
}
