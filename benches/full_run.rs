//! Full run on the flagship example: load, compile, simulate pool paths,
//! waterfall, per-path outcomes, summary; the whole pipeline with the
//! committee pack written; sizings and a sweep on the same paths; the
//! run split into shards and merged; importance sampling against plain.
//! Reported in docs/performance.md.

use std::path::PathBuf;

use blendsim::aggregate::summarise;
use blendsim::engine::{RunSettings, simulate_outcomes, with_threads};
use blendsim::importance::with_importance;
use blendsim::model::Model;
use blendsim::pipeline::{self, RunRequest, Silent};
use blendsim::shard::{Shard, in_path_order, read_part};
use blendsim::sizing::{Axis, SizingRequest, parse_tranche_metric, size, sweep};
use blendsim::spec::{LoadOptions, Sampling, load_facility};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};

const FLAGSHIP: &str = "portfolios/us-rok-critical-minerals/facility.toml";

/// The facility benched: the flagship, or the file `BLENDSIM_BENCH_FACILITY`
/// names (to time two builds on the same input when the flagship itself
/// changed between them; docs/performance.md). Relative paths are read
/// from the repository root: cargo runs a bench in its package's folder,
/// benches/, not where `cargo bench` was typed.
fn facility() -> PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    root.join(
        std::env::var_os("BLENDSIM_BENCH_FACILITY").map_or_else(|| FLAGSHIP.into(), PathBuf::from),
    )
}

const PATHS: u64 = 20_000;

/// The paths and seed of the 20,000-path groups.
const SETTINGS: RunSettings = RunSettings {
    paths: PATHS,
    seed: 1,
};

/// A group of `PATHS`-path benchmarks, 10 samples each.
fn paths_group<'c>(c: &'c mut Criterion, name: &str) -> BenchmarkGroup<'c, WallTime> {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(PATHS));
    group.sample_size(10);
    group
}

fn full_run(c: &mut Criterion) {
    let loaded = load_facility(
        &facility(),
        &LoadOptions {
            allow_breaches: false,
        },
    )
    .expect("flagship loads");
    let model = Model::compile(&loaded.spec).expect("flagship compiles");
    let settings = SETTINGS;
    let mut group = paths_group(c, "flagship");
    for threads in [1, 2] {
        group.bench_function(format!("run_{PATHS}_paths_{threads}_threads"), |b| {
            b.iter(|| {
                with_threads(Some(threads), || {
                    summarise(&model, &simulate_outcomes(&model, &settings, &|_| {}))
                })
                .expect("thread pool")
            })
        });
    }
    // The whole pipeline as `blendsim run` runs it: the simulation above,
    // then the committee pack's statistics and every file written.
    let out = tempfile::tempdir().expect("a temporary folder");
    let mut request = RunRequest::new(loaded.clone(), settings, 2, out.path().to_owned());
    // As before the tornado: its cost is measured in `pack_cost`.
    request.tornado_paths = Some(0);
    group.bench_function(format!("pack_{PATHS}_paths_2_threads"), |b| {
        b.iter(|| pipeline::run(&request, &Silent).expect("the flagship runs"))
    });
    // Sizing the first-loss tranche on the same paths, against a senior
    // target (where most waterfalls stop at once), a mezzanine target
    // (deferrable, so every waterfall runs until it is repaid), an implied
    // rating (the senior's waterfall runs until it is repaid, for its
    // average life) and an IRR target (every cash flow, then IRRs):
    // compare with run_..._2_threads (docs/performance.md).
    for (name, target) in [
        ("senior_el", "senior.expected_loss <= 0.0001"),
        ("mezzanine_el", "mezzanine.expected_loss <= 0.05"),
        ("senior_a2", "senior.implied_rating >= A2"),
        ("first_loss_irr", "first_loss.irr_p05 >= -0.05"),
    ] {
        let request = SizingRequest {
            target: target.parse().expect("target"),
            solve: "first_loss".into(),
            absorb: Some("senior".into()),
            hold: None,
            range: Some((0.0, 0.4)),
            grid: 5,
        };
        group.bench_function(format!("size_{name}_{PATHS}_paths_2_threads"), |b| {
            b.iter(|| {
                with_threads(Some(2), || size(&loaded.spec, &[], settings, &request))
                    .expect("thread pool")
            })
        });
    }
    // A sweep of the first-loss share against the global correlation: one
    // pool sample per correlation, each share's waterfall run on it.
    let axes: Vec<Axis> = [
        "first_loss.share=0.05:0.25:0.05",
        "correlation.global=0.1,0.2,0.3",
    ]
    .iter()
    .map(|a| a.parse().expect("axis"))
    .collect();
    let metrics: Vec<_> = ["senior", "mezzanine", "first_loss"]
        .iter()
        .map(|t| parse_tranche_metric(&format!("{t}.expected_loss")).expect("metric"))
        .collect();
    group.bench_function(format!("sweep_15_points_{PATHS}_paths_2_threads"), |b| {
        b.iter(|| {
            with_threads(Some(2), || {
                sweep(&loaded.spec, &axes, Some("senior"), &metrics, settings)
            })
            .expect("thread pool")
        })
    });
    group.bench_function("load_and_compile", |b| {
        b.iter(|| {
            let loaded = load_facility(
                &facility(),
                &LoadOptions {
                    allow_breaches: false,
                },
            )
            .unwrap();
            Model::compile(&loaded.spec).unwrap()
        })
    });
    group.finish();
}

/// Paths of the flagship run the pack's cost is measured against (issue 18:
/// the pack's extra cost stays under 10% of a 100,000-path run).
const PACK_PATHS: u64 = 100_000;

