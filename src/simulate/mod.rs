//! Simulate stage: one pool path per random stream.
//!
//! A path draws the factors, decides which loans default and when, draws
//! their recoveries, and turns the performing schedule of the whole pool
//! into that path's collections by subtracting what each defaulted loan no
//! longer pays. Cost per path: O(factors + loans + defaults x periods).
//! The pool knows nothing of the liabilities, so the same paths can be run
//! through any number of candidate structures.

mod acquisitions;
mod path;
mod rng;

pub use path::{AcquisitionEvent, DefaultEvent, NexusPath, PoolPath};
pub use rng::path_rng;

use rand::RngExt;
use rand_distr::{ChiSquared, StandardNormal};

use crate::model::{
    FactorLoadings, FactorShift, LatentLaw, LoanModel, PoolModel, standard_normal_cdf,
};
use crate::money::Money;

/// Reusable per-thread buffers for factor draws.
#[derive(Debug, Clone, Default)]
pub struct FactorDraws {
    global: f64,
    minerals: Vec<f64>,
    countries: Vec<f64>,
    regions: Vec<f64>,
    /// `1 / sqrt(W / dof)` for the Student t copula, 1 for the Gaussian.
    scale: f64,
    /// Log likelihood ratio of the path's factor draws under importance
    /// sampling (0 under plain sampling).
    log_weight: f64,
}

impl FactorDraws {
    /// The path's likelihood ratio: the density of its factor draws under
    /// the model over their density under the sampling law (1 under plain
    /// sampling).
    pub fn weight(&self) -> f64 {
        self.log_weight.exp()
    }

    /// The factor values drawn (after any shift), in draw order: global,
    /// minerals, countries, regions.
    pub fn point(&self) -> Vec<f64> {
        std::iter::once(self.global)
            .chain(self.minerals.iter().copied())
            .chain(self.countries.iter().copied())
            .chain(self.regions.iter().copied())
            .collect()
    }

    /// The t copula's chi-square variable W over its degrees of freedom,
    /// `1 / scale^2` (1 for the Gaussian copula).
    pub fn mixing_ratio(&self) -> f64 {
        1.0 / (self.scale * self.scale)
    }
}

fn refill_normals(rng: &mut impl RngExt, values: &mut Vec<f64>, count: usize) {
    values.clear();
    values.extend((0..count).map(|_| rng.sample::<f64, _>(StandardNormal)));
}

/// Simulates pool paths of one model.
#[derive(Debug, Clone, Copy)]
pub struct PoolSimulator<'m> {
    pool: &'m PoolModel,
    seed: u64,
    /// The chi-square law of the t copula's mixing variable.
    mixing: Option<ChiSquared<f64>>,
    dof: f64,
}

impl<'m> PoolSimulator<'m> {
    /// A simulator whose path `p` uses stream `p` of ChaCha8 keyed by `seed`.
    pub fn new(pool: &'m PoolModel, seed: u64) -> Self {
        let (mixing, dof) = match pool.latent {
            LatentLaw::StudentT { dof, .. } => (ChiSquared::new(dof).ok(), dof),
            LatentLaw::Gaussian => (None, 0.0),
        };
        PoolSimulator {
            pool,
            seed,
            mixing,
            dof,
        }
    }

    /// Whether paths are drawn by importance sampling (each then carries
    /// its likelihood ratio, [`FactorDraws::weight`]).
    pub fn is_importance(&self) -> bool {
        self.pool.importance.is_some()
    }

    /// An empty path with buffers sized for this pool.
    pub fn new_path(&self) -> PoolPath {
        PoolPath::for_schedule(&self.pool.performing)
    }

    /// Simulates path number `path` into `out` (buffers reused).
    ///
    /// Draw order, fixed so a path's numbers never depend on threads or on
    /// parameters: the global factor, one factor per mineral, one per
    /// country, one per region, the chi-square mixing variable (t copula
    /// only), one shock per loan (all loans, in list order), then one
    /// recovery shock per defaulted loan with a random recovery, in list
    /// order. Nexus events draw from their own part of the stream.
    pub fn simulate(&self, path: u64, draws: &mut FactorDraws, out: &mut PoolPath) {
        let mut rng = path_rng(self.seed, path);
        self.draw_factors(&mut rng, draws);
        out.reset(&self.pool.performing);
        self.find_defaults(&mut rng, draws, out);
        self.draw_recoveries(&mut rng, out);
        self.acquire(path, draws, out);
        self.apply_defaults(out);
        self.apply_remedies(out);
    }

    fn draw_factors(&self, rng: &mut impl RngExt, draws: &mut FactorDraws) {
        let names = &self.pool.factors;
        draws.global = rng.sample(StandardNormal);
        refill_normals(rng, &mut draws.minerals, names.minerals.len());
        refill_normals(rng, &mut draws.countries, names.countries.len());
        refill_normals(rng, &mut draws.regions, names.regions.len());
        if let Some(shift) = &self.pool.importance {
            draws.log_weight = shift_factors(shift, draws);
        }
        self.hold_fixed_factors(draws);
        draws.scale = match self.mixing {
            Some(chi_square) => {
                let mut w: f64 = rng.sample(chi_square);
                if let Some(shift) = &self.pool.importance {
                    // The same draw, divided by lambda: a smaller mixing
                    // variable, i.e. fatter tails, with its likelihood ratio.
                    draws.log_weight += shift.mixing_log_ratio(w, self.dof);
                    w /= shift.mixing_scale;
                }
                // W > 0 almost surely; a zero draw would mean an infinite
                // scale, so it is floored at the smallest positive float.
                (self.dof / w.max(f64::MIN_POSITIVE)).sqrt()
            }
            None => 1.0,
        };
    }

