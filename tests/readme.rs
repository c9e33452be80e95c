//! The README's walk-through, run verbatim: every `$ ` command of it, in one
//! shell, against a real server, each answer compared with the one the
//! README shows (times aside). It fails when the API and the README part.
//! Needs bash, curl and jq (`scripts/test` installs the last two).

mod common;

use common::*;
use std::process::Command;

/// The walk-through: from its heading to the next top-level section.
fn walk_through() -> &'static str {
    let readme = include_str!("../README.md");
    let start = readme
        .find("## A walk-through with curl")
        .expect("the README has a walk-through");
    let end = readme[start..]
        .find("\n## The API")
        .map_or(readme.len(), |n| start + n);
    &readme[start..end]
}

/// Each command (with its continuation lines) and the answer shown after it.
fn commands(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut in_block = false;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with("```") {
            in_block = !in_block && line.trim() == "```sh";
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            let mut cmd = cmd.to_string();
            while cmd.ends_with('\\') {
                cmd.push('\n');
                cmd.push_str(lines.next().expect("a continued line"));
            }
            out.push((cmd, String::new()));
        } else if let Some((_, answer)) = out.last_mut() {
            answer.push_str(line);
            answer.push('\n');
        }
    }
    out
}

/// An answer with its times and trailing blanks taken out.
fn normalized(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text.trim();
    // RFC 3339 times as the API writes them: 2026-11-30T16:04:24.567Z.
    while let Some(at) = rest.find(|c: char| c.is_ascii_digit()) {
        let tail = &rest[at..];
        let looks_like_time = tail.len() >= 20
            && tail.as_bytes()[4] == b'-'
            && tail.as_bytes()[10] == b'T'
            && tail[..tail.find('Z').unwrap_or(0)].len() >= 19;
        if looks_like_time {
            let end = tail.find('Z').unwrap_or(0) + 1;
            out.push_str(&rest[..at]);
            out.push_str("<time>");
            rest = &tail[end..];
        } else {
            out.push_str(&rest[..=at]);
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_command_of_the_walk_through_answers_what_the_readme_shows() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let host = server.api.base.trim_start_matches("http://").to_string();
    let steps = commands(walk_through());
    assert!(steps.len() >= 20, "{} commands", steps.len());
    // Before each command, the views catch up with the last one (the README
    // says they follow within milliseconds; a person typing never sees it).
    let mut script = format!(
        "set -u\ncaught_up() {{ for _ in $(seq 1000); do curl -s {host}/health | jq -e '[.subscriberLag[]] | all(. == 0)' >/dev/null && return; sleep 0.02; done; }}\n"
    );
    for (i, (cmd, _)) in steps.iter().enumerate() {
        let cmd = cmd.replace("localhost:8088", &host);
        script.push_str(&format!("caught_up\necho '@@@ {i}'\n{cmd}\necho\n"));
    }
    let output = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let answers: Vec<&str> = stdout.split("@@@ ").skip(1).collect();
    assert_eq!(
        answers.len(),
        steps.len(),
        "the walk-through stopped early:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for ((cmd, shown), answer) in steps.iter().zip(answers) {
        let answer = answer.split_once('\n').map_or("", |(_, rest)| rest);
        assert_eq!(
            normalized(answer),
            normalized(shown),
            "`{cmd}` answered otherwise than the README shows"
        );
    }
}

#[test]
fn times_are_set_aside_and_nothing_else() {
    assert_eq!(
        normalized(r#"{"refundedAt":"2026-11-21T16:33:19.697Z","id":2}  "#),
        r#"{"refundedAt":"<time>","id":2}"#
    );
    assert_eq!(
        normalized("order 1 costs 38000 won"),
        "order 1 costs 38000 won"
    );
}
