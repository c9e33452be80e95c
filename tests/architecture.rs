//! ARCHITECTURE.md is a map: every path it names must exist, and the README
//! must point to it and to nothing outside the repository.

use std::path::Path;

const ROOTS: [&str; 5] = ["src/", "tests/", "benches/", "scripts/", "data/"];

/// The backticked tokens of a Markdown text.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// The path a token names, if it names one: `src/x.rs:12` is `src/x.rs`;
/// one with a placeholder (`<name>`, `*`) names none.
fn path_of(token: &str) -> Option<&str> {
    let token = token.split([':', '#', ' ']).next()?;
    let named = ROOTS.iter().any(|r| token.starts_with(r));
    let placeholder = token.contains(['<', '*', '{']);
    (named && !placeholder).then_some(token)
}

#[test]
fn every_path_the_architecture_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let paths: Vec<&str> = backticked(&map).into_iter().filter_map(path_of).collect();
    assert!(
        paths.len() > 50,
        "the map names the code: {} paths",
        paths.len()
    );
    let missing: Vec<&&str> = paths.iter().filter(|p| !root.join(p).exists()).collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist: {missing:?}"
    );
}

#[test]
fn the_readme_points_to_the_map_and_not_outside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    assert!(readme.contains("ARCHITECTURE.md"));
    assert!(!readme.contains("../shared"), "a clone has no ../shared");
}

#[test]
fn tokens_name_paths_only_when_they_are_paths() {
    assert_eq!(path_of("src/read.rs:12"), Some("src/read.rs"));
    assert_eq!(path_of("src/actors/projections/<name>.rs"), None);
    assert_eq!(path_of("Db::commit"), None);
    assert_eq!(backticked("a `b` c `d`"), vec!["b", "d"]);
}

// ---- The invariants ARCHITECTURE.md states, checked on the source. ----

