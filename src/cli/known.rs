//! The options each command knows, checked before the command runs: an unknown option, one
//! given twice, a missing value or a value of the wrong kind is an error naming the option, with
//! the usage — a mistyped `--hiden 64` must not silently train something other than what was
//! asked. To add an option, add a row to its command's table in [`known`]; the commands read
//! their values as before ([`super::Options`]).

use super::usage;
use crate::settings::SETTINGS;

/// What an option takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Takes {
    /// Nothing: present or not (`--no-header`).
    Flag,
    /// Any text (a path, a column name).
    Text,
    /// A whole number, 0 or more.
    Count,
    /// A finite number (`--lr 0.003`, `--scale -1`).
    Number,
    /// One of these words.
    OneOf(&'static [&'static str]),
}

/// One option of a command.
pub type Known = (&'static str, Takes);

/// Options every training command reads: the data file and its columns.
const DATA: &[Known] = &[
    ("--csv", Takes::Text),
    ("--limit", Takes::Count),
    ("--text-column", Takes::Text),
    ("--label-column", Takes::Text),
    ("--no-header", Takes::Flag),
];

/// What to do with the label values: fold case, merge, drop, the positive class.
const LABELS: &[Known] = &[
    ("--fold-case", Takes::Flag),
    ("--merge", Takes::Text),
    ("--drop", Takes::Text),
    ("--positive", Takes::Text),
];

/// The engine: device, recurrence kernel, CPU threads.
const ENGINE: &[Known] = &[
    ("--device", Takes::OneOf(&["cpu", "gpu"])),
    ("--kernel", Takes::OneOf(&["fused", "reference"])),
    ("--threads", Takes::Count),
];

/// The model between embedding and head: cell, readout, the LSTM's variants.
const ARCH: &[Known] = &[
    ("--cell", Takes::OneOf(&["lstm", "gru", "rnn"])),
    ("--readout", Takes::OneOf(&["pool", "last"])),
    ("--variant", Takes::Text),
];

/// The training settings' options (`--vocab`, `--lr`, …), from [`SETTINGS`] as the usage lists them.
fn settings() -> Vec<Known> {
    SETTINGS
        .iter()
        .filter_map(|s| Some((s.option?, Takes::Number)))
        .collect()
}

/// The table of `command` (`bench train` for a benchmark), and whether it takes words that are
/// not options (`predict TEXT…`); None for a command this table does not know.
pub fn known(command: &str) -> Option<(Vec<Known>, bool)> {
    let mut options: Vec<Known> = Vec::new();
    let mut words = false;
    match command {
        "train" => {
            options.extend(DATA.iter().copied().chain(ENGINE.iter().copied()));
            options.extend(LABELS.iter().copied());
            options.extend(settings());
            options.extend(ARCH.iter().copied());
            options.push(("--save", Takes::Text));
        }
        "compare" => {
            options.extend(DATA.iter().copied().chain(ENGINE.iter().copied()));
            options.extend(LABELS.iter().copied());
            options.extend(settings());
            options.push(("--entrants", Takes::Text));
            options.push(("--out", Takes::Text));
        }
        "check" => {
            options.extend(DATA.iter().copied().chain(LABELS.iter().copied()));
            options.extend(settings());
            options.push(("--drop-duplicates", Takes::Flag));
        }
        "evaluate" => {
            options.push(("--model", Takes::Text));
            options.extend(DATA.iter().copied().filter(|(n, _)| *n != "--limit"));
            options.extend(LABELS.iter().copied());
        }
        "predict" => {
            options.push(("--model", Takes::Text));
            words = true;
        }
        "examples" => {
            options.extend_from_slice(&[
                ("--model", Takes::Text),
                ("--out", Takes::Text),
                ("--per-kind", Takes::Count),
            ]);
            options.extend(DATA.iter().copied().filter(|(n, _)| *n != "--limit"));
            options.extend(LABELS.iter().copied());
        }
        "validation-sample" => {
            options.extend_from_slice(&[
                ("--model", Takes::Text),
                ("--out", Takes::Text),
                ("--count", Takes::Count),
            ]);
            options.extend(DATA.iter().copied().filter(|(n, _)| *n != "--limit"));
            options.extend(LABELS.iter().copied());
        }
        "export" => options.extend_from_slice(&[("--model", Takes::Text), ("--out", Takes::Text)]),
        "import" => options.extend_from_slice(&[
            ("--dir", Takes::Text),
            ("--save", Takes::Text),
            ("--maxlen", Takes::Count),
        ]),
        "blowup" => options.extend_from_slice(&[
            ("--n", Takes::Count),
            ("--steps", Takes::Count),
            ("--scale", Takes::Number),
            (
                "--init",
                Takes::OneOf(&["normal", "uniform", "orthogonal", "identity"]),
            ),
            ("--seed", Takes::Count),
            ("--gpu", Takes::Flag),
        ]),
        "bench blowup" => options.push(("--reps", Takes::Count)),
        "bench data" => {
            options.extend(DATA.iter().copied());
            options.extend(settings());
        }
        "bench train" => {
            options.extend(DATA.iter().copied().chain(ENGINE.iter().copied()));
            options.extend(settings());
            options.extend_from_slice(&[
                ("--steps", Takes::Count),
                ("--seqs-per-workgroup", Takes::Count),
                ("--steps-per-dispatch", Takes::Count),
            ]);
        }
        "bench classes" => {
            options.extend(settings());
            options.extend_from_slice(&[
                ("--classes", Takes::Text),
                ("--device", Takes::OneOf(&["cpu", "gpu"])),
                ("--steps", Takes::Count),
                ("--threads", Takes::Count),
                ("--cpu-time", Takes::Flag),
            ]);
        }
        "bench cells" => {
            options.extend(settings());
            options.extend_from_slice(&[
                ("--steps", Takes::Count),
                ("--rounds", Takes::Count),
                ("--threads", Takes::Text),
                ("--cpu-time", Takes::Flag),
            ]);
        }
        _ => return None,
    }
    Some((options, words))
}

/// `message` for `option`, with the usage.
fn refused(message: String) -> String {
    format!("{message}\n\n{}", usage())
}

/// Check `args` (the command's, after its name) against the table of `command`.
pub fn check(command: &str, args: &[String]) -> Result<(), String> {
    let Some((table, words)) = known(command) else {
        return Ok(()); // not a command: `run` says so
    };
    let mut seen: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        i += 1;
        if !arg.starts_with("--") {
            if words {
                continue;
            }
            return Err(refused(format!(
                "`{}`: `lstm-lab {command}` takes no words but its options",
                super::printable(arg)
            )));
        }
        let Some(&(name, takes)) = table.iter().find(|(n, _)| *n == arg) else {
            return Err(refused(format!(
                "{}: `lstm-lab {command}` has no such option",
                super::printable(arg)
            )));
        };
        if seen.contains(&name) {
            return Err(refused(format!("{name}: given twice")));
        }
        seen.push(name);
        if takes == Takes::Flag {
            continue;
        }
        let value = match args.get(i) {
            Some(v) if !v.starts_with("--") => v.as_str(),
            _ => return Err(refused(format!("{name}: needs a value"))),
        };
        i += 1;
        if let Some(problem) = wrong_kind(value, takes) {
            return Err(refused(format!(
                "{name}: `{}` is not {problem}",
                super::printable(value)
            )));
        }
    }
    Ok(())
}

