//! A run split over processes (`run --shard K/N`, `merge`): the merged
//! pack is the single run's, file for file (timings aside), and parts that
//! are not one run's, every path once, are refused with exit 2 naming the
//! part.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use calamine::{Reader, Xlsx, open_workbook};

const QUICKSTART: &str = "portfolios/quickstart/facility.toml";
const FLAGSHIP: &str = "portfolios/us-rok-critical-minerals/facility.toml";

fn blendsim() -> Command {
    let mut cmd = Command::cargo_bin("blendsim").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Every file below `folder`, relative to it, sorted.
fn files_below(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![folder.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path.strip_prefix(folder).unwrap().to_owned());
            }
        }
    }
    found.sort();
    found
}

/// run.json without the fields that time the run.
fn untimed_manifest(file: &Path) -> serde_json::Value {
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    for field in [
        "started_at",
        "wall_time_seconds",
        "simulation_seconds",
        "paths_per_second",
    ] {
        assert!(
            json[field].is_string() || json[field].is_number(),
            "{field}"
        );
        json.as_object_mut().unwrap().remove(field);
    }
    json
}

/// report.html with its two timings (when the run started, what the
/// tornado's runs took) blanked.
fn untimed_html(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let blank_after = |text: &str, marker: &str, end: char| -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find(marker) {
            out += &rest[..i + marker.len()];
            rest = &rest[i + marker.len()..];
            let stop = rest.find(end).unwrap();
            rest = &rest[stop..];
        }
        out + rest
    };
    blank_after(
        &blank_after(&text, ", started ", '<'),
        " together) took ",
        's',
    )
}

/// Each sheet of a workbook, cell by cell (its file also holds when it
/// was written).
fn workbook_cells(file: &Path) -> Vec<(String, Vec<String>)> {
    let mut workbook: Xlsx<_> = open_workbook(file).unwrap();
    let names = workbook.sheet_names().to_vec();
    names
        .into_iter()
        .map(|name| {
            let range = workbook.worksheet_range(&name).unwrap();
            let cells = range.rows().flatten().map(|c| c.to_string()).collect();
            (name, cells)
        })
        .collect()
}

/// Compares two packs file by file: the same files, each byte for byte
/// but for run.json's timing fields, report.html's two timings, the
/// workbook's creation time and the checksums of those files.
fn assert_same_pack(single: &Path, merged: &Path) {
    let files = files_below(single);
    assert_eq!(files, files_below(merged));
    assert!(files.len() > 20, "{files:?}");
    let timed = ["run.json", "report.html", "pack.xlsx", "SHA256SUMS"];
    for file in &files {
        let (a, b) = (single.join(file), merged.join(file));
        let name = file.file_name().unwrap().to_str().unwrap();
        match name {
            "run.json" => assert_eq!(untimed_manifest(&a), untimed_manifest(&b), "{file:?}"),
            "report.html" => assert!(untimed_html(&a) == untimed_html(&b), "{file:?} differs"),
            "pack.xlsx" => assert_eq!(workbook_cells(&a), workbook_cells(&b), "{file:?}"),
            "SHA256SUMS" => {
                let lines = |f: &Path| -> Vec<String> {
                    (std::fs::read_to_string(f).unwrap().lines())
                        .filter(|l| !timed.iter().any(|t| l.ends_with(&format!("/{t}"))))
                        .filter(|l| !timed.iter().any(|t| l.ends_with(&format!("  {t}"))))
                        .map(str::to_owned)
                        .collect()
                };
                assert_eq!(lines(&a), lines(&b), "{file:?}");
            }
            _ => assert!(
                std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
                "{file:?} differs"
            ),
        }
    }
}

/// `run` with `args` into `out`: the single run a merge must equal.
fn run_single(args: &[&str], out: &Path) {
    blendsim()
        .arg("run")
        .args(args)
        .args(["--quiet", "--out"])
        .arg(out)
        .assert()
        .success();
}

/// `run --shard k/shards` with `args`, for every k, into `parts`.
fn run_shards(args: &[&str], shards: u64, parts: &Path) {
    for k in 0..shards {
        blendsim()
            .arg("run")
            .args(args)
            .args(["--quiet", "--shard", &format!("{k}/{shards}"), "--out"])
            .arg(parts)
            .assert()
            .success();
    }
}

