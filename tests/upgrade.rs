//! An operator's upgrade, through the real binary: a database written by
//! the last schema 1 release (`tests/fixtures/db-v1`) is upgraded at start
//! and serves what it held; a database from a newer release is refused and
//! left as it was.

mod common;

use common::*;
use reqwest::StatusCode;
use std::path::Path;
use std::process::{Command, Stdio};

/// A copy of the schema 1 fixture as `dir/db`, where `Server::start` looks.
fn copy_v1_fixture(dir: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/db-v1");
    let to = dir.join("db");
    std::fs::create_dir_all(to.join("blobs")).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[tokio::test]
async fn a_schema_1_database_is_upgraded_at_start_and_serves_what_it_held() {
    let dir = tempfile::tempdir().unwrap();
    copy_v1_fixture(dir.path());
    let server = Server::start(dir.path(), &[]);
    assert!(
        server.log().contains("upgrading the database"),
        "{}",
        server.log()
    );
    let api = &server.api;

    let (status, order) = api.get("/orders/1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(order["status"], "Completed");
    assert_eq!(order["riderId"], "rider-7");
    let (_, revised) = api.get("/orders/2").await;
    assert_eq!(
        (revised["status"].as_str(), revised["revision"].as_u64()),
        (Some("Placed"), Some(2))
    );
    let (_, payment) = api.get("/payments/5").await;
    assert_eq!(payment["status"], "Refunded");
    let (_, coupons) = api.get("/coupons?customerId=kim").await;
    assert_eq!(coupons[0]["status"], "Used");
    let (_, points) = api.get("/points/kim").await;
    assert!(points["balance"].as_u64().unwrap() > 0, "{points}");
    let (_, notes) = api.get("/notifications?customerId=kim&since=0").await;
    assert!(notes.as_array().unwrap().len() >= 7, "{notes}");
    let (_, store) = api.get("/stores/fixture-store").await;
    assert_eq!(store["open"], false);

    // The upgraded database takes new work, and the order's life goes on.
    let (status, _) = api.post_empty("/foodCookings/2/accept").await;
    assert_eq!(status, StatusCode::OK);
    let placed = api.place("new-customer", "gangnam-chicken").await;
    assert!(placed["id"].as_u64().unwrap() > 10, "{placed}");

    // A second start finds it upgraded: nothing more to do.
    assert!(server.stop().success());
    let again = Server::start(dir.path(), &[]);
    assert!(
        !again.log().contains("upgrading the database"),
        "{}",
        again.log()
    );
    let (_, accepted) = again.api.get("/orders/2").await;
    assert_eq!(accepted["status"], "Accepted");
    assert!(again.stop().success());
}

#[test]
fn a_database_from_a_newer_release_is_refused_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    // A database at the schema after this binary's.
    {
        let engine = sled::Config::new().path(&db).open().unwrap();
        let newer = baedal::storage::SCHEMA + 1;
        engine
            .insert(baedal::storage::keys::SCHEMA, &newer.to_be_bytes())
            .unwrap();
        engine.insert(b"order/x", &b"not ours to read"[..]).unwrap();
        engine.flush().unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_baedal"))
        .args(["--addr", "127.0.0.1:0", "--no-demo", "--data-dir"])
        .arg(&db)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success(), "it must not serve");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("newer baedal"), "{log}");
    assert!(
        log.contains(&format!("schema {}", baedal::storage::SCHEMA + 1)),
        "{log}"
    );
    let engine = sled::Config::new().path(&db).open().unwrap();
    let mark = engine.get(baedal::storage::keys::SCHEMA).unwrap().unwrap();
    assert_eq!(mark.as_ref(), &(baedal::storage::SCHEMA + 1).to_be_bytes());
    assert_eq!(
        engine.get(b"order/x").unwrap().unwrap().as_ref(),
        b"not ours to read"
    );
}
