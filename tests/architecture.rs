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