#[test]
fn four_shards_merged_are_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let (single, parts, merged) = (
        dir.path().join("single"),
        dir.path().join("parts"),
        dir.path().join("merged"),
    );
    // The flagship: nexus events (each shard runs its block without them
    // too), parties, two scenarios side by side, the tornado on the first
    // 700 paths (across two shards), a trace by number in the third shard
    // and one by quantile.
    let args = [
        FLAGSHIP,
        "--paths",
        "2003",
        "--seed",
        "11",
        "--scenario",
        "base",
        "--scenario",
        "all",
        "--tornado-paths",
        "700",
        "--block-paths",
        "400",
        "--trace-path",
        "1234",
        "--trace-quantile",
        "0.99",
        "--threads",
        "2",
    ];
    run_single(&args, &single);
    run_shards(&args, 4, &parts);
    let names: Vec<PathBuf> = files_below(&parts);
    assert_eq!(names.len(), 4, "{names:?}");
    // The merge's own work (the tornado, traces) on two threads: results
    // do not depend on it.
    let output = blendsim()
        .args(["merge", "--threads", "2", "--out"])
        .arg(&merged)
        .arg(&parts)
        .assert()
        .success();
    let stdout = String::from_utf8(output.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("scenarios, 2,003 paths each"), "{stdout}");
    assert_same_pack(&single, &merged);
    let manifest = untimed_manifest(&merged.join("base/run.json"));
    assert_eq!(manifest["paths"], 2003);
    assert_eq!(manifest["seed"], 11);
}

#[test]
fn the_base_case_alone_merges_from_parts_named_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let (single, parts, merged) = (
        dir.path().join("single"),
        dir.path().join("parts"),
        dir.path().join("merged"),
    );
    let args = [
        QUICKSTART,
        "--paths",
        "1500",
        "--seed",
        "4",
        "--threads",
        "1",
    ];
    run_single(&args, &single);
    run_shards(&args, 3, &parts);
    // In any order: the merge sorts the parts by their paths.
    blendsim()
        .args(["merge", "--quiet", "--threads", "1", "--out"])
        .arg(&merged)
        .args(["part-2-of-3.bsp", "part-0-of-3.bsp", "part-1-of-3.bsp"].map(|f| parts.join(f)))
        .assert()
        .success();
    assert_same_pack(&single, &merged);
}

/// `merge parts --out parts` would replace the parts with the pack: it is
/// refused with exit 2 before anything is read, and the parts stay.
#[test]
fn a_merge_into_the_folder_of_its_parts_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let parts = dir.path().join("parts");
    let args = [
        QUICKSTART,
        "--paths",
        "400",
        "--seed",
        "4",
        "--threads",
        "1",
    ];
    run_shards(&args, 2, &parts);
    for named in [parts.clone(), parts.join("part-0-of-2.bsp")] {
        let output = blendsim()
            .args(["merge", "--quiet", "--out"])
            .arg(&parts)
            .arg(&named)
            .assert()
            .code(2);
        let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains("holds the part"), "{stderr}");
        assert!(stderr.contains("part-0-of-2.bsp"), "{stderr}");
    }
    assert!(parts.join("part-0-of-2.bsp").is_file());
    assert!(parts.join("part-1-of-2.bsp").is_file());
}

/// A merge of `parts` that must fail with exit 2, its message naming
/// `culprit` and saying `why`.
fn assert_refused(parts: &[PathBuf], culprit: &Path, why: &str) {
    let out = tempfile::tempdir().unwrap();
    let output = blendsim()
        .args(["merge", "--quiet", "--out"])
        .arg(out.path().join("pack"))
        .args(parts)
        .assert()
        .code(2);
    let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
    let name = culprit.display().to_string();
    assert!(stderr.contains(&name), "{stderr} should name {name}");
    assert!(stderr.contains(why), "{stderr} should say {why}");
    assert!(!out.path().join("pack").exists(), "nothing published");
}

