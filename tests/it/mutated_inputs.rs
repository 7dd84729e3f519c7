//! Arbitrary mutations of the quickstart's facility.toml, projects.csv and
//! a scenarios.toml (byte edits, and values replaced by extreme ones) fed
//! to the loader and the engine with a few paths: never a panic; either a
//! refusal that is the input's fault (exit code 2 on the command line) or
//! a result without a NaN, a negative multiple or a loss outside [0, 1].

use std::fs;

use blendsim::aggregate::summarise;
use blendsim::engine::{RunSettings, simulate_outcomes};
use blendsim::model::Model;
use blendsim::pipeline::{self, RunRequest, Silent};
use blendsim::spec::{LoadOptions, LoadedFacility, ScenarioSpec, load_facility};
use proptest::prelude::*;
use proptest::sample::Index;

/// The three inputs, in the order mutations name them.
const FILES: [&str; 3] = ["facility.toml", "projects.csv", "scenarios.toml"];

/// Two scenarios, to give their keys something to break.
const SCENARIOS: &str = "[[scenarios]]\nname = \"stress\"\npd_multiplier = [{ multiplier = 2.0 }]\n\n\
                         [[scenarios]]\nname = \"mild\"\npd_multiplier = [{ multiplier = 0.5 }]\n";

/// Values a careless or hostile user might put anywhere in a TOML file.
const TOML_VALUES: &[&str] = &[
    "0",
    "-1",
    "1",
    "1e308",
    "-1e308",
    "1e-308",
    "nan",
    "inf",
    "-inf",
    "\"\"",
    "\"x\"",
    "9999-12-31",
    "0001-01-01",
    "1900-01-01",
    "2199-12-31",
    "18446744073709551615",
    "-9223372036854775808",
    "[]",
    "true",
    "\"1e30\"",
    "\"99999999999999999999\"",
    "\"0.001\"",
    "0.999999",
    "1e9",
    "\"../../x\"",
    "\"all\"",
    "\"a\\u0000b\"",
    "{}",
];

/// Values a careless or hostile user might put in any CSV cell.
const CSV_VALUES: &[&str] = &[
    "",
    "0",
    "-1",
    "1e308",
    "NaN",
    "inf",
    "9999-12-31",
    "1900-01-01",
    "2199-12-31",
    "0.999999",
    "1e-300",
    "99999999999999999999",
    "bullet",
    "linear",
    "=1+1",
    "INDONESIA",
    " indonesia ",
    "a;b;c;d",
    "\"quoted, with comma\"",
];

/// One edit of one input file.
#[derive(Debug, Clone)]
enum Mutation {
    /// The value of a `key = value` line of a TOML file replaced.
    TomlValue {
        scenarios: bool,
        line: Index,
        value: Index,
    },
    /// A cell of the project list replaced.
    CsvCell {
        row: Index,
        column: Index,
        value: Index,
    },
    /// Bytes deleted.
    Delete { file: Index, at: Index, len: usize },
    /// Bytes inserted.
    Insert {
        file: Index,
        at: Index,
        bytes: Vec<u8>,
    },
    /// A line repeated.
    DuplicateLine { file: Index, line: Index },
}

fn mutation_strategy() -> impl Strategy<Value = Mutation> {
    let byte = prop_oneof![
        4 => prop::sample::select(b"0123456789.-+eE,;=\"'[]{}\n\r #xZ_".to_vec()),
        1 => any::<u8>(),
    ];
    prop_oneof![
        4 => (any::<bool>(), any::<Index>(), any::<Index>())
            .prop_map(|(scenarios, line, value)| Mutation::TomlValue { scenarios, line, value }),
        3 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(row, column, value)| Mutation::CsvCell { row, column, value }),
        1 => (any::<Index>(), any::<Index>(), 1_usize..8)
            .prop_map(|(file, at, len)| Mutation::Delete { file, at, len }),
        2 => (any::<Index>(), any::<Index>(), prop::collection::vec(byte, 1..6))
            .prop_map(|(file, at, bytes)| Mutation::Insert { file, at, bytes }),
        1 => (any::<Index>(), any::<Index>())
            .prop_map(|(file, line)| Mutation::DuplicateLine { file, line }),
    ]
}

/// The quickstart's inputs, with the scenarios file named in the facility.
fn quickstart() -> [Vec<u8>; 3] {
    let (facility, projects) = crate::common::quickstart_with_scenarios();
    [
        facility.into_bytes(),
        projects.into_bytes(),
        SCENARIOS.as_bytes().to_vec(),
    ]
}

/// `text` with the value of its chosen `key = value` line replaced.
fn replace_toml_value(text: &[u8], line: Index, value: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let keyed: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains(" = ") && !lines[i].trim_start().starts_with('#'))
        .collect();
    if let Some(&i) = keyed.get(line.index(keyed.len().max(1))) {
        let key = lines[i].split(" = ").next().unwrap_or_default().to_owned();
        lines[i] = format!("{key} = {value}");
    }
    (lines.join("\n") + "\n").into_bytes()
}

