//! Every variable of the README's "Running it" table, set through the
//! environment of the real binary: each one is read (a bad value is
//! refused, good ones start the server), and the switches (`BAEDAL_CHAOS`,
//! `BAEDAL_NO_DEMO`) take 1/0, true/false, yes/no and on/off in any case.

mod common;

use baedal::config::Cli;
use clap::CommandFactory;
use common::*;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;

/// One row of the README's table, as this test drives it.
struct Variable {
    name: &'static str,
    /// A value other than the default that the server accepts, used all
    /// at once in [`all_good_values_at_once_start_the_server`]; `None`
    /// where it depends on the test (the address, the data directory, the
    /// webhook's receiver).
    good: Option<&'static str>,
    /// A value the binary refuses, and what its refusal says; `None` for
    /// the two that take any text (checked by their effect instead).
    bad: Option<(&'static str, &'static str)>,
}

const fn var(
    name: &'static str,
    good: Option<&'static str>,
    bad: Option<(&'static str, &'static str)>,
) -> Variable {
    Variable { name, good, bad }
}

/// Every row of the README's "Running it" table (the test below checks
/// that this list, the table and the command line agree).
const VARIABLES: &[Variable] = &[
    var("BAEDAL_ADDR", None, Some(("nowhere", "--addr"))),
    var("BAEDAL_DATA_DIR", None, None),
    var("BAEDAL_CHAOS", Some("on"), Some(("maybe", "--chaos"))),
    var(
        "BAEDAL_DURABILITY",
        Some("relaxed"),
        Some(("sometimes", "--durability")),
    ),
    var(
        "BAEDAL_FLUSH_INTERVAL_MS",
        Some("5"),
        Some(("0", "--flush-interval-ms")),
    ),
    var("BAEDAL_CACHE_MB", Some("16"), Some(("0", "--cache-mb"))),
    var(
        "BAEDAL_PASSIVATE_AFTER_SECS",
        Some("30"),
        Some(("0", "--passivate-after-secs")),
    ),
    var("BAEDAL_ARBITERS", Some("1"), Some(("many", "--arbiters"))),
    var(
        "BAEDAL_HTTP_WORKERS",
        Some("1"),
        Some(("many", "--http-workers")),
    ),
    var(
        "BAEDAL_SUBSCRIBER_BATCH_MS",
        Some("5"),
        Some(("5000", "--subscriber-batch-ms")),
    ),
    var(
        "BAEDAL_LOG_COMPACT_SECS",
        Some("5"),
        Some(("0", "--log-compact-secs")),
    ),
    var(
        "BAEDAL_MAILBOX_CAPACITY",
        Some("64"),
        Some(("-1", "--mailbox-capacity")),
    ),
    var(
        "BAEDAL_SANDBOX_LATENCY_MS",
        Some("1"),
        Some(("slow", "--sandbox-latency-ms")),
    ),
    // Checked by its effect below: a dish of 19,000 won passes, two do not.
    var(
        "BAEDAL_SANDBOX_DECLINE_OVER",
        Some("20000"),
        Some(("lots", "--sandbox-decline-over")),
    ),
    var("BAEDAL_SANDBOX_DECLINE_PREFIX", Some("bad-"), None),
    // The sandbox stays: a Toss server would want a paymentKey of every
    // order this test places. Toss itself: tests/toss.rs.
    var(
        "BAEDAL_PAYMENT_GATEWAY",
        Some("sandbox"),
        Some(("paypal", "--payment-gateway")),
    ),
    var(
        "BAEDAL_GATEWAY_URL",
        Some("https://pg.example.invalid"),
        Some(("ftp://pg.example.invalid", "--gateway-url")),
    ),
    var("BAEDAL_GATEWAY_SECRET_KEY", Some("test_sk_unused"), None),
    var("BAEDAL_NO_DEMO", Some("off"), Some(("maybe", "--no-demo"))),
    var(
        "BAEDAL_MAX_IN_FLIGHT",
        Some("100"),
        Some(("0", "--max-in-flight")),
    ),
    var(
        "BAEDAL_WEBHOOK_URL",
        None,
        Some(("ftp://example.invalid", "--webhook-url")),
    ),
    var(
        "BAEDAL_WEBHOOK_CA_FILE",
        None,
        Some(("/nonexistent/ca.pem", "--webhook-ca-file")),
    ),
    var(
        "BAEDAL_REVIEW_COUPON_WON",
        Some("1500"),
        Some(("0", "--review-coupon-won")),
    ),
    var(
        "BAEDAL_REVIEW_COUPON_MIN_ORDER_WON",
        Some("10000"),
        Some(("cheap", "--review-coupon-min-order-won")),
    ),
    var(
        "BAEDAL_IDEMPOTENCY_RETENTION_HOURS",
        Some("48"),
        Some(("0", "--idempotency-retention-hours")),
    ),
    var(
        "BAEDAL_NOTIFICATION_RETENTION_DAYS",
        Some("7"),
        Some(("never", "--notification-retention-days")),
    ),
    var(
        "BAEDAL_FINISHED_VIEW_RETENTION_HOURS",
        Some("2"),
        Some(("0", "--finished-view-retention-hours")),
    ),
    var(
        "BAEDAL_RETENTION_SWEEP_SECS",
        Some("60"),
        Some(("0", "--retention-sweep-secs")),
    ),
    var(
        "BAEDAL_MAX_ORDER_WON",
        Some("1000000"),
        Some(("0", "--max-order-won")),
    ),
    var(
        "BAEDAL_ACCEPT_DEADLINE_SECS",
        Some("900"),
        Some(("4", "--accept-deadline-secs")),
    ),
    var(
        "BAEDAL_MAX_REVISIONS",
        Some("5"),
        Some(("many", "--max-revisions")),
    ),
    var(
        "BAEDAL_AUTH_SECRET",
        Some("another-secret-of-at-least-32-bytes"),
        Some(("short", "--auth-secret")),
    ),
    var(
        "BAEDAL_ACCESS_TOKEN_SECS",
        Some("600"),
        Some(("0", "--access-token-secs")),
    ),
    var(
        "BAEDAL_ADMIN_PASSWORD",
        Some(ADMIN_PASSWORD),
        Some(("short", "--admin-password")),
    ),
    var(
        "BAEDAL_RATE_LIMIT_PER_IP",
        Some("100000"),
        Some(("0", "--rate-limit-per-ip")),
    ),
    var(
        "BAEDAL_RATE_LIMIT_PER_ACCOUNT",
        Some("100000"),
        Some(("none", "--rate-limit-per-account")),
    ),
    var(
        "BAEDAL_NO_RATE_LIMITS",
        Some("off"),
        Some(("maybe", "--no-rate-limits")),
    ),
    var(
        "BAEDAL_WEBSOCKET_PING_SECS",
        Some("30"),
        Some(("0", "--websocket-ping-secs")),
    ),
    var(
        "BAEDAL_RATE_LIMIT_SIGN_INS_PER_IP",
        Some("100000"),
        Some(("0", "--rate-limit-sign-ins-per-ip")),
    ),
    var(
        "BAEDAL_MAX_WEBSOCKETS_PER_ACCOUNT",
        Some("5"),
        Some(("0", "--max-websockets-per-account")),
    ),
    var(
        "BAEDAL_BREAKER_WINDOW",
        Some("10"),
        Some(("0", "--breaker-window")),
    ),
    var(
        "BAEDAL_BREAKER_MIN_CALLS",
        Some("5"),
        Some(("0", "--breaker-min-calls")),
    ),
    // The rates pass the command line and are refused by the breaker.
    var(
        "BAEDAL_BREAKER_FAILURE_RATE",
        Some("0.9"),
        Some(("1.5", "rates must be above 0 and at most 1")),
    ),
    var(
        "BAEDAL_BREAKER_SLOW_CALL_MS",
        Some("1500"),
        Some(("soon", "--breaker-slow-call-ms")),
    ),
    var(
        "BAEDAL_BREAKER_SLOW_RATE",
        Some("0.9"),
        Some(("2", "rates must be above 0 and at most 1")),
    ),
    var(
        "BAEDAL_BREAKER_CALL_TIMEOUT_MS",
        Some("3000"),
        Some(("0", "--breaker-call-timeout-ms")),
    ),
    var(
        "BAEDAL_BREAKER_OPEN_WAIT_MS",
        Some("1000"),
        Some(("soon", "--breaker-open-wait-ms")),
    ),
    var(
        "BAEDAL_BREAKER_HALF_OPEN_CALLS",
        Some("2"),
        Some(("0", "--breaker-half-open-calls")),
    ),
    var(
        "BAEDAL_BREAKER_MAX_CONCURRENT",
        Some("16"),
        Some(("0", "--breaker-max-concurrent")),
    ),
];