#[test]
fn parts_that_are_not_one_run_are_refused_naming_the_part() {
    let dir = tempfile::tempdir().unwrap();
    let folder = |name: &str| dir.path().join(name);
    let base = ["--paths", "600", "--seed", "5", "--threads", "1"];
    let args: Vec<&str> = [QUICKSTART].into_iter().chain(base).collect();
    run_shards(&args, 3, &folder("parts"));
    let part = |k: u64| folder("parts").join(format!("part-{k}-of-3.bsp"));
    let all = [part(0), part(1), part(2)];

    // Another seed.
    let seed: Vec<&str> = [QUICKSTART, "--paths", "600", "--seed", "6"].into();
    run_shards(&seed, 3, &folder("seed6"));
    let odd = folder("seed6").join("part-1-of-3.bsp");
    assert_refused(
        &[part(0), odd.clone(), part(2)],
        &odd,
        "seed 6 rather than 5",
    );

    // A gap, and an overlap with a part of a run split in two.
    assert_refused(
        &[part(0), part(2)],
        &part(2),
        "paths 200..400 are in no part",
    );
    assert_refused(
        &[part(0), part(1)],
        &part(1),
        "paths 400..600 are in no part",
    );
    let halves: Vec<&str> = args.clone();
    run_shards(&halves, 2, &folder("halves"));
    let half = folder("halves").join("part-1-of-2.bsp");
    let mut overlapping = all.to_vec();
    overlapping.push(half.clone());
    assert_refused(&overlapping, &half, "overlap");
    assert_refused(&[part(0), part(1), part(1), part(2)], &part(1), "overlap");

    // Another input: the facility copied with one coupon changed.
    let copy = folder("copy");
    std::fs::create_dir(&copy).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("portfolios/quickstart");
    std::fs::copy(root.join("facility.toml"), copy.join("facility.toml")).unwrap();
    let projects = std::fs::read_to_string(root.join("projects.csv")).unwrap();
    std::fs::write(copy.join("projects.csv"), &projects).unwrap();
    let facility = copy.join("facility.toml");
    let copied: Vec<&str> = [facility.to_str().unwrap()]
        .into_iter()
        .chain(base)
        .collect();
    run_shards(&copied, 3, &folder("copied"));
    let other = folder("copied").join("part-2-of-3.bsp");
    assert_refused(&[part(0), part(1), other.clone()], &other, "other inputs");
    // The copy's inputs changed after its shards ran: the merge cannot
    // rebuild the model they simulated.
    let toml = std::fs::read_to_string(&facility).unwrap();
    std::fs::write(&facility, toml + "# edited after the shards ran\n").unwrap();
    let copied_parts: Vec<PathBuf> = (0..3)
        .map(|k| folder("copied").join(format!("part-{k}-of-3.bsp")))
        .collect();
    assert_refused(
        &copied_parts,
        &copied_parts[0],
        "facility.toml changed since",
    );

    // Another version of blendsim.
    let mut older = blendsim::shard::read_part(&part(1)).unwrap();
    older.version = "0.0.9".into();
    let versioned = folder("older.bsp");
    blendsim::shard::write_part(&versioned, &older).unwrap();
    let expected = "written by blendsim 0.0.9; this is blendsim";
    assert_refused(&[part(0), versioned.clone(), part(2)], &versioned, expected);

    // Damaged files: a byte flipped, the end cut off, not a part at all.
    let bytes = std::fs::read(part(1)).unwrap();
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    let corrupt = folder("corrupt.bsp");
    std::fs::write(&corrupt, flipped).unwrap();
    assert_refused(&[part(0), corrupt.clone(), part(2)], &corrupt, "checksum");
    let truncated = folder("truncated.bsp");
    std::fs::write(&truncated, &bytes[..bytes.len() - 100]).unwrap();
    assert_refused(
        &[part(0), truncated.clone(), part(2)],
        &truncated,
        "truncated",
    );
    let stranger = folder("summary.bsp");
    std::fs::write(&stranger, "tranche,expected_loss\n").unwrap();
    assert_refused(
        std::slice::from_ref(&stranger),
        &stranger,
        "not a blendsim part file",
    );
    let missing = folder("missing.bsp");
    assert_refused(&[part(0), missing.clone()], &missing, "No such file");
}