/// Every `.rs` file under `dir`, without its test modules (test code may
/// reach further), `_tests.rs` files and `testing.rs` left out.
fn sources(dir: &str) -> Vec<(String, String)> {
    fn walk(path: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(path).expect("a source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(&path, out);
                continue;
            }
            let name = path.to_string_lossy().into_owned();
            let test_only = name.ends_with("_tests.rs") || name.ends_with("/testing.rs");
            if name.ends_with(".rs") && !test_only {
                let text = std::fs::read_to_string(&path).expect("a source file");
                out.push((name, without_test_modules(&text)));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut out);
    assert!(!out.is_empty(), "{dir} has sources");
    out
}

/// `text` without its `#[cfg(test)] mod ...` items, inline or by path (a
/// test module is the last item of a file here; what follows one is cut
/// too, so the check is strict only up to it).
fn without_test_modules(text: &str) -> String {
    let starts = ["#[cfg(test)]\nmod ", "#[cfg(test)]\n#[path"];
    let cut = starts.iter().filter_map(|s| text.find(s)).min();
    text[..cut.unwrap_or(text.len())].to_string()
}

/// The places in `dir` where `needle` occurs, as `file: line`.
fn occurrences(dir: &str, needle: &str) -> Vec<String> {
    sources(dir)
        .iter()
        .flat_map(|(file, code)| {
            code.lines()
                .filter(|line| line.contains(needle) && !line.trim_start().starts_with("//"))
                .map(move |line| format!("{file}: {}", line.trim()))
        })
        .collect()
}

fn none_of(dir: &str, needles: &[&str]) {
    for needle in needles {
        let found = occurrences(dir, needle);
        assert!(found.is_empty(), "{needle} in {dir}: {found:#?}");
    }
}

/// The crate's top-level modules (`src/lib.rs`).
const MODULES: [&str; 13] = [
    "actors",
    "auth",
    "config",
    "demo",
    "domain",
    "error",
    "http",
    "loadgen",
    "read",
    "scale",
    "server",
    "storage",
    "supervision",
];

/// `dir` uses no module of the crate but `allowed`.
fn uses_only(dir: &str, allowed: &[&str]) {
    for module in MODULES.iter().filter(|m| !allowed.contains(m)) {
        none_of(dir, &[&format!("crate::{module}")]);
    }
}

#[test]
fn dependencies_point_one_way() {
    // domain <- storage <- auth <- actors <- read <- http <- server
    uses_only("src/domain", &["domain"]);
    uses_only("src/storage", &["storage", "domain"]);
    uses_only("src/auth", &["auth", "storage", "domain"]);
    uses_only("src/supervision", &["supervision", "error"]);
    uses_only("src/loadgen", &["loadgen"]);
}

#[test]
fn the_domain_does_no_io() {
    none_of(
        "src/domain",
        &[
            "actix",
            "sled::",
            "tokio",
            "awc",
            "reqwest",
            "dashmap",
            "tracing::",
            "std::fs",
            "std::net",
            "std::thread",
            "std::process",
            "Timestamp::now()",
        ],
    );
}

#[test]
fn no_sled_type_leaves_storage() {
    let outside: Vec<String> = ["src", "benches", "tests"]
        .iter()
        .flat_map(|dir| occurrences(dir, "sled::"))
        .filter(|o| {
            !o.contains("src/storage/")
                // It writes a database from a newer release by hand.
                && !o.contains("tests/upgrade.rs")
                && !o.contains("tests/architecture.rs")
        })
        .collect();
    assert!(outside.is_empty(), "{outside:#?}");
}

#[test]
fn http_never_names_a_key_and_never_commits() {
    none_of("src/http", &["keys::", ".commit(", "WriteBatch"]);
}

#[test]
fn keys_are_spelled_only_in_keys_rs() {
    // A byte-string prefix such as b"order/" outside keys.rs (schema 1's
    // frozen names excepted).
    let stray: Vec<(String, String)> = sources("src")
        .into_iter()
        .filter(|(file, _)| !file.ends_with("storage/keys.rs") && !file.contains("schema/v1/"))
        .filter(|(_, code)| {
            code.split("b\"").skip(1).any(|s| {
                let word: String = s
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                    .collect();
                !word.is_empty() && s[word.len()..].starts_with('/')
            })
        })
        .collect();
    assert!(
        stray.is_empty(),
        "key prefixes outside keys.rs: {:?}",
        stray.iter().map(|s| &s.0).collect::<Vec<_>>()
    );
}

#[test]
fn only_storage_reads_the_log_raw_and_only_the_list_starts_pumps() {
    for dir in ["src/actors", "src/http", "src/scale", "src/domain"] {
        none_of(dir, &["keys::LOG"]);
    }
    let pumps: Vec<String> = occurrences("src", "pump(")
        .into_iter()
        .filter(|o| !o.contains("fn pump(") && !o.contains("src/actors/subscribers.rs"))
        .collect();
    assert!(
        pumps.is_empty(),
        "a pump outside the subscriber list: {pumps:#?}"
    );
}

#[test]
fn the_load_generator_reaches_the_server_only_over_http() {
    let reaches: Vec<String> = occurrences("src/loadgen", "crate::")
        .into_iter()
        .filter(|o| !o.contains("crate::loadgen"))
        .collect();
    assert!(reaches.is_empty(), "{reaches:#?}");
}

#[test]
fn each_rule_has_one_home() {
    // Which order events give the payment back: `OrderEvent::refunds_payment`.
    let refund_rule: Vec<String> = [
        "Rejected { .. } | OrderEvent::Canceled",
        "Rejected { .. } | Self::Canceled",
    ]
    .iter()
    .flat_map(|needle| occurrences("src", needle))
    .filter(|o| !o.contains("src/domain/order_messages.rs"))
    .collect();
    assert!(refund_rule.is_empty(), "{refund_rule:#?}");
    // Every bill: `domain::pricing`.
    let money: Vec<String> = [
        "saturating_sub(discount)",
        ".min(subtotal)",
        ".min(*subtotal)",
        "unit_price.checked_mul",
    ]
    .iter()
    .flat_map(|needle| occurrences("src", needle))
    .filter(|o| !o.contains("src/domain/pricing.rs"))
    .collect();
    assert!(money.is_empty(), "{money:#?}");
    // Where an address is: `districts::position`.
    let locate: Vec<String> = occurrences("src", "districts::locate(")
        .into_iter()
        .filter(|o| !o.contains("src/domain/districts.rs"))
        .collect();
    assert!(locate.is_empty(), "{locate:#?}");
    // Who may review: `Wallet::decide`.
    none_of("src/http", &["OrderStatus::Completed"]);
}

/// A stable checksum (FNV-1a, 64 bits) of a file's bytes.
fn checksum(path: &Path) -> (usize, u64) {
    let bytes = std::fs::read(path).expect("a fixture file");
    let sum = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (bytes.len(), sum)
}

#[test]
fn fixtures_are_never_edited() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let recorded: [(&str, (usize, u64)); 18] = FIXTURES;
    for (file, expected) in recorded {
        assert_eq!(
            checksum(&root.join(file)),
            expected,
            "{file} changed: a fixture records what a release wrote"
        );
    }
}

/// The fixtures' sizes and checksums when they were recorded.
const FIXTURES: [(&str, (usize, u64)); 18] = [
    ("db-v1/db", (251347, 0xd3159b37a80aab95)),
    ("db-v1/conf", (62, 0x53f9885174a5ad44)),
    ("db-v1.expected.json", (122360, 0xf5bba4aebec7e8f8)),
    ("db-v2/db", (265151, 0x8b972302dff5834f)),
    ("db-v2/conf", (62, 0x53f9885174a5ad44)),
    ("db-v2.expected.json", (122360, 0xba71086786695aaa)),
    ("db-v3/db", (401794, 0xa396d9505cacb43f)),
    ("db-v3/conf", (62, 0x53f9885174a5ad44)),
    ("db-v3.expected.json", (170341, 0x51379638f3c20733)),
    ("db-v4/db", (400136, 0x47cb1c257060760b)),
    ("db-v4/conf", (62, 0x53f9885174a5ad44)),
    ("db-v4.expected.json", (171138, 0x6a2774c6f6862396)),
    ("db-v5/db", (392275, 0x7f40a621ae1ecc78)),
    ("db-v5/conf", (62, 0x53f9885174a5ad44)),
    ("db-v5.expected.json", (166342, 0x7c0f6bead8a0417d)),
    ("db-v6/db", (637125, 0xc0fd418d58fc9e03)),
    ("db-v6/conf", (63, 0xd4095d9e5be11818)),
    ("db-v6.expected.json", (176190, 0x9fd2384d498ad76c)),
];
