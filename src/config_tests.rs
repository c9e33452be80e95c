use super::*;
use clap::CommandFactory;
use std::sync::{Mutex, MutexGuard};

/// The environment is the whole process's and tests run on several
/// threads: every test that parses the command line (which reads
/// `BAEDAL_*`) holds this lock, so none sees another's variables.
static ENV: Mutex<()> = Mutex::new(());

/// Environment variables set for one test, removed again when it ends
/// (also when it fails), with [`ENV`] held meanwhile.
struct EnvVars {
    names: Vec<String>,
    _held: MutexGuard<'static, ()>,
}

impl EnvVars {
    fn set(vars: &[(&str, &str)]) -> EnvVars {
        // A test that failed while holding the lock left nothing behind
        // (see Drop), so a poisoned lock is still good.
        let held = ENV.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for (name, value) in vars {
            std::env::set_var(name, value);
        }
        EnvVars {
            names: vars.iter().map(|(name, _)| name.to_string()).collect(),
            _held: held,
        }
    }
}

impl Drop for EnvVars {
    fn drop(&mut self) {
        for name in &self.names {
            std::env::remove_var(name);
        }
    }
}

#[test]
fn the_cli_is_well_formed() {
    Cli::command().debug_assert();
}

#[test]
fn bare_and_serve_take_the_same_options() {
    let _env = EnvVars::set(&[]);
    let bare = Cli::try_parse_from(["baedal", "--addr", "127.0.0.1:0", "--chaos"]).unwrap();
    assert!(bare.command.is_none());
    assert!(bare.serve.chaos);
    let serve = Cli::try_parse_from(["baedal", "serve", "--durability", "relaxed"]).unwrap();
    let Some(Command::Serve(args)) = serve.command else {
        panic!("serve")
    };
    assert_eq!(args.durability, DurabilityMode::Relaxed);
}

/// How people write "on" and "off" in an environment variable.
const ON: [&str; 8] = ["1", "true", "TRUE", "True", "yes", "YES", "on", "On"];
const OFF: [&str; 8] = ["0", "false", "FALSE", "False", "no", "NO", "off", "Off"];

#[test]
fn switches_take_1_0_true_false_yes_no_on_off_from_the_environment() {
    for (value, expected) in ON
        .map(|v| (v, true))
        .into_iter()
        .chain(OFF.map(|v| (v, false)))
    {
        let _env = EnvVars::set(&[("BAEDAL_CHAOS", value), ("BAEDAL_NO_DEMO", value)]);
        let bare = Cli::try_parse_from(["baedal"])
            .unwrap_or_else(|e| panic!("BAEDAL_CHAOS={value} BAEDAL_NO_DEMO={value}: {e}"));
        assert_eq!(bare.serve.chaos, expected, "BAEDAL_CHAOS={value}");
        assert_eq!(bare.serve.no_demo, expected, "BAEDAL_NO_DEMO={value}");
        let Some(Command::Serve(serve)) = Cli::try_parse_from(["baedal", "serve"])
            .unwrap_or_else(|e| panic!("serve, {value}: {e}"))
            .command
        else {
            panic!("serve")
        };
        assert_eq!(serve.chaos, expected, "serve, BAEDAL_CHAOS={value}");
        assert_eq!(serve.no_demo, expected, "serve, BAEDAL_NO_DEMO={value}");
    }
}

#[test]
fn switches_are_off_unless_given_and_plain_flags_still_work() {
    let _env = EnvVars::set(&[]);
    let bare = Cli::try_parse_from(["baedal"]).unwrap();
    assert!(!bare.serve.chaos && !bare.serve.no_demo);
    let flags = Cli::try_parse_from(["baedal", "--chaos", "--no-demo"]).unwrap();
    assert!(flags.serve.chaos && flags.serve.no_demo);
    // A switch takes no value on the command line, as before.
    assert!(Cli::try_parse_from(["baedal", "--chaos=1"]).is_err());
}

#[test]
fn a_flag_on_the_command_line_wins_over_its_variable_saying_off() {
    let _env = EnvVars::set(&[("BAEDAL_CHAOS", "0"), ("BAEDAL_NO_DEMO", "off")]);
    let cli = Cli::try_parse_from(["baedal", "--chaos", "--no-demo"]).unwrap();
    assert!(cli.serve.chaos && cli.serve.no_demo);
}

#[test]
fn a_switch_variable_of_another_word_is_refused_with_the_word() {
    for value in ["maybe", "2", "enabled", ""] {
        let _env = EnvVars::set(&[("BAEDAL_CHAOS", value)]);
        let e = Cli::try_parse_from(["baedal"]).expect_err(value);
        assert_eq!(
            e.kind(),
            clap::error::ErrorKind::ValueValidation,
            "{value:?}: {e}"
        );
        let message = e.to_string();
        assert!(
            message.contains(&format!("'{value}'")) && message.contains("--chaos"),
            "{value:?}: {message}"
        );
    }
}

/// Every switch with a variable, in `baedal` and in each subcommand
/// (`serve`, `loadgen`, `scale`, `compact`), as (subcommand path, id,
/// variable).
fn switches(cmd: &clap::Command, path: &[String]) -> Vec<(Vec<String>, String, String)> {
    let mut found: Vec<(Vec<String>, String, String)> = cmd
        .get_arguments()
        .filter(|a| matches!(a.get_action(), clap::ArgAction::SetTrue))
        .filter_map(|a| {
            let env = a.get_env()?.to_str()?.to_string();
            Some((path.to_vec(), a.get_id().to_string(), env))
        })
        .collect();
    for sub in cmd.get_subcommands() {
        let mut deeper = path.to_vec();
        deeper.push(sub.get_name().to_string());
        found.extend(switches(sub, &deeper));
    }
    found
}

/// The rule for the whole kind: whatever switch gets a variable later,
/// wherever it is, reads it as the ones above do.
#[test]
fn every_switch_with_a_variable_takes_the_same_words() {
    let all = switches(&Cli::command(), &[]);
    for name in ["BAEDAL_CHAOS", "BAEDAL_NO_DEMO"] {
        assert!(
            all.iter().any(|(_, _, env)| env == name),
            "{name} in {all:?}"
        );
    }
    for (path, id, env) in &all {
        for (value, expected) in ON
            .map(|v| (v, true))
            .into_iter()
            .chain(OFF.map(|v| (v, false)))
        {
            let _env = EnvVars::set(&[(env.as_str(), value)]);
            let argv = std::iter::once("baedal").chain(path.iter().map(String::as_str));
            let matches = Cli::command()
                .try_get_matches_from(argv)
                .unwrap_or_else(|e| panic!("{path:?} {env}={value}: {e}"));
            let mut at = &matches;
            for sub in path {
                at = at
                    .subcommand_matches(sub)
                    .expect("the subcommand was given");
            }
            assert_eq!(at.get_flag(id), expected, "{path:?} {env}={value}");
        }
    }
}
