//! The sizing search: a curve over the range, then a safeguarded secant
//! search on the sample for the smallest size meeting the target (and the
//! smallest whose 95% bound meets it), screened candidates first where
//! that is cheaper, confirmed in full.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::bracket::{MAX_STEPS, Refinement, gap};
use super::cache::{Candidates, Full};
use super::error::SizingError;
use super::evaluate::{Evaluated, Mode, evaluate, point};
use super::problem::{Case, Problem};
use super::request::{SizingPoint, SizingRequest, SizingResult, check_request, search_range};
use super::sample::PoolSample;
use super::screen::Screener;
use super::structure::Structure;
use crate::engine::RunSettings;
use crate::model::Model;
use crate::spec::{FacilitySpec, ScenarioSpec};

/// How many times screened searches are confirmed in full before they go
/// on in full (see [`Search::screen`]).
const CONFIRMATIONS: usize = 2;

/// Solves `request` for `spec`: the target must hold in the base case and
/// in each of `scenarios` (a size that fails the base case is never the
/// answer, even when every scenario listed is milder).
pub fn size(
    spec: &FacilitySpec,
    scenarios: &[ScenarioSpec],
    settings: RunSettings,
    request: &SizingRequest,
) -> Result<SizingResult, SizingError> {
    let structure = match &request.hold {
        Some(hold) if request.absorb.is_none() => Structure::holding(spec, &request.solve, hold)?,
        Some(_) => return Err(SizingError::AbsorbAndHold),
        None => Structure::new(spec, &request.solve, request.absorb.as_deref())?,
    };
    let rating = check_request(spec, request)?;
    let range = search_range(&structure, request)?;
    let cases = simulate_cases(spec, scenarios, settings)?;
    let mut search = Search {
        problem: Problem::new(structure, cases, request, rating),
        cache: Candidates::default(),
    };
    let grid: Vec<f64> = (0..request.grid)
        .map(|i| range.0 + (range.1 - range.0) * i as f64 / (request.grid - 1) as f64)
        .collect();
    let curve = search.points_in(&grid, Mode::Full)?;
    let target = &request.target;
    let (solution, confident) = search.solutions(&curve)?;
    let met: Vec<bool> = curve
        .iter()
        .map(|p| target.is_met(p.evaluation.value))
        .collect();
    let monotone = met.windows(2).all(|w| !w[0] || w[1]);
    let structure = &search.problem.structure;
    Ok(SizingResult {
        request: request.clone(),
        absorb: structure.absorb_name.clone(),
        total: structure.total,
        range,
        evaluations: search.cache.full_count(),
        screened: search.cache.screened_only_count(),
        curve: search.cache.curve(),
        solution,
        confident,
        monotone,
    })
}

/// The base case and each scenario listed (but the base case again),
/// compiled, with its pool paths simulated once.
fn simulate_cases(
    spec: &FacilitySpec,
    scenarios: &[ScenarioSpec],
    settings: RunSettings,
) -> Result<Vec<Case>, SizingError> {
    let base = ScenarioSpec::base();
    let listed = scenarios.iter().filter(|s| s.name != base.name).cloned();
    std::iter::once(base.clone())
        .chain(listed)
        .map(|scenario| {
            let model = Model::compile_scenario(spec, &scenario)?;
            let sample = PoolSample::simulate(&model.pool, settings.seed, settings.paths);
            Ok(Case {
                scenario,
                model,
                sample,
            })
        })
        .collect()
}

/// A candidate not yet evaluated as asked: its key, amount, share and
/// facility.
struct Fresh {
    key: i128,
    amount: Decimal,
    share: f64,
    spec: FacilitySpec,
}

/// A sizing search: the problem, and every candidate evaluated so far.
struct Search<'a> {
    problem: Problem<'a>,
    cache: Candidates,
}