#[test]
fn bad_shard_requests_exit_2_naming_the_flag() {
    for (args, says) in [
        (
            vec!["--shard", "4/4"],
            "--shard 4/4: K is numbered from 0 to N - 1 (3 here)",
        ),
        (vec!["--shard", "x"], "--shard x: expected K/N"),
        (
            vec!["--shard", "0/2000", "--paths", "1000"],
            "more shards than the run's 1000 paths",
        ),
        (
            vec![
                "--shard",
                "0/2",
                "--target-se",
                "senior.expected_loss=0.001",
            ],
            "--shard splits a fixed number of paths",
        ),
    ] {
        let output = blendsim()
            .args(["run", QUICKSTART, "--quiet"])
            .args(&args)
            .assert()
            .code(2);
        let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

#[test]
fn batch_writes_the_job_lists_of_a_sharded_batch() {
    let dir = tempfile::tempdir().unwrap();
    let jobs = dir.path().join("jobs");
    blendsim()
        .args([
            "batch",
            "portfolios",
            "--shards",
            "3",
            "--paths",
            "900",
            "--quiet",
            "--out",
        ])
        .arg(&jobs)
        .assert()
        .success();
    let shard_jobs = std::fs::read_to_string(jobs.join("shard-jobs.txt")).unwrap();
    let merge_jobs = std::fs::read_to_string(jobs.join("merge-jobs.txt")).unwrap();
    // Three bundled facilities, three shards each, one merge each.
    assert_eq!(shard_jobs.lines().count(), 9, "{shard_jobs}");
    assert_eq!(merge_jobs.lines().count(), 3, "{merge_jobs}");
    let quickstart = format!(
        "blendsim run portfolios/quickstart/facility.toml --scenario all --paths 900 --shard 2/3 \
         --quiet --out {}",
        jobs.join("parts/quickstart").display()
    );
    assert!(shard_jobs.lines().any(|l| l == quickstart), "{shard_jobs}");
    let merge = format!(
        "blendsim merge {} --out {} --quiet",
        jobs.join("parts/quickstart").display(),
        jobs.join("packs/quickstart").display()
    );
    assert!(merge_jobs.lines().any(|l| l == merge), "{merge_jobs}");
}

/// deploy/slurm's scripts run as Slurm runs them (each array task with its
/// SLURM_ARRAY_TASK_ID, then the merge job), on the job lists of a batch
/// of the quickstart facility: the merged pack is the single run's.
#[test]
fn the_slurm_scripts_run_the_job_lists_into_the_single_runs_pack() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let jobs = dir.path().join("jobs");
    blendsim()
        .args([
            "batch", QUICKSTART, "--shards", "3", "--paths", "1200", "--seed", "9",
        ])
        .args(["--quiet", "--out"])
        .arg(&jobs)
        .assert()
        .success();
    let binary = assert_cmd::cargo::cargo_bin("blendsim");
    let path = format!(
        "{}:{}",
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script = |name: &str, task: Option<u64>| {
        let mut cmd = Command::new("sh");
        cmd.current_dir(root)
            .arg(root.join("deploy/slurm").join(name))
            .env("PATH", &path)
            .env("JOBS", &jobs)
            .env("SLURM_CPUS_PER_TASK", "1");
        if let Some(task) = task {
            cmd.env("SLURM_ARRAY_TASK_ID", task.to_string());
        }
        cmd.assert().success();
    };
    for task in 0..3 {
        script("shard.sbatch", Some(task));
    }
    script("merge.sbatch", None);
    let single = dir.path().join("single");
    run_single_batch_twin("1", &single);
    assert_same_pack(&single, &jobs.join("packs/quickstart"));
}

/// The single run equal to the deploy tests' batch of the quickstart (3
/// shards of 1,200 paths, seed 9), on `threads` threads (which run.json
/// records).
fn run_single_batch_twin(threads: &str, out: &Path) {
    let args = ["--scenario", "all", "--paths", "1200", "--seed", "9"];
    run_single(
        &[&[QUICKSTART][..], &args, &["--threads", threads]].concat(),
        out,
    );
}

/// The shell command a Job manifest's container runs: the item under
/// `args:` (a plain YAML scalar over several lines, which YAML folds into
/// one line with spaces).
fn container_command(manifest: &str) -> String {
    let mut lines = manifest.lines().skip_while(|l| l.trim() != "args:");
    let args_line = lines.next().expect("the manifest has an args: key");
    let indent = |l: &str| l.len() - l.trim_start().len();
    let command: Vec<&str> = lines
        .take_while(|l| indent(l) > indent(args_line))
        .map(|l| l.trim().trim_start_matches("- "))
        .collect();
    assert!(!command.is_empty(), "no command under args:\n{manifest}");
    command.join(" ")
}

/// `key: N` in a manifest (the first such line).
fn manifest_number(manifest: &str, key: &str) -> u64 {
    let prefix = format!("{key}: ");
    let line = manifest
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&prefix));
    line.and_then(|l| l[prefix.len()..].parse().ok())
        .unwrap_or_else(|| panic!("no {key} in\n{manifest}"))
}