/// What the committee pack costs on top of a 100,000-path flagship run:
/// the run itself (simulation, outcomes, the tranche summary the terminal
/// prints), the same run with the pack (statistics, every CSV, chart,
/// report.html and pack.xlsx, published into a folder) but no tornado,
/// and with the tornado's eight extra runs at their default paths (a
/// thirty-second of the run's each, at most 10,000).
fn pack_cost(c: &mut Criterion) {
    let loaded = load_facility(&facility(), &LoadOptions::default()).expect("flagship");
    let model = Model::compile(&loaded.spec).expect("flagship compiles");
    let settings = RunSettings {
        paths: PACK_PATHS,
        seed: 1,
    };
    let mut group = c.benchmark_group("pack_cost");
    group.sample_size(10);
    group.bench_function(format!("run_{PACK_PATHS}_paths_2_threads"), |b| {
        b.iter(|| {
            with_threads(Some(2), || {
                summarise(&model, &simulate_outcomes(&model, &settings, &|_| {}))
            })
            .expect("thread pool")
        })
    });
    let out = tempfile::tempdir().expect("a temporary folder");
    let mut request = RunRequest::new(loaded, settings, 2, out.path().join("pack"));
    request.tornado_paths = Some(0);
    group.bench_function(format!("pack_{PACK_PATHS}_paths_2_threads"), |b| {
        b.iter(|| pipeline::run(&request, &Silent).expect("the flagship runs"))
    });
    request.tornado_paths = None;
    group.bench_function(
        format!("pack_with_tornado_{PACK_PATHS}_paths_2_threads"),
        |b| b.iter(|| pipeline::run(&request, &Silent).expect("the flagship runs")),
    );
    group.finish();
}

/// Shards of the flagship run (docs/scale-out.md) measured against the
/// single run on this machine: the single run's pack (no tornado, which
/// the merge runs as the single run does) against four shards run one
/// after the other, each writing its part file, then the merge reading
/// and checking them and writing the same pack. The difference is what
/// sharding adds: part files, and each shard's setup.
fn sharded(c: &mut Criterion) {
    let options = LoadOptions::default();
    let loaded = load_facility(&facility(), &options).expect("flagship");
    let settings = RunSettings {
        paths: PATHS,
        seed: 1,
    };
    let out = tempfile::tempdir().expect("a temporary folder");
    let mut request = RunRequest::new(loaded, settings, 2, out.path().join("single"));
    request.tornado_paths = Some(0);
    let mut group = c.benchmark_group("sharded");
    group.throughput(Throughput::Elements(PATHS));
    group.sample_size(10);
    group.bench_function(format!("single_{PATHS}_paths_2_threads"), |b| {
        b.iter(|| pipeline::run(&request, &Silent).expect("the flagship runs"))
    });
    let identity = pipeline::identity_of(&request, &facility(), &options);
    let (parts, merged) = (out.path().join("parts"), out.path().join("merged"));
    let sharded_request = RunRequest {
        out: parts,
        ..request.clone()
    };
    let merge_request = RunRequest {
        out: merged,
        ..request.clone()
    };
    group.bench_function(format!("4_shards_and_merge_{PATHS}_paths_2_threads"), |b| {
        b.iter(|| {
            let mut read = Vec::new();
            for index in 0..4 {
                let shard = Shard { index, count: 4 };
                let file = pipeline::run_shard(&sharded_request, identity.clone(), shard, &Silent)
                    .expect("a shard runs");
                read.push((file.clone(), read_part(&file).expect("its part reads")));
            }
            let parts = in_path_order(read).expect("the parts are one run");
            let parts = parts.into_iter().map(|(_, part)| part).collect();
            pipeline::merge(&merge_request, parts, &Silent).expect("the parts merge")
        })
    });
    group.finish();
}

/// Importance sampling against plain sampling on the same paths: the
/// simulation with the shift already chosen (each path's likelihood ratio,
/// the cash summed times fixed-point weights), then the whole pack as
/// `blendsim run --sampling importance` writes it, the shift's search
/// (pilot rounds of 5,000 paths) and every weighted file included, no
/// tornado on either side (docs/performance.md).
fn importance(c: &mut Criterion) {
    let loaded = load_facility(&facility(), &LoadOptions::default()).expect("flagship");
    let model = Model::compile(&loaded.spec).expect("flagship compiles");
    let sampled = with_importance(&model, 1, None).expect("a shift");
    let settings = SETTINGS;
    let mut group = paths_group(c, "importance");
    for (name, model) in [("plain", &model), ("importance", &sampled)] {
        group.bench_function(format!("run_{name}_{PATHS}_paths_2_threads"), |b| {
            b.iter(|| {
                with_threads(Some(2), || {
                    summarise(model, &simulate_outcomes(model, &settings, &|_| {}))
                })
                .expect("thread pool")
            })
        });
    }
    let out = tempfile::tempdir().expect("a temporary folder");
    for (name, sampling) in [
        ("plain", Sampling::Plain),
        ("importance", Sampling::Importance),
    ] {
        let mut request = RunRequest::new(loaded.clone(), settings, 2, out.path().join(name));
        request.tornado_paths = Some(0);
        request.sampling = (sampling, None);
        group.bench_function(format!("pack_{name}_{PATHS}_paths_2_threads"), |b| {
            b.iter(|| pipeline::run(&request, &Silent).expect("the flagship runs"))
        });
    }
    group.finish();
}

criterion_group!(benches, full_run, pack_cost, sharded, importance);
criterion_main!(benches);