    /// Replaces the draws of factors a scenario holds fixed (after drawing
    /// them, so the rest of the path keeps its numbers).
    fn hold_fixed_factors(&self, draws: &mut FactorDraws) {
        let fixed = &self.pool.fixed_factors;
        if fixed.is_empty() {
            return;
        }
        if let Some(value) = fixed.global {
            draws.global = value;
        }
        for (list, values) in [
            (&fixed.minerals, &mut draws.minerals),
            (&fixed.countries, &mut draws.countries),
            (&fixed.regions, &mut draws.regions),
        ] {
            for &(index, value) in list {
                values[index] = value;
            }
        }
    }

    fn find_defaults(&self, rng: &mut impl RngExt, draws: &FactorDraws, out: &mut PoolPath) {
        for (index, loan) in self.pool.loans.iter().enumerate() {
            let shock: f64 = rng.sample(StandardNormal);
            let w = &loan.loadings;
            let systematic = systematic_part(loan, draws);
            let latent = (systematic + w.idiosyncratic * shock) * draws.scale;
            if let Some(period) = loan.default_period(latent) {
                out.defaults.push(DefaultEvent {
                    loan: index,
                    period,
                    systematic: normalised(w, systematic),
                    recovery_rate: 0.0,
                    exposure: loan.balance_start[period - loan.first_period],
                    recovery: Money::ZERO,
                    recovery_period: self.pool.recovery_period[period],
                });
            }
        }
    }

    /// Recovery `R = Q(Phi(a S + sqrt(1 - a^2) eta))`: with `a > 0`, recoveries
    /// are lower when the loan's systematic factor S is bad.
    fn draw_recoveries(&self, rng: &mut impl RngExt, out: &mut PoolPath) {
        for event in &mut out.defaults {
            let law = &self.pool.loans[event.loan].recovery;
            let eta = if law.is_random() {
                rng.sample(StandardNormal)
            } else {
                0.0
            };
            event.recovery_rate = self.recovery_rate(event.loan, event.systematic, eta);
            event.recovery = recovered_amount(event.exposure, event.recovery_rate);
        }
    }

    /// The recovery rate of loan `loan` whose normalised systematic factor
    /// is `systematic`, given its own shock `eta` (unused when the
    /// recovery is not random: the law's median).
    fn recovery_rate(&self, loan: usize, systematic: f64, eta: f64) -> f64 {
        let law = &self.pool.loans[loan].recovery;
        if !law.is_random() {
            return law.quantile(0.5);
        }
        let a = self.pool.recovery_systematic_weight;
        let b = (1.0 - a * a).max(0.0).sqrt();
        law.quantile(standard_normal_cdf(a * systematic + b * eta))
    }

    /// Loan `loan`'s systematic factor on the path, normalised to unit
    /// variance.
    fn normalised_systematic(&self, loan: usize, draws: &FactorDraws) -> f64 {
        let loan = &self.pool.loans[loan];
        normalised(&loan.loadings, systematic_part(loan, draws))
    }

    fn apply_defaults(&self, out: &mut PoolPath) {
        for index in 0..out.defaults.len() {
            let event = out.defaults[index];
            out.apply_default(&self.pool.loans[event.loan], &event);
        }
    }
}

/// Shifts the drawn factors by the importance-sampling means and returns
/// their log likelihood ratio `-mu'z - |mu|^2 / 2` (z the standard draws).
fn shift_factors(shift: &FactorShift, draws: &mut FactorDraws) -> f64 {
    let mut global = [draws.global];
    let log = FactorShift::shift(&[shift.global], &mut global)
        + FactorShift::shift(&shift.minerals, &mut draws.minerals)
        + FactorShift::shift(&shift.countries, &mut draws.countries)
        + FactorShift::shift(&shift.regions, &mut draws.regions);
    draws.global = global[0];
    log + shift.log_constant()
}

/// The systematic part of a loan's latent variable (before the t copula's
/// scale).
fn systematic_part(loan: &LoanModel, draws: &FactorDraws) -> f64 {
    let w = &loan.loadings;
    let mut systematic = w.global * draws.global
        + w.mineral * draws.minerals[loan.mineral]
        + w.country * draws.countries[loan.country];
    if let Some(region) = loan.region {
        systematic += w.region * draws.regions[region];
    }
    systematic
}

/// `systematic` over its standard deviation (0 when it has none).
fn normalised(w: &FactorLoadings, systematic: f64) -> f64 {
    if w.systematic_sd > 0.0 {
        systematic / w.systematic_sd
    } else {
        0.0
    }
}

/// `exposure x rate` rounded half to even to the minor unit. The rate is a
/// probability-like float, so the product is computed in f64: exact to the
/// cent for exposures below 2^53 minor units / 1e3 (nine trillion dollars).
pub fn recovered_amount(exposure: Money, rate: f64) -> Money {
    Money::from_minor((exposure.as_f64() * rate.clamp(0.0, 1.0)).round_ties_even() as i64)
}