/// deploy/kubernetes as a cluster would run it, with a stand-in `kubectl`
/// that records what run.sh applies: run.sh sets the Indexed Job's
/// completions to the job list's length, then each pod's command (with its
/// JOB_COMPLETION_INDEX, in a working folder playing the shared volume at
/// /work) and the merge Job's command run from the applied manifests, and
/// the merged pack is the single run's.
#[test]
fn the_kubernetes_jobs_run_the_job_lists_into_the_single_runs_pack() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    std::os::unix::fs::symlink(root.join("portfolios"), work.join("portfolios")).unwrap();
    blendsim()
        .current_dir(&work)
        .args([
            "batch", QUICKSTART, "--shards", "3", "--paths", "1200", "--seed", "9",
        ])
        .args(["--quiet", "--out", "out/jobs"])
        .assert()
        .success();

    // A kubectl that appends each applied manifest (from stdin or -f FILE)
    // to applied.yaml, with a line between them, and lets `wait` succeed.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let applied = dir.path().join("applied.yaml");
    let kubectl = bin.join("kubectl");
    std::fs::write(
        &kubectl,
        format!(
            "#!/bin/sh\nif [ \"$1\" = apply ]; then\n  if [ \"$3\" = - ]; then cat; else cat \"$3\"; fi \
             >> '{0}'\n  echo '#---' >> '{0}'\nfi\n",
            applied.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &kubectl,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let binary = assert_cmd::cargo::cargo_bin("blendsim");
    let path = format!(
        "{}:{}:{}",
        bin.display(),
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .arg(root.join("deploy/kubernetes/run.sh"))
        .arg(work.join("out/jobs"))
        .env("PATH", &path)
        .assert()
        .success();
    let applied = std::fs::read_to_string(&applied).unwrap();
    let manifests: Vec<&str> = applied.split("#---\n").filter(|m| !m.is_empty()).collect();
    assert_eq!(manifests.len(), 2, "{applied}");
    let (shards, merge) = (manifests[0], manifests[1]);
    assert!(shards.contains("name: blendsim-shards"), "{shards}");
    assert!(merge.contains("name: blendsim-merge"), "{merge}");
    assert_eq!(manifest_number(shards, "completions"), 3);
    assert_eq!(manifest_number(shards, "parallelism"), 3);

    let pod = |manifest: &str, index: Option<u64>| {
        let mut cmd = Command::new("sh");
        cmd.current_dir(&work)
            .args(["-c", &container_command(manifest)])
            .env("PATH", &path);
        if let Some(index) = index {
            cmd.env("JOB_COMPLETION_INDEX", index.to_string());
        }
        cmd.assert().success();
    };
    for index in 0..3 {
        pod(shards, Some(index));
    }
    pod(merge, None);
    // The merge Job runs on two threads, which run.json records.
    let single = dir.path().join("single");
    run_single_batch_twin("2", &single);
    assert_same_pack(&single, &work.join("out/jobs/packs/quickstart"));
}
