//! The tornado's extra runs: the facility again with one input shifted at
//! a time (default probabilities, recovery means, correlation shares, loan
//! coupons; each down and up), on the run's seed and first paths (common
//! random numbers), compared with the run itself path by path.

use std::time::Instant;

use crate::aggregate::{Direction, Outcomes, Tornado, compare_shift, tornado_metrics};
use crate::engine::{RunSettings, simulate_outcomes_without_irr, with_threads};
use crate::model::Model;
use crate::spec::{CorrelationShares, FacilitySpec, Overlay, ScenarioSpec, Selector};

use super::{DEFAULT_TORNADO_PATHS, Progress, RunError, RunRequest, TORNADO_SHARE_DIVISOR};

/// One shift of one input.
pub struct Shift {
    /// The input (`default_probabilities`), as tornado.csv names it.
    pub input: &'static str,
    /// The shift as a person reads it.
    pub label: &'static str,
    /// Which way the input moves.
    pub direction: Direction,
    /// Applies the shift to the facility and the scenario run.
    apply: fn(&mut FacilitySpec, &mut ScenarioSpec),
}

/// The shifts, down then up for each input. The sizes are conventional
/// round stresses (a quarter more or a fifth less default probability and
/// correlation, ten points of recovery, one point of loan coupon), not
/// calibrated ranges: the tornado ranks the inputs, the scenarios stress
/// them (docs/outputs.md, tornado.csv).
pub const SHIFTS: [Shift; 8] = [
    shift("default_probabilities", "x0.8", Direction::Down, |_, s| {
        scale_pd(s, 0.8)
    }),
    shift("default_probabilities", "x1.25", Direction::Up, |_, s| {
        scale_pd(s, 1.25)
    }),
    shift(
        "recovery_means",
        "down 10 points",
        Direction::Down,
        |f, _| shift_recoveries(f, -0.10),
    ),
    shift("recovery_means", "up 10 points", Direction::Up, |f, _| {
        shift_recoveries(f, 0.10)
    }),
    shift("correlation_shares", "x0.8", Direction::Down, |f, s| {
        scale_correlation(f, s, 0.8)
    }),
    shift("correlation_shares", "x1.25", Direction::Up, |f, s| {
        scale_correlation(f, s, 1.25)
    }),
    shift("loan_coupons", "down 100 bp", Direction::Down, |f, _| {
        shift_coupons(f, -0.01)
    }),
    shift("loan_coupons", "up 100 bp", Direction::Up, |f, _| {
        shift_coupons(f, 0.01)
    }),
];

const fn shift(
    input: &'static str,
    label: &'static str,
    direction: Direction,
    apply: fn(&mut FacilitySpec, &mut ScenarioSpec),
) -> Shift {
    Shift {
        input,
        label,
        direction,
        apply,
    }
}

/// Every project's default hazard times `factor` (an overlay on top of the
/// scenario's own).
fn scale_pd(scenario: &mut ScenarioSpec, factor: f64) {
    scenario.pd_multipliers.push(Overlay {
        selector: Selector::default(),
        value: factor,
    });
}

/// Every project's recovery mean moved by `points`, kept where its Beta law
/// exists (see [`shifted_mean`]).
fn shift_recoveries(spec: &mut FacilitySpec, points: f64) {
    for project in &mut spec.projects {
        project.recovery_mean = shifted_mean(project.recovery_mean, project.recovery_sd, points);
    }
}

/// `mean + points` within [0, 1] and, for a random recovery, inside the
/// means a Beta law of standard deviation `sd` can have (sd^2 < m (1 - m),
/// with a margin): a mean of 0.85 with an sd of 0.4 cannot move up.
pub fn shifted_mean(mean: f64, sd: f64, points: f64) -> f64 {
    let moved = (mean + points).clamp(0.0, 1.0);
    if sd == 0.0 {
        return moved;
    }
    let variance = sd * sd * 1.001;
    if variance >= 0.25 {
        return mean;
    }
    let half = (0.25 - variance).sqrt();
    // Never past the original mean: a clamp must not reverse the shift.
    let (low, high) = ((0.5 - half).min(mean), (0.5 + half).max(mean));
    moved.clamp(low, high)
}

/// Every correlation share (the facility's, each mineral's, the scenario's)
/// times `factor`, kept below a total of 0.99.
fn scale_correlation(spec: &mut FacilitySpec, scenario: &mut ScenarioSpec, factor: f64) {
    let risk = &mut spec.risk;
    let by_mineral = risk.correlation_by_mineral.iter_mut().map(|(_, s)| s);
    let shares = std::iter::once(&mut risk.correlation)
        .chain(by_mineral)
        .chain(scenario.correlation.as_mut());
    for shares in shares {
        scale_shares(shares, factor);
    }
}

fn scale_shares(shares: &mut CorrelationShares, factor: f64) {
    let total = shares.total();
    let factor = if total > 0.0 {
        factor.min(0.99 / total)
    } else {
        factor
    };
    shares.global *= factor;
    shares.mineral *= factor;
    shares.country *= factor;
    shares.region *= factor;
}

/// Every loan's coupon moved by `points` (not below zero).
fn shift_coupons(spec: &mut FacilitySpec, points: f64) {
    for project in &mut spec.projects {
        project.coupon = (project.coupon + points).max(0.0);
    }
}

