//! Every command the documentation shows runs as shown: each `blendsim`
//! (or `cargo run --release --`) line of a `sh` block in README.md,
//! docs/*.md and portfolios/README.md, each inline `blendsim ...` span that
//! names a bundled portfolio, and each example of `blendsim --help` and of
//! the subcommands' help. They run in order, from a scratch folder that
//! links the bundled portfolios (so relative outputs such as `out/batch`
//! and `init my-facility` land there), with `--paths` cut to a few hundred.
//! Other programs in `sh` blocks (`cargo test`, `cargo bench`, the Python
//! portfolio tools) are not run here.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// Paths every documented command runs with.
const PATHS: &str = "200";

/// The facility a `--help` example is run on.
const HELP_FACILITY: &str = "portfolios/quickstart/facility.toml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The documents whose commands are run, in order.
fn documents() -> Vec<PathBuf> {
    let mut docs: Vec<PathBuf> = fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    let mut all = vec![
        root().join("README.md"),
        root().join("portfolios/README.md"),
    ];
    all.extend(docs);
    all
}

/// A command's words after `blendsim`, if `line` is a blendsim command.
fn blendsim_words(line: &str) -> Option<Vec<String>> {
    let line = line.trim();
    let rest = line
        .strip_prefix("blendsim ")
        .or_else(|| line.strip_prefix("cargo run --release -- "))?;
    let words = shell_words::split(rest).expect("documented commands are valid shell words");
    // A `#` word starts a comment.
    Some(
        words
            .into_iter()
            .take_while(|w| !w.starts_with('#'))
            .collect(),
    )
}

/// The lines of the `sh` blocks of a markdown text, `\` continuations
/// joined.
fn sh_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in text.lines() {
        let fence = line.trim_start().strip_prefix("```");
        match fence {
            Some(lang) => in_sh = !in_sh && lang.trim() == "sh",
            None if in_sh => {
                pending += line.trim_end().trim_end_matches('\\');
                if !line.trim_end().ends_with('\\') {
                    lines.push(std::mem::take(&mut pending));
                }
                pending += " ";
            }
            None => {}
        }
    }
    lines
}

