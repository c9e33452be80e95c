//! A full disk, for real: the data directory is on a small tmpfs (the test
//! mounts one; it runs as root, as CI does), filled up under a running
//! server.
//!
//! - A write that cannot be made is refused at once with 503
//!   `storage-unavailable` and `Retry-After`; `/health` answers 503 and
//!   says why; reads keep working; `/health/live` stays 200.
//! - Once the disk takes writes again the process exits non-zero, for its
//!   supervisor to restart it (sled keeps its I/O error for good).
//! - A start while the disk is still full fails and may leave an
//!   incomplete snapshot file; the next start, with room again, sets it
//!   aside and opens the database whole: every acknowledged order is there.

mod common;

use common::*;
use reqwest::StatusCode;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const STORE: &str = "gangnam-chicken";

/// A tmpfs mounted for the test's life.
struct Mount(PathBuf);

impl Mount {
    fn new(at: &Path, size: &str) -> Mount {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .expect("mount runs");
        assert!(
            out.status.success(),
            "this test mounts a tmpfs and needs root: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Mount(at.to_path_buf())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the filesystem under `dir` up to the last byte.
fn fill(dir: &Path) -> PathBuf {
    let filler = dir.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let chunk = vec![1u8; 64 << 10];
    while f.write_all(&chunk).is_ok() {}
    let small = [1u8; 512];
    while f.write_all(&small).is_ok() {}
    filler
}

/// Starts the binary on `data_dir` and waits for it to end by itself (a
/// start that fails); one still running after a minute is killed and
/// counts as having started.
fn start_fails(data_dir: &Path, log: &Path) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_baedal"))
        .args(["--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return !status.success();
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_at_once_and_loses_nothing_acknowledged() {
    let tmp = tempfile::tempdir().unwrap();
    let mount = Mount::new(&tmp.path().join("disk"), "48m");
    let server = Server::start(&mount.0, &[]);
    let api = server.api.clone();
    let mut acknowledged = vec![api.place("kim", STORE).await["id"].as_u64().unwrap()];

    // Signing in is a write: sign in before the disk fills.
    assert_eq!(
        api.get(&format!("/orders/{}", acknowledged[0])).await.0,
        StatusCode::OK
    );
    let filler = fill(&mount.0);
    // Writes go on until one meets the full disk: that one is refused, at
    // once, and so is every one after it.
    let body = order_body("kim", STORE);
    let refused = loop {
        let (status, answer) = api.post("/orders", body.clone()).await;
        if status == StatusCode::CREATED {
            acknowledged.push(answer["id"].as_u64().unwrap());
            assert!(acknowledged.len() < 10_000, "the disk never filled");
            continue;
        }
        break (status, answer);
    };
    assert_problem(refused.0, &refused.1, 503, "storage is unavailable");
    assert_eq!(refused.1["type"], "/problems/storage-unavailable");
    let req = api
        .request(reqwest::Method::POST, "/orders", Some(&body))
        .await;
    let again = req.send().await.unwrap();
    let status = again.status();
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{:?}",
        again.text().await
    );
    assert!(again.headers().contains_key("retry-after"));

    let (status, health) = api.get("/health").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{health}");
    assert_eq!(health["storage"]["writable"], false);
    assert!(health["storage"]["reason"]
        .as_str()
        .unwrap()
        .contains("flush"));
    assert_eq!(api.get("/health/live").await.0, StatusCode::OK);
    let (status, order) = api.get(&format!("/orders/{}", acknowledged[0])).await;
    assert_eq!(
        (status, &order["status"]),
        (StatusCode::OK, &"Placed".into())
    );

    // Room again: the process sees it and exits for its supervisor.
    std::fs::remove_file(&filler).unwrap();
    let status = server.exited();
    assert!(!status.success(), "exits non-zero to be restarted");

    // A start on a full disk fails ...
    let filler = fill(&mount.0);
    let log = tmp.path().join("failed-start.log");
    assert!(
        start_fails(&mount.0.join("db"), &log),
        "a start on a full disk fails"
    );
    let said = std::fs::read_to_string(&log).unwrap();
    assert!(said.contains("No space left on device"), "{said}");
    // ... and may leave an incomplete snapshot behind (sled creates
    // `snap.<lsn>.generating` before writing it; where exactly the full
    // disk stops it varies). If this one did not, the test leaves the
    // empty file the run was left with, named to sort last.
    let generating = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with("snap.") && n.ends_with(".generating"))
            .collect()
    };
    std::fs::remove_file(&filler).unwrap();
    let db_dir = mount.0.join("db");
    if generating(&db_dir).is_empty() {
        std::fs::File::create(db_dir.join("snap.FFFFFFFFFFFFFFFF.generating")).unwrap();
    }

    // With room, the next start sets it aside and has everything.
    let server = Server::start(&mount.0, &[]);
    assert!(server.log().contains("set aside an incomplete snapshot"));
    assert!(generating(&db_dir).is_empty());
    let api = server.api.clone();
    for id in &acknowledged {
        let (status, order) = api.get(&format!("/orders/{id}")).await;
        assert_eq!(status, StatusCode::OK, "acknowledged order {id} is there");
        assert_eq!(order["status"], "Placed");
    }
    assert_eq!(api.get("/health").await.0, StatusCode::OK);
    api.place("lee", STORE).await;
}