/// Paths of each shifted run when the request does not say, for a run of
/// `run_paths` paths: the shifts together have at most a quarter of the
/// run's paths (each a thirty-second with the eight shifts; one at least),
/// and each at most [`DEFAULT_TORNADO_PATHS`]. A tornado on a run's first
/// paths costs what a run of as many paths costs, so it adds at most about
/// a quarter to the run's time, whatever the run's size; `--tornado-paths`
/// buys precision beyond that (the changes' standard errors shrink as one
/// over the square root of the paths).
pub fn default_tornado_paths(run_paths: u64) -> u64 {
    let share = run_paths / (TORNADO_SHARE_DIVISOR * SHIFTS.len() as u64);
    share.clamp(1, DEFAULT_TORNADO_PATHS).min(run_paths)
}

/// Runs every shift of [`SHIFTS`] on the first `request.tornado_paths`
/// paths of the run (at most all of them; by default
/// [`default_tornado_paths`]) and compares each with the run's
/// `outcomes` of `model` (the scenario `scenario` of the request's
/// facility); `None` when the request asks for no tornado.
pub(super) fn run_tornado(
    request: &RunRequest,
    scenario: &ScenarioSpec,
    model: &Model,
    outcomes: &Outcomes,
    progress: &dyn Progress,
) -> Result<Option<Tornado>, RunError> {
    // The run's own count: with precision targets, where it stopped.
    let run_paths = outcomes.pool_loss.len() as u64;
    let paths = (request.tornado_paths)
        .unwrap_or_else(|| default_tornado_paths(run_paths))
        .min(run_paths);
    if paths == 0 {
        return Ok(None);
    }
    // The run's outcomes stay in memory while each shift's are computed.
    let both = run_paths.saturating_add(paths);
    crate::limits::check_memory(model, both, crate::limits::available_memory())?;
    let started = Instant::now();
    let unit = 10f64.powi(-(model.currency.minor_digits as i32));
    let base = tornado_metrics(model, outcomes, paths as usize, unit);
    let settings = RunSettings {
        paths,
        seed: request.settings.seed,
    };
    progress.start("sensitivities", paths * SHIFTS.len() as u64);
    let (mut rows, mut skipped) = (Vec::new(), Vec::new());
    for (i, shift) in SHIFTS.iter().enumerate() {
        let mut spec = request.loaded.spec.clone();
        let mut shifted = scenario.clone();
        (shift.apply)(&mut spec, &mut shifted);
        // A facility at the edge of the accepted inputs (a coupon near its
        // bound, balances near 2^53 minor units) may leave them when
        // shifted: that shift is left out, and the report says why.
        let compiled = match spec.validate() {
            Ok(()) => Model::compile_scenario(&spec, &shifted).map_err(|e| e.to_string()),
            Err(diagnostics) => Err(diagnostics
                .first()
                .map_or_else(String::new, ToString::to_string)),
        };
        let model = match compiled {
            Ok(model) => model,
            Err(why) => {
                skipped.push(format!("{} {}: {why}", shift.input, shift.label));
                continue;
            }
        };
        let done = paths * i as u64;
        let outcomes = with_threads(Some(request.threads), || {
            // The comparison reads losses and present values only.
            simulate_outcomes_without_irr(&model, &settings, &|n| progress.advance(done + n))
        })
        .map_err(RunError::Threads)?;
        let metrics = tornado_metrics(&model, &outcomes, paths as usize, unit);
        rows.extend(compare_shift(
            shift.input,
            shift.label,
            shift.direction,
            &base,
            &metrics,
        ));
    }
    progress.finish();
    Ok(Some(Tornado {
        paths,
        run_paths,
        seconds: started.elapsed().as_secs_f64(),
        rows,
        skipped,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_means_move_within_their_beta_law() {
        assert!((shifted_mean(0.729, 0.22, 0.10) - 0.829).abs() < 1e-12);
        assert!((shifted_mean(0.729, 0.22, -0.10) - 0.629).abs() < 1e-12);
        // sd 0.4: means in (0.2, 0.8) only; 0.75 moves up to just below 0.8.
        let up = shifted_mean(0.75, 0.4, 0.10);
        assert!(up > 0.75 && up < 0.8, "{up}");
        assert!(0.4 * 0.4 < up * (1.0 - up));
        // Fixed recoveries move freely within [0, 1].
        assert_eq!(shifted_mean(0.95, 0.0, 0.10), 1.0);
        assert_eq!(shifted_mean(0.05, 0.0, -0.10), 0.0);
    }

    #[test]
    fn by_default_the_shifts_have_a_quarter_of_the_run_at_most() {
        assert_eq!(default_tornado_paths(100_000), 3_125);
        assert_eq!(default_tornado_paths(20_000), 625);
        assert_eq!(default_tornado_paths(10_000), 312);
        // Capped: a run of a million paths gets 8 x 10,000.
        assert_eq!(default_tornado_paths(1_000_000), 10_000);
        // One path each at the least, never more than the run.
        assert_eq!(default_tornado_paths(10), 1);
        assert_eq!(default_tornado_paths(0), 0);
        for run in [32, 1_000, 12_345, 100_000, 320_000, 5_000_000] {
            let total = default_tornado_paths(run) * SHIFTS.len() as u64;
            assert!(4 * total <= run, "{run}: {total}");
        }
    }

    #[test]
    fn correlation_shares_stay_below_one() {
        let shares = |global, mineral, country| CorrelationShares {
            global,
            mineral,
            country,
            region: 0.0,
        };
        let mut large = shares(0.5, 0.3, 0.1);
        scale_shares(&mut large, 1.25);
        assert!((large.total() - 0.99).abs() < 1e-12, "{large:?}");
        let mut small = shares(0.12, 0.09, 0.03);
        scale_shares(&mut small, 1.25);
        assert!((small.total() - 0.30).abs() < 1e-12);
    }
}
