//! Arbitrary mutations of the quickstart's facility.toml, projects.csv and
//! a scenarios.toml (byte edits, values replaced by extreme ones, and
//! numeric fields set within, at the edges of and just outside their
//! documented ranges) fed to the loader and the engine with a few paths:
//! never a panic; either a refusal that is the input's fault (exit code 2
//! on the command line) or a result without a NaN, a negative multiple or
//! a loss outside [0, 1]. Byte edits mostly break the syntax, so the
//! structured edits are what exercise the engine: a test checks that most
//! of them reach it.

use std::fs;

use blendsim::aggregate::summarise;
use blendsim::engine::{RunSettings, simulate_outcomes};
use blendsim::model::Model;
use blendsim::pipeline::{self, RunRequest, Silent};
use blendsim::spec::{LoadOptions, LoadedFacility, ScenarioSpec, load_facility};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestRng, TestRunner};

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

/// A numeric field of the inputs and its documented range (docs/inputs.md,
/// docs/scenarios.md): the upper end is exclusive where the docs say so,
/// which [`Position`]'s edges straddle either way.
struct Field {
    /// 0: facility.toml, 1: projects.csv (a column), 2: scenarios.toml.
    file: usize,
    /// The TOML key or the CSV column.
    key: &'static str,
    /// The value as written, `{}` standing for the number.
    template: &'static str,
    low: f64,
    high: f64,
    /// Whole numbers only.
    integer: bool,
}

const fn field(file: usize, key: &'static str, low: f64, high: f64) -> Field {
    Field {
        file,
        key,
        template: "{}",
        low,
        high,
        integer: false,
    }
}

/// The quickstart's numeric fields that a structurer edits, with their
/// ranges (amounts are left alone: the tranches must add up to the pool).
const FIELDS: &[Field] = &[
    field(0, "management_fee_bps", 0.0, 10_000.0),
    field(0, "coupon", 0.0, 1.0),
    field(0, "global", 0.0, 1.0),
    field(0, "mineral", 0.0, 1.0),
    field(0, "country", 0.0, 1.0),
    field(0, "recovery_systematic_weight", 0.0, 1.0),
    Field {
        integer: true,
        ..field(0, "recovery_lag_months", 0.0, 1200.0)
    },
    field(1, "coupon", 0.0, 1.0),
    field(1, "annual_pd", 0.0, 1.0),
    field(1, "recovery_mean", 0.0, 1.0),
    // Below sqrt(m (1 - m)) at the quickstart's mean recovery 0.729.
    field(1, "recovery_sd", 0.0, 0.444),
    Field {
        template: "[{ multiplier = {} }]",
        ..field(2, "pd_multiplier", 0.0, 20.0)
    },
];

/// Where in its range a field's new value lies.
#[derive(Debug, Clone, Copy)]
enum Position {
    /// At this fraction of the range.
    Inside(f64),
    /// A hair inside the lower or upper end (`true`: upper).
    JustInside(bool),
    /// A hair outside it.
    JustOutside(bool),
    /// At the end itself.
    At(bool),
}

impl Position {
    fn value(self, field: &Field) -> String {
        let (low, high) = (field.low, field.high);
        let hair = if field.integer {
            1.0
        } else {
            (high - low) * 1e-6
        };
        let end = |upper: bool| if upper { high } else { low };
        let toward = |upper: bool| if upper { -hair } else { hair };
        let value = match self {
            Position::Inside(u) => low + u * (high - low),
            Position::JustInside(upper) => end(upper) + toward(upper),
            Position::JustOutside(upper) => end(upper) - toward(upper),
            Position::At(upper) => end(upper),
        };
        let value = if field.integer {
            format!("{}", value.round())
        } else {
            format!("{value}")
        };
        field.template.replace("{}", &value)
    }
}

