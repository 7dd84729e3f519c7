use super::*;

/// A pack as a run leaves it: run.json from blendsim and one table.
fn write_pack(folder: &Path, table: &str) {
    fs::write(folder.join("run.json"), r#"{"tool": "blendsim"}"#).unwrap();
    fs::write(folder.join("summary.csv"), table).unwrap();
}

/// The names in `folder`, in order.
fn names(folder: &Path) -> Vec<String> {
    let entries = fs::read_dir(folder).unwrap();
    let set: std::collections::BTreeSet<String> = entries
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    set.into_iter().collect()
}

/// Publishes a pack into `out` in one go.
fn publish_pack(out: &Path, table: &str) {
    let staging = Staging::begin(out).unwrap();
    write_pack(staging.folder(), table);
    staging.publish().unwrap();
}

#[test]
fn publishes_into_a_new_folder_with_checksums_and_nothing_beside() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    let staging = Staging::begin(&out).unwrap();
    assert!(!out.exists(), "nothing appears before publishing");
    write_pack(staging.folder(), "new");
    let written = staging.folder().join("summary.csv");
    assert_eq!(staging.published_path(&written), out.join("summary.csv"));
    staging.publish().unwrap();
    assert_eq!(names(&out), ["SHA256SUMS", "run.json", "summary.csv"]);
    assert!(verify_pack(&out).unwrap().is_empty());
    assert_eq!(names(parent.path()), ["out"]);
}

#[test]
fn a_new_pack_replaces_the_whole_previous_one() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    fs::create_dir_all(out.join("recession")).unwrap();
    write_pack(&out, "old");
    fs::write(out.join("recession/trace_path_1.csv"), "old trace").unwrap();
    fs::write(out.join(".blendsim-x.tmp"), "an old version's temporary").unwrap();
    publish_pack(&out, "new");
    assert_eq!(names(&out), ["SHA256SUMS", "run.json", "summary.csv"]);
    assert_eq!(fs::read_to_string(out.join("summary.csv")).unwrap(), "new");
    assert_eq!(names(parent.path()), ["out"]);
}

#[test]
fn an_abandoned_staging_leaves_the_previous_pack_and_no_trace() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    fs::create_dir(&out).unwrap();
    write_pack(&out, "old");
    let staging = Staging::begin(&out).unwrap();
    write_pack(staging.folder(), "half");
    drop(staging);
    assert_eq!(names(&out), ["run.json", "summary.csv"]);
    assert_eq!(fs::read_to_string(out.join("summary.csv")).unwrap(), "old");
    assert_eq!(names(parent.path()), ["out"]);
}

#[test]
fn what_killed_runs_left_is_removed_and_other_folders_kept() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    for stale in [".blendsim-out.a1B2c3.tmp", ".blendsim-out.zzzzzz.tmp"] {
        fs::create_dir(parent.path().join(stale)).unwrap();
        fs::write(parent.path().join(stale).join("summary.csv"), "half").unwrap();
    }
    // Another output folder's staging (`out.b`) and a user's file.
    fs::create_dir(parent.path().join(".blendsim-out.b.a1B2c3.tmp")).unwrap();
    fs::write(parent.path().join(".blendsim-out.notes"), "mine").unwrap();
    publish_pack(&out, "new");
    assert_eq!(
        names(parent.path()),
        [".blendsim-out.b.a1B2c3.tmp", ".blendsim-out.notes", "out"]
    );
}

#[test]
fn a_folder_of_other_files_or_a_file_is_refused_untouched() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("documents");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("thesis.docx"), "years of work").unwrap();
    fs::write(out.join("run.json"), r#"{"tool": "other"}"#).unwrap();
    match Staging::begin(&out) {
        Err(PublishError::NotAPack { example, .. }) => {
            assert!(["thesis.docx", "run.json"].contains(&example.as_str()));
        }
        other => panic!("expected NotAPack, got {other:?}"),
    }
    assert_eq!(names(&out), ["run.json", "thesis.docx"]);
    let file = parent.path().join("file");
    fs::write(&file, "x").unwrap();
    assert!(matches!(
        Staging::begin(&file),
        Err(PublishError::NotAFolder { .. })
    ));
    assert_eq!(names(parent.path()), ["documents", "file"]);
}

#[test]
fn a_scenario_pack_is_recognised_by_a_scenario_manifest() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    fs::create_dir_all(out.join("base")).unwrap();
    write_pack(&out.join("base"), "old");
    fs::write(out.join("comparison.csv"), "old").unwrap();
    publish_pack(&out, "new");
    assert_eq!(names(&out), ["SHA256SUMS", "run.json", "summary.csv"]);
}

#[test]
fn a_second_run_into_the_same_folder_is_refused_while_the_first_writes() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    let first = Staging::begin(&out).unwrap();
    assert!(matches!(
        Staging::begin(&out),
        Err(PublishError::Locked { .. })
    ));
    write_pack(first.folder(), "first");
    first.publish().unwrap();
    publish_pack(&out, "second");
    assert_eq!(
        fs::read_to_string(out.join("summary.csv")).unwrap(),
        "second"
    );
    assert_eq!(names(parent.path()), ["out"]);
}