/// What `value` should have been, when it is not what `takes` asks for.
fn wrong_kind(value: &str, takes: Takes) -> Option<String> {
    match takes {
        Takes::Flag | Takes::Text => None,
        Takes::Count => value
            .parse::<u64>()
            .is_err()
            .then(|| "a whole number (0 or more)".to_string()),
        Takes::Number => {
            (!value.parse::<f64>().is_ok_and(f64::is_finite)).then(|| "a number".to_string())
        }
        Takes::OneOf(choices) => {
            (!choices.contains(&value)).then(|| format!("one of {}", choices.join(", ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    /// The first line of the error (the rest is the usage).
    fn error(command: &str, a: &[&str]) -> String {
        let e = check(command, &args(a)).unwrap_err();
        assert!(e.contains("\n\nusage: lstm-lab <command>"), "{e}");
        e.lines().next().unwrap().to_string()
    }

    #[test]
    fn known_options_pass() {
        let ok = [
            "--csv",
            "r.csv",
            "--hidden",
            "64",
            "--lr",
            "0.01",
            "--no-header",
        ];
        check("train", &args(&ok)).unwrap();
        check(
            "train",
            &args(&["--device", "gpu", "--kernel", "reference", "--save", "m"]),
        )
        .unwrap();
        check("predict", &args(&["--model", "m", "a", "fine", "film"])).unwrap();
        check(
            "blowup",
            &args(&["--scale", "-1", "--gpu", "--init", "identity"]),
        )
        .unwrap();
        check("bench", &args(&["train"])).unwrap(); // `bench` alone: run() reads its word
        check("bench train", &args(&["--steps", "3", "--batch", "32"])).unwrap();
    }

    #[test]
    fn an_unknown_option_is_refused_by_name() {
        assert_eq!(
            error("train", &["--csv", "r.csv", "--bogus", "1"]),
            "--bogus: `lstm-lab train` has no such option"
        );
        assert_eq!(
            error("train", &["--hiden", "64"]),
            "--hiden: `lstm-lab train` has no such option"
        );
        // An option of another command is unknown here.
        assert_eq!(
            error("predict", &["--csv", "x", "text"]),
            "--csv: `lstm-lab predict` has no such option"
        );
    }

    #[test]
    fn a_missing_value_is_refused() {
        assert_eq!(error("train", &["--csv"]), "--csv: needs a value");
        assert_eq!(
            error("train", &["--save", "--csv", "r.csv"]),
            "--save: needs a value"
        );
    }

    #[test]
    fn a_value_of_the_wrong_kind_is_refused() {
        assert_eq!(
            error("train", &["--limit", "ten"]),
            "--limit: `ten` is not a whole number (0 or more)"
        );
        assert_eq!(
            error("train", &["--limit", "-3"]),
            "--limit: `-3` is not a whole number (0 or more)"
        );
        assert_eq!(
            error("train", &["--lr", "fast"]),
            "--lr: `fast` is not a number"
        );
        assert_eq!(
            error("train", &["--lr", "inf"]),
            "--lr: `inf` is not a number"
        );
        assert_eq!(
            error("train", &["--device", "tpu"]),
            "--device: `tpu` is not one of cpu, gpu"
        );
        assert_eq!(
            error("blowup", &["--init", "zeros"]),
            "--init: `zeros` is not one of normal, uniform, orthogonal, identity"
        );
    }

    #[test]
    fn an_option_given_twice_or_a_stray_word_is_refused() {
        assert_eq!(
            error("train", &["--epochs", "1", "--epochs", "2"]),
            "--epochs: given twice"
        );
        assert_eq!(
            error("train", &["r.csv"]),
            "`r.csv`: `lstm-lab train` takes no words but its options"
        );
    }

    #[test]
    fn control_characters_in_what_is_quoted_are_escaped() {
        assert_eq!(
            error("train", &["--device", "\u{1b}[2J"]),
            "--device: `\\u{1b}[2J` is not one of cpu, gpu"
        );
    }

    #[test]
    fn every_command_in_the_usage_has_a_table() {
        let text = usage();
        let commands = text
            .lines()
            .skip_while(|l| *l != "commands:")
            .skip(1)
            .take_while(|l| !l.is_empty())
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .map(|l| {
                let words: Vec<&str> = l.split_whitespace().collect();
                match words.as_slice() {
                    ["bench", sub, ..] => format!("bench {sub}"),
                    [command, ..] => command.to_string(),
                    [] => unreachable!(),
                }
            })
            .collect::<Vec<_>>();
        assert!(commands.len() >= 9, "{commands:?}");
        for command in commands {
            assert!(
                known(&command).is_some(),
                "`{command}` has no table of options in known.rs"
            );
        }
    }

    #[test]
    fn every_option_the_usage_names_is_in_its_commands_table() {
        // Each `--option` in the usage is known to at least one command.
        let all: Vec<&str> = [
            "train",
            "compare",
            "check",
            "evaluate",
            "predict",
            "examples",
            "validation-sample",
            "export",
            "import",
            "blowup",
            "bench blowup",
            "bench data",
            "bench train",
            "bench classes",
            "bench cells",
        ]
        .iter()
        .flat_map(|c| known(c).unwrap().0)
        .map(|(n, _)| n)
        .collect();
        for word in usage().split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            if word.starts_with("--") && word.len() > 2 {
                assert!(
                    all.contains(&word),
                    "{word} is in the usage but in no table"
                );
            }
        }
    }
}