impl Search<'_> {
    /// The candidates at each of `shares`, the new ones evaluated together
    /// as `mode` says (one pass over the paths per scenario).
    fn points_in(&mut self, shares: &[f64], mode: Mode) -> Result<Vec<SizingPoint>, SizingError> {
        let amounts: Vec<(Decimal, f64)> = shares
            .iter()
            .map(|&share| (self.problem.structure.amount(share), share))
            .collect();
        self.at_amounts(&amounts, mode)
    }

    fn screener(&self) -> Screener<'_> {
        Screener {
            problem: &self.problem,
            cache: &self.cache,
        }
    }

    /// The candidates at each of `amounts` (with their shares), the new
    /// ones evaluated together as `mode` says; a candidate evaluated in full
    /// is never screened again.
    fn at_amounts(
        &mut self,
        amounts: &[(Decimal, f64)],
        mode: Mode,
    ) -> Result<Vec<SizingPoint>, SizingError> {
        let keyed: Vec<(i128, Decimal, f64)> = amounts
            .iter()
            .map(|&(amount, share)| (self.problem.key(amount), amount, share))
            .collect();
        let fresh = self.fresh(&keyed, mode)?;
        if !fresh.is_empty() {
            let specs: Vec<&FacilitySpec> = fresh.iter().map(|f| &f.spec).collect();
            let keys: Vec<i128> = fresh.iter().map(|f| f.key).collect();
            let evaluated = evaluate(&self.problem, &self.cache, &specs, &keys, mode)?;
            for (fresh, evaluated) in fresh.into_iter().zip(evaluated) {
                self.record(fresh, evaluated);
            }
        }
        Ok(keyed
            .iter()
            .map(|&(key, ..)| {
                let record = self.cache.get(key).expect("evaluated above");
                match (&record.full, &record.screened) {
                    (Some(full), _) => full.point.clone(),
                    (None, screened) => {
                        let screened = screened.as_deref().unwrap_or_default();
                        point(&self.problem, &self.cache, key, record, screened)
                    }
                }
            })
            .collect())
    }

    /// Records a new candidate's evaluation: screened, or in full with its
    /// point on the curve.
    fn record(&mut self, fresh: Fresh, evaluated: Evaluated) {
        let (key, amount, share) = (fresh.key, fresh.amount, fresh.share);
        let record = self.cache.insert(key, amount, share);
        if let Some(wals) = evaluated.wals {
            record.wals = Some(wals);
        }
        if !evaluated.full {
            record.screened = Some(evaluated.by_scenario);
            return;
        }
        if let Some(paths) = evaluated.paths {
            record.paths = Some(paths);
        }
        let record = self.cache.get(key).expect("inserted above");
        let point = point(
            &self.problem,
            &self.cache,
            key,
            record,
            &evaluated.by_scenario,
        );
        self.cache.insert(key, amount, share).full = Some(Full {
            point,
            by_scenario: evaluated.by_scenario,
        });
    }

    /// The candidates of `keyed` not yet evaluated as `mode` asks, each
    /// once, with its facility.
    fn fresh(&self, keyed: &[(i128, Decimal, f64)], mode: Mode) -> Result<Vec<Fresh>, SizingError> {
        let structure = &self.problem.structure;
        let mut fresh: Vec<Fresh> = Vec::new();
        for &(key, amount, share) in keyed {
            let known = match mode {
                Mode::Full => self.cache.is_full(key),
                Mode::Screen => self.cache.is_known(key),
            };
            if known || fresh.iter().any(|f| f.key == key) {
                continue;
            }
            let spec = structure
                .with_amount(amount)
                .ok_or_else(|| SizingError::LeavesNothing {
                    varied: self.problem.request.solve.clone(),
                    amount,
                    absorb: structure.absorb_name.clone(),
                })?;
            let share = structure.share_of(amount).to_f64().unwrap_or(share);
            fresh.push(Fresh {
                key,
                amount,
                share,
                spec,
            });
        }
        Ok(fresh)
    }

    /// The smallest size meeting the target on the sample and the smallest
    /// whose 95% confidence bound meets it, refined together (each round
    /// evaluates both searches' next guesses in one pass over the paths).
    ///
    /// Targets whose waterfalls cannot stop before the first period on most
    /// paths first search on screened candidates, cheaper than in full, and
    /// confirm the answers in full ([`Self::screen`]):
    /// - an implied rating compares P(loss) with its benchmark at the
    ///   tranche's mean WAL, and the WAL needs every waterfall run until the
    ///   tranche is repaid, where P(loss) alone is settled once it is
    ///   certain to be repaid (on most paths before the first period); a
    ///   screened candidate has P(loss) exact and the benchmark at a WAL
    ///   interpolated between the candidates evaluated in full or, near
    ///   the benchmark, measured on every tenth path alone;
    /// - an IRR target's metric is an order statistic; a screened
    ///   candidate runs only the paths that the candidates evaluated in
    ///   full on either side do not both place on one side of the band of
    ///   rates expected to hold it ([`Screener::screen_irrs`]);
    /// - a loss of a tranche whose waterfalls cannot stop before the first
    ///   period (a deferrable tranche's): a screened candidate runs only the
    ///   paths whose loss differs between the candidates evaluated in full
    ///   on either side ([`Screener::screen_loss`]).
    fn solutions(
        &mut self,
        curve: &[SizingPoint],
    ) -> Result<(Option<SizingPoint>, Option<SizingPoint>), SizingError> {
        let target = self.problem.target().clone();
        let mut searches = [false, true].map(|bound| Refinement::start(&target, curve, bound));
        if self.problem.screens() {
            self.screen(&mut searches)?;
        }
        self.refine(&mut searches, Mode::Full)?;
        let [value, bound] = searches.map(Refinement::solution);
        Ok((value, bound))
    }

    /// The searches on screened candidates, confirmed in full (see
    /// [`Self::solutions`]): both ends of each search's bracket are
    /// evaluated in full, and where the lower misses the target and the
    /// upper meets it the answer stands, exact (a quantile target's lower
    /// end may instead be proven to miss, [`Screener::proven_miss`]). A search
    /// still unconfirmed after [`CONFIRMATIONS`] starts again from the
    /// candidates evaluated in full only, and goes on in full.
    fn screen(&mut self, searches: &mut [Refinement; 2]) -> Result<(), SizingError> {
        self.refine(searches, Mode::Screen)?;
        for attempt in 1..=CONFIRMATIONS {
            if self.confirm(searches)? {
                break;
            }
            if attempt == CONFIRMATIONS {
                self.restart(searches, Mode::Full);
            } else {
                self.restart(searches, Mode::Screen);
                self.refine(searches, Mode::Screen)?;
            }
        }
        Ok(())
    }

    /// Starts every open search again from the candidates evaluated in
    /// full and, with `Mode::Screen`, the screened ones with their
    /// benchmarks re-placed.
    fn restart(&self, searches: &mut [Refinement; 2], mode: Mode) {
        let target = self.problem.target();
        let points: Vec<SizingPoint> = self
            .cache
            .iter()
            .filter_map(|(key, record)| match (&record.full, &record.screened) {
                (Some(full), _) => Some(full.point.clone()),
                (None, Some(screened)) if mode == Mode::Screen => {
                    Some(point(&self.problem, &self.cache, key, record, screened))
                }
                (None, _) => None,
            })
            .collect();
        for search in searches.iter_mut() {
            if let Some(bound) = search.bound() {
                *search = Refinement::start(target, &points, bound);
            }
        }
    }

    /// Narrows both searches until their brackets close, evaluating their
    /// guesses as `mode` says.
    fn refine(&mut self, searches: &mut [Refinement; 2], mode: Mode) -> Result<(), SizingError> {
        let target = self.problem.target().clone();
        for _ in 0..MAX_STEPS {
            let guesses: Vec<(usize, f64)> = searches
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.guess().map(|g| (i, g)))
                .collect();
            if guesses.is_empty() {
                break;
            }
            let shares: Vec<f64> = guesses.iter().map(|&(_, g)| g).collect();
            if mode == Mode::Screen {
                let brackets: Vec<(i128, i128)> = searches
                    .iter()
                    .filter_map(Refinement::ends)
                    .map(|(low, high)| {
                        (self.problem.key(low.amount), self.problem.key(high.amount))
                    })
                    .collect();
                self.cache.keep_paths_near(&brackets);
            }
            let points = self.points_in(&shares, mode)?;
            // Each search narrows with its own guess first, then with the
            // other's point when that falls inside its bracket (every point
            // carries both the estimate and its bound).
            for (i, search) in searches.iter_mut().enumerate() {
                let mut round: Vec<(bool, &SizingPoint)> = guesses
                    .iter()
                    .zip(&points)
                    .map(|((owner, _), point)| (*owner == i, point))
                    .collect();
                round.sort_by_key(|&(own, _)| !own);
                for (own, point) in round {
                    search.update(&target, point.clone(), own);
                }
            }
        }
        Ok(())
    }

    /// Evaluates in full both ends of each open search's bracket (in one
    /// pass), but a lower end proven to miss without ([`Screener::proven_miss`]);
    /// a search whose ends confirm its bracket (the lower misses the
    /// target, the upper meets it) is solved, exact. Whether every search
    /// is now solved.
    fn confirm(&mut self, searches: &mut [Refinement; 2]) -> Result<bool, SizingError> {
        // Per open search: its bound flag, its lower end, whether that is
        // proven to miss without a full evaluation, and its upper end.
        let mut open = Vec::new();
        for search in searches.iter() {
            if let (Some(bound), Some((low, high))) = (search.bound(), search.ends()) {
                let low = (low.amount, low.share);
                let proven = self
                    .screener()
                    .proven_miss(self.problem.key(low.0), bound)?;
                open.push((bound, low, proven, (high.amount, high.share)));
            }
        }
        let ends: Vec<(Decimal, f64)> = open
            .iter()
            .flat_map(|&(_, low, proven, high)| (!proven).then_some(low).into_iter().chain([high]))
            .collect();
        let full = self.at_amounts(&ends, Mode::Full)?;
        let target = self.problem.target();
        let mut full = full.into_iter();
        let mut confirmed = true;
        let mut open = open.into_iter();
        for search in searches.iter_mut().filter(|s| s.bound().is_some()) {
            let (bound, _, proven, _) = open.next().expect("one entry per open search");
            let low_misses = proven
                || full
                    .next()
                    .is_some_and(|low| gap(target, &low, bound) > 0.0);
            let high = full.next().expect("an upper end per open search");
            if low_misses && gap(target, &high, bound) <= 0.0 {
                *search = Refinement::Found(high);
            } else {
                confirmed = false;
            }
        }
        Ok(confirmed)
    }
}
