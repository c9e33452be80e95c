//! Online backup and restore, under load: `baedal backup` takes a snapshot
//! of a running server while clients keep ordering and canceling; the
//! server is then killed, `baedal restore` rebuilds the database in a new
//! directory and a server starts on it. Every order acknowledged before the
//! backup began is there, at least as far as it was acknowledged; the money
//! balances per gateway transaction; the subscribers catch up. A damaged
//! file or a used directory is refused.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

const STORE: &str = "gangnam-chicken";

fn baedal(args: &[&str], dirs: &[&Path]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_baedal"));
    command.args(args);
    for d in dirs {
        command.arg(d);
    }
    command
        .env("BAEDAL_ADMIN_PASSWORD", "test-admin-password")
        .output()
        .unwrap()
}

/// Orders acknowledged so far, each with the last status acknowledged.
type Acked = Arc<Mutex<HashMap<u64, &'static str>>>;

async fn client(api: Api, n: usize, acked: Acked, stop: Arc<AtomicBool>) {
    let customer = format!("backup-{n}");
    let mut i = 0u64;
    while !stop.load(Ordering::SeqCst) {
        i += 1;
        let (status, order) = api.post("/orders", order_body(&customer, STORE)).await;
        if status != StatusCode::CREATED {
            continue;
        }
        let id = order["id"].as_u64().unwrap();
        acked.lock().unwrap().insert(id, "Placed");
        let (status, _) = if i.is_multiple_of(3) {
            let done = api.post_empty(&format!("/orders/{id}/cancel")).await;
            (done.0, "Canceled")
        } else {
            let done = api.post_empty(&format!("/foodCookings/{id}/accept")).await;
            (done.0, "Accepted")
        };
        if status == StatusCode::OK {
            let next = if i.is_multiple_of(3) {
                "Canceled"
            } else {
                "Accepted"
            };
            acked.lock().unwrap().insert(id, next);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_restores_everything_acknowledged_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--chaos"]);
    let acked: Acked = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|n| tokio::spawn(client(server.api.clone(), n, acked.clone(), stop.clone())))
        .collect();
    eventually("some orders to be acknowledged", || async {
        (acked.lock().unwrap().len() >= 40).then_some(())
    })
    .await;

    let before: HashMap<u64, &str> = acked.lock().unwrap().clone();
    let file = dir.path().join("baedal.backup");
    let target = server.api.base.clone();
    let out = tokio::task::spawn_blocking({
        let file = file.clone();
        move || baedal(&["backup", "--target", &target, "--to"], &[&file])
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("bytes in"), "{said}");
    // The load went on during the backup.
    eventually("more orders after the backup", || async {
        (acked.lock().unwrap().len() >= before.len() + 10).then_some(())
    })
    .await;
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.await.unwrap();
    }
    // Refused: a wrong operator password; no file is left.
    let refused_file = dir.path().join("refused.backup");
    let out = Command::new(env!("CARGO_BIN_EXE_baedal"))
        .args(["backup", "--target", &server.api.base, "--to"])
        .arg(&refused_file)
        .env("BAEDAL_ADMIN_PASSWORD", "not-the-password")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("signing in as admin failed"));
    assert!(!refused_file.exists());
    let log = server.log();
    let taken = log.lines().find(|l| l.contains("backup taken")).unwrap();
    eprintln!("{said}{taken}");
    server.kill();

    // Refused: a used directory, a damaged file. Nothing is left behind.
    let used = dir.path().join("db");
    let out = baedal(
        &["restore", "--from"],
        &[&file, Path::new("--data-dir"), &used],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    let bytes = std::fs::read(&file).unwrap();
    let damaged = dir.path().join("damaged.backup");
    std::fs::write(&damaged, &bytes[..bytes.len() - 100]).unwrap();
    let fresh = dir.path().join("restored-damaged");
    let out = baedal(
        &["restore", "--from"],
        &[&damaged, Path::new("--data-dir"), &fresh],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("damaged"));
    assert!(!fresh.exists(), "nothing is left of a refused restore");

    let restored = tempfile::tempdir().unwrap();
    let out = baedal(
        &["restore", "--from"],
        &[&file, Path::new("--data-dir"), &restored.path().join("db")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = Server::start(restored.path(), &["--chaos"]);
    let api = &server.api;
    for (id, status) in &before {
        let (code, order) = api.get(&format!("/orders/{id}")).await;
        assert_eq!(
            code,
            StatusCode::OK,
            "order {id} was acknowledged before the backup"
        );
        let history = statuses(&order);
        assert!(
            history.contains(status),
            "order {id}: {status} acknowledged, {history:?}"
        );
    }
    eventually("pending payments to be settled", || async {
        let (_, health) = api.get("/health").await;
        (health["pendingPayments"] == 0 && health["pendingRevisions"] == 0).then_some(())
    })
    .await;
    caught_up(api).await;
    balances_per_transaction(api).await;
}

/// Every charge at the gateway is refunded at most what it was; a canceled
/// order's charges are refunded whole; a live order keeps its amount.
async fn balances_per_transaction(api: &Api) {
    let (_, accounts) = api.get("/admin/chaos/payment/charges").await;
    for account in accounts.as_array().unwrap() {
        let id = account["orderId"].as_u64().unwrap();
        let (status, order) = api.get(&format!("/orders/{id}")).await;
        if status == StatusCode::NOT_FOUND {
            // A charge whose checkout the backup caught half way: the
            // resolver must have given it back.
            assert_eq!(account["net"], 0, "order {id}: {account}");
            continue;
        }
        let charges: &Vec<Value> = account["charges"].as_array().unwrap();
        let mut kept = 0;
        for c in charges {
            let amount = c["amount"].as_u64().unwrap();
            let back: u64 = c["refunds"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_u64().unwrap())
                .sum();
            assert!(back <= amount, "order {id}: {c}");
            kept += amount - back;
        }
        if order["status"] == "Canceled" {
            assert_eq!(kept, 0, "order {id} canceled: {account}");
        } else {
            assert_eq!(
                kept,
                order["amount"].as_u64().unwrap(),
                "order {id}: {account}"
            );
        }
    }
}