#[test]
fn the_two_step_swap_gives_the_same_result() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    fs::create_dir(&out).unwrap();
    write_pack(&out, "old");
    let staged = new_staging_folder(parent.path(), "out").unwrap().keep();
    write_pack(&staged, "new");
    swap_in_two_steps(&staged, &out, parent.path(), "out").unwrap();
    assert_eq!(fs::read_to_string(out.join("summary.csv")).unwrap(), "new");
    assert_eq!(names(parent.path()), ["out"]);
}

#[test]
fn staging_names_belong_to_one_output_folder() {
    assert!(is_staging_of(".blendsim-out.a1B2c3.tmp", "out"));
    assert!(!is_staging_of(".blendsim-out.b.a1B2c3.tmp", "out"));
    assert!(!is_staging_of(".blendsim-out.a1B2c.tmp", "out"));
    assert!(!is_staging_of(".blendsim-out.lock", "out"));
    assert!(!is_staging_of("out", "out"));
}

#[test]
fn other_commands_files_are_carried_into_the_new_pack() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    fs::create_dir(&out).unwrap();
    // `blendsim size` ran first, and a killed `sweep` left a temporary.
    fs::write(out.join("sizing.csv"), "sizing").unwrap();
    fs::write(out.join("sizing.json"), "{}").unwrap();
    fs::write(out.join(".blendsim-AbC123.tmp"), "half a sweep").unwrap();
    publish_pack(&out, "new");
    assert_eq!(
        names(&out),
        [
            "SHA256SUMS",
            "run.json",
            "sizing.csv",
            "sizing.json",
            "summary.csv"
        ]
    );
    assert_eq!(
        fs::read_to_string(out.join("sizing.csv")).unwrap(),
        "sizing"
    );
    assert!(verify_pack(&out).unwrap().is_empty());
}

#[test]
fn an_update_keeps_the_folder_adds_files_and_never_touches_the_previous_version() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    fs::create_dir_all(out.join("base")).unwrap();
    write_pack(&out.join("base"), "run");
    fs::write(out.join("sizing.csv"), "old sizing").unwrap();
    fs::write(out.join(".blendsim-AbC123.tmp"), "half a sweep").unwrap();
    let staging = Staging::begin_update(&out).unwrap();
    // The copy holds everything but the leftover temporary.
    assert_eq!(names(staging.folder()), ["base", "sizing.csv"]);
    assert_eq!(
        names(&staging.folder().join("base")),
        ["run.json", "summary.csv"]
    );
    // Files are replaced by renaming (as every writer does), so the
    // previous version's file, a hard link to the same content, stays.
    crate::report::write_atomically(&staging.folder().join("sizing.csv"), |w| {
        w.write_all(b"new sizing")
    })
    .unwrap();
    assert_eq!(
        fs::read_to_string(out.join("sizing.csv")).unwrap(),
        "old sizing"
    );
    fs::write(staging.folder().join("sizing.json"), "{}").unwrap();
    staging.publish().unwrap();
    assert_eq!(
        names(&out),
        ["SHA256SUMS", "base", "sizing.csv", "sizing.json"]
    );
    assert_eq!(
        fs::read_to_string(out.join("sizing.csv")).unwrap(),
        "new sizing"
    );
    assert_eq!(
        fs::read_to_string(out.join("base/summary.csv")).unwrap(),
        "run"
    );
    assert!(verify_pack(&out).unwrap().is_empty());
    assert_eq!(names(parent.path()), ["out"]);
}

#[test]
fn an_abandoned_update_leaves_the_folder_as_it_was() {
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    publish_pack(&out, "run");
    let before = fs::read_to_string(out.join(CHECKSUMS)).unwrap();
    let staging = Staging::begin_update(&out).unwrap();
    fs::write(staging.folder().join("sweep.csv"), "half").unwrap();
    drop(staging);
    assert_eq!(names(&out), ["SHA256SUMS", "run.json", "summary.csv"]);
    assert_eq!(fs::read_to_string(out.join(CHECKSUMS)).unwrap(), before);
    assert_eq!(names(parent.path()), ["out"]);
}

#[test]
fn folders_blendsim_published_are_recognised_by_their_checksums() {
    let parent = tempfile::tempdir().unwrap();
    // A batch: facility folders (each a pack of scenario folders) and a
    // summary, with the batch's SHA256SUMS at the top.
    let batch = parent.path().join("batch");
    fs::create_dir_all(batch.join("alpha/base")).unwrap();
    write_pack(&batch.join("alpha/base"), "alpha");
    fs::write(batch.join("summary.csv"), "rows").unwrap();
    write_checksums(&batch).unwrap();
    publish_pack(&batch, "a run replacing the batch");
    assert_eq!(names(&batch), ["SHA256SUMS", "run.json", "summary.csv"]);
    // A checksum list of another shape does not make a folder a pack.
    let other = parent.path().join("other");
    fs::create_dir(&other).unwrap();
    fs::write(other.join(CHECKSUMS), "not a checksum line\n").unwrap();
    fs::write(other.join("notes.txt"), "mine").unwrap();
    assert!(matches!(
        Staging::begin(&other),
        Err(PublishError::NotAPack { .. })
    ));
    assert!(matches!(
        Staging::begin_update(&other),
        Err(PublishError::NotAPack { .. })
    ));
}
