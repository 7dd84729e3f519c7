//! Every command's outputs as a whole, as `run`'s pack (tests/it/
//! pack_publish.rs): `size`, `sweep` and `analytic` add their files to
//! their folder in one step (a run's pack stays complete, its SHA256SUMS
//! brought up to date), `batch` publishes its whole folder in one step;
//! each takes the folder's lock before any work (a second command exits 2
//! at once, naming the holder), refuses a folder of other files, and
//! leaves nothing beside the folder.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use blendsim::publish::{Staging, verify_pack};

use crate::common::{held_by_this_process, kill_at_spread_moments, names_in};

const QUICKSTART: &str = "portfolios/quickstart/facility.toml";

fn root(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The arguments of each command that writes into a folder, on the
/// quickstart with few paths, but `--out`.
fn commands() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        (
            "size",
            vec![
                "--target",
                "senior.expected_loss <= 0.001",
                "--solve",
                "first_loss",
                "--absorb",
                "senior",
                "--grid",
                "3",
                "--paths",
                "300",
                "--quiet",
            ],
        ),
        (
            "sweep",
            vec![
                "--vary",
                "first_loss.share=0.1,0.15",
                "--paths",
                "300",
                "--quiet",
            ],
        ),
        ("analytic", vec![]),
    ]
}

/// `blendsim COMMAND QUICKSTART ARGS... --out OUT`.
fn command(name: &str, args: &[&str], out: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_blendsim"));
    command
        .arg(name)
        .arg(root(QUICKSTART))
        .args(args)
        .arg("--out")
        .arg(out)
        .timeout(Duration::from_secs(300));
    command
}

fn run_into(out: &Path, seed: &str) {
    command("run", &["--paths", "200", "--quiet", "--seed", seed], out)
        .assert()
        .success();
}

/// `folder` holds one complete, intact set of files.
fn assert_complete(folder: &Path) {
    let problems = verify_pack(folder).unwrap();
    assert!(problems.is_empty(), "{}: {problems:?}", folder.display());
}

/// The files each command adds.
fn files_of(name: &str) -> &'static [&'static str] {
    match name {
        "size" => &["sizing.csv", "sizing.html", "sizing.json"],
        "sweep" => &["sweep.csv", "sweep.html"],
        _ => &["analytic.csv"],
    }
}

#[test]
fn size_sweep_and_analytic_add_their_files_to_a_pack_which_stays_complete() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_into(&out, "1");
    let summary = fs::read(out.join("summary.csv")).unwrap();
    for (name, args) in commands() {
        command(name, &args, &out).assert().success();
        assert_complete(&out);
        for file in files_of(name) {
            assert!(out.join(file).is_file(), "{name}: no {file}");
        }
        // The run's files are still there, unchanged.
        assert_eq!(fs::read(out.join("summary.csv")).unwrap(), summary);
        assert_eq!(names_in(dir.path()), ["out"], "{name} left files beside");
    }
    // A new run keeps every other command's files, listed in its pack.
    run_into(&out, "2");
    assert_complete(&out);
    for (name, _) in commands() {
        for file in files_of(name) {
            assert!(out.join(file).is_file(), "the run dropped {file}");
        }
    }
    assert_eq!(names_in(dir.path()), ["out"]);
}

#[test]
fn every_command_on_a_folder_being_written_exits_2_at_once_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut all = commands();
    all.push(("batch", vec!["--paths", "100000", "--quiet"]));
    for (name, args) in all {
        // This process holds the folder, as a command in the middle of
        // writing does.
        let holder = Staging::begin(&out).unwrap();
        let started = Instant::now();
        let mut command = match name {
            // batch takes the facilities first and --out as a flag.
            "batch" => {
                let mut batch = Command::new(env!("CARGO_BIN_EXE_blendsim"));
                batch.arg("batch").arg(root(QUICKSTART)).args(&args);
                batch.arg("--out").arg(&out);
                batch
            }
            _ => command(name, &args, &out),
        };
        command
            .assert()
            .code(2)
            .stderr(predicates::str::contains(held_by_this_process(&out)));
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{name} did not stop at once"
        );
        assert!(!out.exists(), "{name} wrote into a locked folder");
        drop(holder);
    }
}

#[test]
fn a_folder_of_other_files_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("documents");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("letter.txt"), "keep me").unwrap();
    for (name, args) in commands() {
        command(name, &args, &out)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(
                "holds files that are not a blendsim pack (such as `letter.txt`)",
            ));
        assert_eq!(names_in(&out), ["letter.txt"]);
    }
    assert_eq!(names_in(dir.path()), ["documents"]);
}

#[test]
fn a_command_on_a_fresh_folder_publishes_its_files_with_checksums() {
    for (name, args) in commands() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        command(name, &args, &out).assert().success();
        assert_complete(&out);
        let mut expected: Vec<&str> = files_of(name).to_vec();
        expected.push("SHA256SUMS");
        expected.sort_unstable();
        assert_eq!(names_in(&out), expected);
        // Again into the same folder: replaced together, nothing left over.
        command(name, &args, &out).assert().success();
        assert_complete(&out);
        assert_eq!(names_in(&out), expected);
        assert_eq!(names_in(dir.path()), ["out"]);
    }
}

/// `blendsim batch` of the quickstart, twice (two facilities), into `out`.
fn batch_process(out: &Path, seed: &str) -> Process {
    let copy = out.with_extension("inputs");
    if !copy.exists() {
        // A second facility: the quickstart under another name.
        let quickstart = root("portfolios/quickstart");
        fs::create_dir_all(&copy).unwrap();
        for file in ["facility.toml", "projects.csv"] {
            fs::copy(quickstart.join(file), copy.join(file)).unwrap();
        }
    }
    let mut process = Process::new(env!("CARGO_BIN_EXE_blendsim"));
    process
        .arg("batch")
        .arg(root(QUICKSTART))
        .arg(copy.join("facility.toml"))
        .args(["--paths", "2000", "--quiet", "--seed", seed, "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    process
}

/// The seed of the batch in `out` (every facility's run says the same).
fn batch_seed(out: &Path) -> u64 {
    let facilities: Vec<String> = names_in(out)
        .into_iter()
        .filter(|name| out.join(name).is_dir())
        .collect();
    assert_eq!(facilities.len(), 2, "{facilities:?}");
    let seeds: Vec<u64> = facilities
        .iter()
        .map(|name| {
            let manifest = fs::read_to_string(out.join(name).join("base/run.json")).unwrap();
            let json: serde_json::Value = serde_json::from_str(&manifest).unwrap();
            json["seed"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(
        seeds[0], seeds[1],
        "facilities of two batches in one folder"
    );
    seeds[0]
}

#[test]
fn a_batch_killed_at_any_moment_leaves_one_complete_batch() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let started = Instant::now();
    let first = batch_process(&out, "1").status().unwrap();
    assert!(first.success());
    let duration = started.elapsed();
    assert_complete(&out);
    assert!(out.join("summary.csv").is_file());
    let published = || batch_seed(&out);
    assert_eq!(published(), 1);
    let start = |seed: u64| batch_process(&out, &seed.to_string()).spawn().unwrap();
    let killed = kill_at_spread_moments(8, duration, start, || assert_complete(&out), published);
    assert!(killed > 0, "no batch was killed while it ran");
    let last = batch_process(&out, "99").status().unwrap();
    assert!(last.success());
    assert_complete(&out);
    assert_eq!(batch_seed(&out), 99);
    assert_eq!(names_in(dir.path()), ["out", "out.inputs"]);
}