fn position_strategy() -> impl Strategy<Value = Position> {
    prop_oneof![
        6 => (0.0..1.0_f64).prop_map(Position::Inside),
        2 => any::<bool>().prop_map(Position::JustInside),
        1 => any::<bool>().prop_map(Position::JustOutside),
        1 => any::<bool>().prop_map(Position::At),
    ]
}

/// One edit of one input file.
#[derive(Debug, Clone)]
enum Mutation {
    /// A numeric field (one of its lines or rows) set within, at the edge
    /// of or just outside its range.
    Field {
        field: Index,
        which: Index,
        position: Position,
    },
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

fn field_strategy() -> impl Strategy<Value = Mutation> {
    (any::<Index>(), any::<Index>(), position_strategy()).prop_map(|(field, which, position)| {
        Mutation::Field {
            field,
            which,
            position,
        }
    })
}

fn mutation_strategy() -> impl Strategy<Value = Mutation> {
    let byte = prop_oneof![
        4 => prop::sample::select(b"0123456789.-+eE,;=\"'[]{}\n\r #xZ_".to_vec()),
        1 => any::<u8>(),
    ];
    prop_oneof![
        4 => field_strategy(),
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

/// `text` with the value of its chosen `key = value` line (of those with
/// the key `only`, if given) replaced.
fn replace_toml_value(text: &[u8], line: Index, value: &str, only: Option<&str>) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let key_is = |line: &str| only.is_none_or(|k| line.split(" = ").next() == Some(k));
    let keyed: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains(" = ") && !lines[i].trim_start().starts_with('#'))
        .filter(|&i| key_is(&lines[i]))
        .collect();
    if let Some(&i) = keyed.get(line.index(keyed.len().max(1))) {
        let key = lines[i].split(" = ").next().unwrap_or_default().to_owned();
        lines[i] = format!("{key} = {value}");
    }
    (lines.join("\n") + "\n").into_bytes()
}

/// `text` with the cell of one data row in the column headed `name`
/// replaced.
fn replace_named_cell(text: &[u8], row: Index, name: &str, value: &str) -> Vec<u8> {
    let header = String::from_utf8_lossy(text);
    let header = header.lines().next().unwrap_or_default();
    match header.split(',').position(|c| c == name) {
        Some(c) => replace_cell(text, row, &|_| c, value),
        None => text.to_vec(),
    }
}

/// `text` with one cell of one data row replaced.
fn replace_csv_cell(text: &[u8], row: Index, column: Index, value: &str) -> Vec<u8> {
    replace_cell(text, row, &|cells| column.index(cells), value)
}

/// `text` with one cell of one data row replaced, the cell's column chosen
/// from the row's number of cells (left alone if the row has no such
/// column).
fn replace_cell(text: &[u8], row: Index, column: &dyn Fn(usize) -> usize, value: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if lines.len() < 2 {
        return text.into_owned().into_bytes();
    }
    let row = 1 + row.index(lines.len() - 1);
    let mut cells: Vec<String> = lines[row].split(',').map(str::to_owned).collect();
    let column = column(cells.len());
    if let Some(cell) = cells.get_mut(column) {
        *cell = value.to_owned();
    }
    lines[row] = cells.join(",");
    (lines.join("\n") + "\n").into_bytes()
}

fn apply(files: &mut [Vec<u8>; 3], mutation: &Mutation) {
    match mutation {
        Mutation::Field {
            field,
            which,
            position,
        } => {
            let field = &FIELDS[field.index(FIELDS.len())];
            let value = position.value(field);
            let file = &mut files[field.file];
            *file = match field.file {
                1 => replace_named_cell(file, *which, field.key, &value),
                _ => replace_toml_value(file, *which, &value, Some(field.key)),
            };
        }
        Mutation::TomlValue {
            scenarios,
            line,
            value,
        } => {
            let file = if *scenarios { 2 } else { 0 };
            let value = TOML_VALUES[value.index(TOML_VALUES.len())];
            files[file] = replace_toml_value(&files[file], *line, value, None);
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

/// Every tranche's losses, on every path and in every statistic, lie in
/// [0, 1] (so none is NaN), and its multiples are finite and non-negative,
/// on every path and on average.
fn check_sane(model: &Model, paths: u64) -> Result<(), TestCaseError> {
    let settings = RunSettings { paths, seed: 5 };
    let outcomes = simulate_outcomes(model, &settings, &|_| {});
    let unit = |x: &f64| (0.0..=1.0).contains(x);
    // Deferred interest unpaid can exceed the notional (an 8% coupon
    // deferred for 16 years): finite and non-negative, not at most 1.
    let non_negative = |x: &f64| x.is_finite() && *x >= 0.0;
    for (t, columns) in outcomes.tranches.iter().enumerate() {
        for (name, losses) in [("principal", &columns.loss), ("PV", &columns.pv_loss)] {
            prop_assert!(
                losses.iter().all(unit),
                "tranche {t}: {name} losses {losses:?}"
            );
        }
        let deferred = &columns.deferred_interest_loss;
        prop_assert!(
            deferred.iter().all(non_negative),
            "tranche {t}: deferred-interest losses {deferred:?}"
        );
        let moic = &columns.moic;
        prop_assert!(
            moic.iter().all(|m| m.is_finite() && *m >= 0.0),
            "tranche {t}: multiples {moic:?}"
        );
    }
    for row in summarise(model, &outcomes) {
        let losses = [
            row.expected_loss,
            row.prob_loss,
            row.loss_p50,
            row.loss_p90,
            row.loss_p99,
            row.loss_p999,
            row.es_99,
            row.pv_loss,
        ];
        prop_assert!(losses.iter().all(unit), "{:?}", row);
        prop_assert!(non_negative(&row.deferred_interest_loss), "{:?}", row);
        prop_assert!(row.expected_loss_se.is_finite(), "{:?}", row);
        prop_assert!(
            row.moic_mean.is_finite() && row.moic_mean >= 0.0,
            "{:?}",
            row
        );
    }
    Ok(())
}

/// Runs every scenario of the mutated inputs through the engine and checks
/// the numbers; whether the inputs were accepted and a model compiled (so
/// the engine ran).
fn engine_on_mutated(mutations: &[Mutation]) -> Result<bool, TestCaseError> {
    let (_dir, loaded) = load_mutated(mutations);
    let Some(loaded) = loaded else {
        // Refused by the loader: a SpecError, exit code 2.
        return Ok(false);
    };
    let mut ran = false;
    let scenarios = std::iter::once(ScenarioSpec::base()).chain(loaded.scenarios.clone());
    for scenario in scenarios {
        // A scenario the model refuses is a ModelError, exit code 2.
        if let Ok(model) = Model::compile_scenario(&loaded.spec, &scenario) {
            check_sane(&model, 24)?;
            ran = true;
        }
    }
    Ok(ran)
}

/// Edits of numeric fields within, at and just outside their ranges keep
/// most inputs valid, so they reach the engine (the byte edits of the
/// property test below mostly stop at the loader): of 256 cases (a fixed
/// seed, so the count is the same on every run), at least half run, and
/// every one that runs gives sane numbers.
#[test]
fn structured_mutations_reach_the_engine_and_give_sane_numbers() {
    let config = Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let ran = std::sync::atomic::AtomicUsize::new(0);
    let strategy = prop::collection::vec(field_strategy(), 1..4);
    let result = runner.run(&strategy, |mutations| {
        if engine_on_mutated(&mutations)? {
            ran.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let ran = ran.into_inner();
    assert!(ran >= 128, "only {ran} of 256 cases reached the engine");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Through the loader and the engine (every scenario), no files written.
    #[test]
    fn mutated_inputs_are_refused_or_give_sane_numbers(
        mutations in prop::collection::vec(mutation_strategy(), 1..4)
    ) {
        engine_on_mutated(&mutations)?;
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