/// `text` with one cell of one data row replaced.
fn replace_csv_cell(text: &[u8], row: Index, column: Index, value: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if lines.len() < 2 {
        return text.into_owned().into_bytes();
    }
    let row = 1 + row.index(lines.len() - 1);
    let mut cells: Vec<String> = lines[row].split(',').map(str::to_owned).collect();
    let column = column.index(cells.len());
    cells[column] = value.to_owned();
    lines[row] = cells.join(",");
    (lines.join("\n") + "\n").into_bytes()
}

fn apply(files: &mut [Vec<u8>; 3], mutation: &Mutation) {
    match mutation {
        Mutation::TomlValue {
            scenarios,
            line,
            value,
        } => {
            let file = if *scenarios { 2 } else { 0 };
            let value = TOML_VALUES[value.index(TOML_VALUES.len())];
            files[file] = replace_toml_value(&files[file], *line, value);
        }
        Mutation::CsvCell { row, column, value } => {
            let value = CSV_VALUES[value.index(CSV_VALUES.len())];
            files[1] = replace_csv_cell(&files[1], *row, *column, value);
        }
        Mutation::Delete { file, at, len } => {
            let bytes = &mut files[file.index(3)];
            let start = at.index(bytes.len().max(1)).min(bytes.len());
            let end = (start + len).min(bytes.len());
            bytes.drain(start..end);
        }
        Mutation::Insert { file, at, bytes } => {
            let target = &mut files[file.index(3)];
            let at = at.index(target.len() + 1);
            target.splice(at..at, bytes.iter().copied());
        }
        Mutation::DuplicateLine { file, line } => {
            let target = &mut files[file.index(3)];
            let mut lines: Vec<Vec<u8>> =
                target.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            let i = line.index(lines.len());
            lines.insert(i, lines[i].clone());
            *target = lines.join(&b'\n');
        }
    }
}

/// The mutated inputs written into a fresh folder, then loaded.
fn load_mutated(mutations: &[Mutation]) -> (tempfile::TempDir, Option<LoadedFacility>) {
    let mut files = quickstart();
    for mutation in mutations {
        apply(&mut files, mutation);
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in FILES.iter().zip(&files) {
        fs::write(dir.path().join(name), bytes).unwrap();
    }
    let loaded = load_facility(&dir.path().join(FILES[0]), &LoadOptions::default()).ok();
    (dir, loaded)
}

/// Every tranche's loss statistics lie in [0, 1] and its mean multiple is
/// finite and non-negative.
fn check_sane(model: &Model, paths: u64) -> Result<(), TestCaseError> {
    let settings = RunSettings { paths, seed: 5 };
    let outcomes = simulate_outcomes(model, &settings, &|_| {});
    for row in summarise(model, &outcomes) {
        for loss in [row.expected_loss, row.prob_loss, row.loss_p99, row.pv_loss] {
            prop_assert!((0.0..=1.0).contains(&loss), "{:?}", row);
        }
        prop_assert!(row.expected_loss_se.is_finite(), "{:?}", row);
        prop_assert!(
            row.moic_mean.is_finite() && row.moic_mean >= 0.0,
            "{:?}",
            row
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Through the loader and the engine (every scenario), no files written.
    #[test]
    fn mutated_inputs_are_refused_or_give_sane_numbers(
        mutations in prop::collection::vec(mutation_strategy(), 1..4)
    ) {
        let (_dir, loaded) = load_mutated(&mutations);
        let Some(loaded) = loaded else {
            // Refused by the loader: a SpecError, exit code 2.
            return Ok(());
        };
        let scenarios = std::iter::once(ScenarioSpec::base()).chain(loaded.scenarios.clone());
        for scenario in scenarios {
            // A scenario the model refuses is a ModelError, exit code 2.
            if let Ok(model) = Model::compile_scenario(&loaded.spec, &scenario) {
                check_sane(&model, 24)?;
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Through the whole run pipeline, writing the pack: it completes, or
    /// it refuses the input (never a failure of the machine's kind).
    #[test]
    fn mutated_inputs_run_through_the_pipeline_or_are_refused_as_bad_input(
        mutations in prop::collection::vec(mutation_strategy(), 1..4)
    ) {
        let (dir, loaded) = load_mutated(&mutations);
        let Some(loaded) = loaded else {
            return Ok(());
        };
        let settings = RunSettings { paths: 16, seed: 3 };
        let request = RunRequest::every_scenario(loaded, settings, 1, dir.path().join("out"));
        if let Err(error) = pipeline::run(&request, &Silent) {
            prop_assert!(error.is_bad_input(), "{error:#?}");
        }
    }
}
