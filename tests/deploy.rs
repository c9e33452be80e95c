//! The deploy recipes under `deploy/`: the systemd unit passes
//! `systemd-analyze verify` (through `deploy/systemd/verify`, which
//! scripts/test makes sure can run), a broken copy of it does not, and
//! the container, compose and Kubernetes recipes keep what the runbook
//! (docs/operations.md) relies on.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn verify(unit: &Path) -> (i32, String) {
    let out = Command::new(root().join("deploy/systemd/verify"))
        .arg(unit)
        .output()
        .expect("deploy/systemd/verify runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn the_systemd_unit_verifies_and_a_broken_one_does_not() {
    let unit = root().join("deploy/systemd/baedal.service");
    let (code, text) = verify(&unit);
    assert_eq!(code, 0, "{text}");

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("baedal.service");
    let text = read("deploy/systemd/baedal.service").replace("Restart=on-failure", "Restart=bogus");
    std::fs::write(&broken, text).unwrap();
    let (code, text) = verify(&broken);
    assert_eq!(code, 1, "a bad Restart= is a finding: {text}");
}

#[test]
fn the_unit_is_supervised_and_hardened() {
    let unit = read("deploy/systemd/baedal.service");
    for line in [
        "Type=notify",
        "WatchdogSec=",
        "Restart=on-failure",
        "StateDirectory=baedal",
        "User=baedal",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
    ] {
        assert!(unit.lines().any(|l| l.starts_with(line)), "{line} missing");
    }
}

#[test]
fn the_container_compose_and_kubernetes_recipes_keep_their_promises() {
    let image = read("deploy/container/Containerfile");
    assert!(image.matches("FROM ").count() >= 2, "multi-stage");
    assert!(image.contains("HEALTHCHECK"));
    assert!(image.contains("VOLUME"));
    assert!(image
        .lines()
        .any(|l| l.starts_with("USER ") && !l.contains("root")));
    let compose = read("deploy/compose.yaml");
    assert!(compose.contains("restart: unless-stopped"));
    let k8s = read("deploy/k8s/statefulset.yaml");
    for needle in [
        "kind: StatefulSet",
        "replicas: 1",
        "volumeClaimTemplates",
        "livenessProbe",
        "readinessProbe",
        "preStop",
    ] {
        assert!(k8s.contains(needle), "{needle} missing");
    }
}