/// The (flag, variable) pairs of the README's "Running it" table.
fn readme_rows() -> Vec<(String, String)> {
    let readme = include_str!("../README.md");
    let start = readme.find("## Running it").expect("a Running it section");
    let section = &readme[start..];
    let section = &section[..section[3..]
        .find("\n#")
        .map_or(section.len(), |end| end + 3)];
    let words = |cell: &str, prefix: &str| -> Vec<String> {
        cell.split(|c: char| c == '`' || c == ',' || c == '=' || c.is_whitespace())
            .filter(|w| w.starts_with(prefix))
            .map(String::from)
            .collect()
    };
    let mut rows = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| `--")) {
        let cells: Vec<&str> = line.split(" | ").collect();
        let (flags, vars) = (words(cells[0], "--"), words(cells[1], "BAEDAL_"));
        assert_eq!(flags.len(), vars.len(), "README row {line:?}");
        rows.extend(flags.into_iter().zip(vars));
    }
    rows
}

/// Every (flag, variable) pair the command line has, in `baedal` and
/// each subcommand.
fn cli_pairs(cmd: &clap::Command) -> BTreeSet<(String, String)> {
    let mut pairs: BTreeSet<(String, String)> = cmd
        .get_arguments()
        .filter_map(|a| {
            let env = a.get_env()?.to_str()?;
            Some((format!("--{}", a.get_long()?), env.to_string()))
        })
        .collect();
    for sub in cmd.get_subcommands() {
        pairs.extend(cli_pairs(sub));
    }
    pairs
}

#[test]
fn the_readme_table_lists_every_variable_and_this_test_drives_each() {
    let readme: BTreeSet<(String, String)> = readme_rows().into_iter().collect();
    let cli = cli_pairs(&Cli::command());
    let undocumented: Vec<_> = cli.difference(&readme).collect();
    let unknown: Vec<_> = readme.difference(&cli).collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "missing from the README's table: {undocumented:?}; \
         in the table but not on the command line: {unknown:?}"
    );
    let documented: BTreeSet<&str> = readme.iter().map(|(_, v)| v.as_str()).collect();
    let driven: BTreeSet<&str> = VARIABLES.iter().map(|v| v.name).collect();
    assert_eq!(documented, driven, "left: README, right: this test");
    assert_eq!(driven.len(), VARIABLES.len(), "a variable listed twice");
}

/// The binary with a free loopback port, a fresh data directory under
/// `dir`, these variables and no `BAEDAL_*` variable of the test's own.
fn baedal(dir: &Path, envs: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_baedal"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("BAEDAL_") {
            command.env_remove(name);
        }
    }
    command
        .env("BAEDAL_ADDR", "127.0.0.1:0")
        .env("BAEDAL_DATA_DIR", dir.join("db"))
        .envs(envs.iter().copied())
        .env("RUST_LOG", "info");
    command
}

/// Runs the binary with these variables and expects it to refuse them:
/// to exit unsuccessfully without ever listening. Returns its stderr.
fn refused(dir: &Path, envs: &[(&str, &str)]) -> String {
    let mut child = baedal(dir, envs)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the baedal binary starts");
    let stderr = child.stderr.take().expect("stderr is piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    // Lines until stderr closes (the process is gone) or it listens.
    let mut log = Vec::new();
    loop {
        match rx.recv_timeout(PATIENCE) {
            Ok(line) if line.contains("listening on") => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{envs:?} was accepted:\n{}", log.join("\n"));
            }
            Ok(line) => log.push(line),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{envs:?}: neither refused nor listening:\n{}",
                    log.join("\n")
                );
            }
        }
    }
    let status = child.wait().expect("wait");
    assert!(!status.success(), "{envs:?}: {status}\n{}", log.join("\n"));
    log.join("\n")
}

#[test]
fn every_variable_with_a_bad_value_is_refused_so_each_is_read() {
    let dir = tempfile::tempdir().unwrap();
    for v in VARIABLES {
        let Some((value, says)) = v.bad else { continue };
        let stderr = refused(dir.path(), &[(v.name, value)]);
        assert!(
            stderr.contains(says),
            "{}={value} was refused without saying {says:?}:\n{stderr}",
            v.name
        );
    }
}

#[tokio::test]
async fn addr_and_data_dir_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("from-env");
    let data = data.to_str().expect("a UTF-8 temporary path");
    let envs = [("BAEDAL_ADDR", "127.0.0.1:0"), ("BAEDAL_DATA_DIR", data)];
    let server = Server::start_with_env(dir.path(), &[], &envs);
    // Port 0 picked a free port; the default would have been 8088.
    let port = server.api.base.rsplit(':').next().unwrap();
    assert!(
        server.api.base.starts_with("http://127.0.0.1:") && port != "8088",
        "{}",
        server.api.base
    );
    let id = server.api.place("kim", "gangnam-chicken").await["id"].clone();
    assert!(server.stop().success());
    assert!(
        Path::new(data).is_dir(),
        "the database is where it was told"
    );
    assert!(!dir.path().join("db").exists());

    let again = Server::start_with_env(dir.path(), &[], &envs);
    let (status, order) = again.api.get(&format!("/orders/{id}")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the order was kept in {data}: {order}"
    );
}

/// Whether the chaos routes are served.
async fn chaos_is_on(server: &Server) -> bool {
    let (status, body) = server.api.get("/admin/chaos/payment/charges").await;
    match status {
        StatusCode::OK => true,
        StatusCode::NOT_FOUND => false,
        other => panic!("{other}: {body}"),
    }
}

#[tokio::test]
async fn baedal_chaos_takes_1_0_true_false_yes_no_on_off() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (Some("1"), true),
        (Some("True"), true),
        (Some("yes"), true),
        (Some("ON"), true),
        (Some("0"), false),
        (Some("false"), false),
        (Some("NO"), false),
        (Some("off"), false),
        (None, false),
    ];
    for (i, (value, on)) in cases.into_iter().enumerate() {
        let envs: Vec<(&str, &str)> = value.map(|v| ("BAEDAL_CHAOS", v)).into_iter().collect();
        let server = Server::start_with_env(&dir.path().join(i.to_string()), &[], &envs);
        assert_eq!(chaos_is_on(&server).await, on, "BAEDAL_CHAOS={value:?}");
    }
    // The flag alone still switches it on.
    let server = Server::start_with_env(&dir.path().join("flag"), &["--chaos"], &[]);
    assert!(chaos_is_on(&server).await, "--chaos");
}

#[tokio::test]
async fn baedal_no_demo_takes_1_0_true_false_yes_no_on_off() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (Some("1"), true),
        (Some("on"), true),
        (Some("Yes"), true),
        (Some("0"), false),
        (Some("FALSE"), false),
        (None, false),
    ];
    for (i, (value, no_demo)) in cases.into_iter().enumerate() {
        let envs: Vec<(&str, &str)> = value.map(|v| ("BAEDAL_NO_DEMO", v)).into_iter().collect();
        let server = Server::start_with_env(&dir.path().join(i.to_string()), &[], &envs);
        let (status, stores) = server.api.get("/stores").await;
        assert_eq!(status, StatusCode::OK);
        let count = stores.as_array().expect("a list of stores").len();
        assert_eq!(
            count == 0,
            no_demo,
            "BAEDAL_NO_DEMO={value:?}: {count} stores"
        );
    }
    let server = Server::start_with_env(&dir.path().join("flag"), &["--no-demo"], &[]);
    assert_eq!(server.api.get("/stores").await.1, json!([]), "--no-demo");
}

/// An order of `qty` fried chickens (19,000 won each) at the demo store.
fn chicken(customer: &str, qty: u32) -> serde_json::Value {
    json!({
        "customerId": customer,
        "storeId": "gangnam-chicken",
        "items": [{ "menuId": "fried", "qty": qty }],
        "address": "서울 강남구 테헤란로 152",
    })
}

#[tokio::test]
async fn all_good_values_at_once_start_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("db");
    // A receiver that accepts connections and never answers: notifications
    // wait for it, which is all this test needs of a webhook.
    let receiver = TcpListener::bind("127.0.0.1:0").unwrap();
    let webhook = format!("http://{}/hook", receiver.local_addr().unwrap());
    // No extra certificate authority, but a file that says so.
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, "").unwrap();
    let mut envs: Vec<(&str, &str)> = vec![
        ("BAEDAL_WEBHOOK_CA_FILE", ca.to_str().unwrap()),
        ("BAEDAL_ADDR", "127.0.0.1:0"),
        (
            "BAEDAL_DATA_DIR",
            data.to_str().expect("a UTF-8 temporary path"),
        ),
        ("BAEDAL_WEBHOOK_URL", &webhook),
    ];
    envs.extend(VARIABLES.iter().filter_map(|v| Some((v.name, v.good?))));
    assert_eq!(envs.len(), VARIABLES.len(), "every variable has a value");
    let server = Server::start_with_env(dir.path(), &[], &envs);
    let api = &server.api;
    let (status, health) = api.get("/health").await;
    assert_eq!(status, StatusCode::OK, "{health}");
    assert_eq!(health["status"], "ok");
    assert!(chaos_is_on(&server).await, "BAEDAL_CHAOS=on");
    let (_, stores) = api.get("/stores").await;
    assert!(!stores.as_array().unwrap().is_empty(), "BAEDAL_NO_DEMO=off");

    // The sandbox gateway's rules came from the environment too.
    let (status, body) = api.post("/orders", chicken("kim", 1)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = api.post("/orders", chicken("kim", 2)).await;
    assert_problem(status, &body, 402, "card limit of 20000 won");
    let (status, body) = api.post("/orders", chicken("bad-kim", 1)).await;
    assert_problem(status, &body, 402, "declined by its issuer");
}

#[test]
fn a_refused_secret_is_not_repeated() {
    let dir = tempfile::tempdir().unwrap();
    for (name, value) in [
        ("BAEDAL_ADMIN_PASSWORD", "hunter2"),
        ("BAEDAL_AUTH_SECRET", "a-short-signing-key"),
    ] {
        let stderr = refused(dir.path(), &[(name, value)]);
        assert!(!stderr.contains(value), "{name} was printed:\n{stderr}");
    }
}