/// Inline code spans that are whole commands on a bundled portfolio
/// (placeholders in capitals or `...` mark a sketch, not a command).
fn inline_commands(text: &str) -> Vec<String> {
    let flat = text.replace('\n', " ");
    let mut found = Vec::new();
    for (i, span) in flat.split('`').enumerate() {
        let sketch = span.contains("...")
            || span
                .split_whitespace()
                .any(|w| w.len() > 2 && w.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
        if i % 2 == 1 && span.starts_with("blendsim ") && span.contains("portfolios/") && !sketch {
            found.push(span.to_owned());
        }
    }
    found
}

/// The `(e.g. --...)` examples of a help text.
fn help_examples(help: &str) -> Vec<String> {
    help.split("(e.g. ")
        .skip(1)
        .filter_map(|rest| rest.split_once(')').map(|(example, _)| example.to_owned()))
        .filter(|example| example.starts_with("--"))
        .collect()
}

/// The words with `--paths` (or, for a run with precision targets, its
/// cap `--max-paths`) set to [`PATHS`] for every simulating command.
fn with_few_paths(mut words: Vec<String>) -> Vec<String> {
    let simulates = matches!(
        words.first().map(String::as_str),
        Some("run" | "size" | "sweep" | "batch")
    );
    if let Some(i) = words.iter().position(|w| w == "--max-paths") {
        words[i + 1] = PATHS.to_owned();
        return words;
    }
    match words.iter().position(|w| w == "--paths") {
        Some(i) => words[i + 1] = PATHS.to_owned(),
        None if simulates => words.extend(["--paths".to_owned(), PATHS.to_owned()]),
        None => {}
    }
    words
}

fn help_text(args: &[&str]) -> String {
    let output = Command::cargo_bin("blendsim")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

/// Every documented command, with where it is shown.
fn documented() -> Vec<(String, Vec<String>)> {
    let mut commands = Vec::new();
    for doc in documents() {
        let text = fs::read_to_string(&doc).unwrap();
        let name = doc.strip_prefix(root()).unwrap().display().to_string();
        let lines = sh_lines(&text).into_iter().chain(inline_commands(&text));
        for words in lines.filter_map(|l| blendsim_words(&l)) {
            commands.push((name.clone(), words));
        }
    }
    let top = help_text(&["--help"]);
    let subcommands: Vec<String> = top
        .split("Commands:")
        .nth(1)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .take_while(|w| w != "help")
        .collect();
    for sub in subcommands {
        let help = help_text(&[&sub, "--help"]);
        for example in help_examples(&help) {
            let mut words = vec![sub.clone(), HELP_FACILITY.to_owned()];
            words.extend(shell_words::split(&example).unwrap());
            let name = format!("blendsim {sub} --help");
            if !commands.iter().any(|(n, w)| *n == name && *w == words) {
                commands.push((name, words));
            }
        }
    }
    commands
}

#[test]
fn every_documented_command_runs_as_shown() {
    let commands = documented();
    let shown = |needle: &str| {
        commands
            .iter()
            .any(|(_, words)| words.join(" ").contains(needle))
    };
    // The extraction finds what it should: the README's sweep example, the
    // init walk-through, the help examples and the docs' inline commands.
    assert!(shown(
        "sweep portfolios/us-rok-critical-minerals/facility.toml --vary first_loss.share=0.05:0.25:0.05"
    ));
    assert!(shown("init my-facility"));
    assert!(shown(&format!(
        "sweep {HELP_FACILITY} --vary first_loss.share"
    )));
    assert!(shown(
        "size portfolios/us-rok-guarantee/facility.toml --target"
    ));
    assert!(commands.len() >= 15, "{commands:#?}");

    let scratch = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(root().join("portfolios"), scratch.path().join("portfolios"))
        .unwrap();
    let mut failures = Vec::new();
    for (source, words) in &commands {
        let words = with_few_paths(words.clone());
        let output = run_quietly(scratch.path(), &words);
        if !output.status.success() {
            failures.push(format!(
                "{source}: blendsim {}\n{}",
                words.join(" "),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn run_quietly(folder: &Path, words: &[String]) -> std::process::Output {
    Command::cargo_bin("blendsim")
        .unwrap()
        .current_dir(folder)
        .args(words)
        .output()
        .unwrap()
}

#[test]
fn the_extraction_reads_sh_blocks_inline_spans_and_help() {
    let text = "x\n```sh\nblendsim run a.toml \\\n    --paths 5   # note\ncargo test\n```\n\
                ```text\nblendsim run FACILITY.toml\n```\n\
                see `blendsim size portfolios/x/facility.toml\n--target \"a <= 1\"` and \
                `blendsim run FACILITY --scenario X` or `blendsim run ... portfolios/x`.\n";
    let lines: Vec<Vec<String>> = sh_lines(text)
        .iter()
        .chain(&inline_commands(text))
        .filter_map(|l| blendsim_words(l))
        .collect();
    assert_eq!(
        lines,
        [
            vec!["run", "a.toml", "--paths", "5"],
            vec!["size", "portfolios/x/facility.toml", "--target", "a <= 1"],
        ]
    );
    assert_eq!(
        help_examples("Grid (e.g. --vary a=1,2 --absorb s). Targets (e.g. 0.99)"),
        ["--vary a=1,2 --absorb s"]
    );
    assert_eq!(
        with_few_paths(vec!["run".into(), "f.toml".into()]),
        ["run", "f.toml", "--paths", PATHS]
    );
    assert_eq!(
        with_few_paths(vec!["sweep".into(), "--paths".into(), "20000".into()]),
        ["sweep", "--paths", PATHS]
    );
}

/// The library example (examples/tranche_el.rs, built by `cargo test`)
/// runs and prints each tranche's expected loss.
#[test]
fn the_library_example_runs() {
    // target/<profile>/deps/it-<hash> -> target/<profile>/examples/.
    let exe = std::env::current_exe().unwrap();
    let example = exe
        .parent()
        .and_then(Path::parent)
        .map(|profile| profile.join("examples").join("tranche_el"))
        .unwrap();
    if !example.is_file() {
        // `cargo test --test it` alone does not build examples.
        eprintln!(
            "SKIPPED: {} not built (run `cargo test`)",
            example.display()
        );
        return;
    }
    let output = std::process::Command::new(example)
        .current_dir(root())
        .args(["portfolios/quickstart/facility.toml", "1000"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "Quickstart Critical Minerals Facility (illustrative) (1,000 paths)"
    );
    for (line, tranche) in lines[1..].iter().zip(["senior", "mezzanine", "first_loss"]) {
        assert!(
            line.starts_with(tranche) && line.contains(" bp \u{b1} "),
            "{stdout}"
        );
    }
    assert_eq!(lines.len(), 4);
}
