//! Which projects drive the tail: each project's expected loss and its
//! Euler contribution to the pool's expected shortfall at 99%.
//!
//! The pool's ES is the mean pool loss over the worst 1% of paths (by pool
//! loss; the boundary path enters with its fractional weight, exactly as in
//! [`super::expected_shortfall`]). A project's contribution is the same
//! weighted mean of *its* loss over the same paths, so contributions add up
//! to the pool's ES. Ties in pool loss are broken by path index, so the
//! tail set is deterministic.
//!
//! Under importance sampling the tail is the worst paths whose weights add
//! up to `(1 - level) n` (the boundary path by the share it needs), each
//! path's weight in the tail mean being `w_i / ((1 - level) n)`: the
//! weighted ES of docs/model.md, "Importance sampling", of which the
//! contributions are again a split. Expected losses are `(1/n) sum w x`.

use super::{DetailColumns, Estimate, Weights};

/// Tail level of the expected shortfall.
pub const ES_LEVEL: f64 = 0.99;

/// The tail paths of a run and their weights (summing to 1), with the tail
/// size m = (1 - level) n, and whether the paths were importance sampled.
#[derive(Debug, Clone, PartialEq)]
pub struct TailWeights(Vec<(usize, f64)>, f64, bool);

impl TailWeights {
    /// The worst `(1 - level) n` paths by `pool_loss`, each weighted `1/m`,
    /// the boundary path by its fraction.
    pub fn worst(pool_loss: &[f64], level: f64) -> Self {
        let n = pool_loss.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| pool_loss[a].total_cmp(&pool_loss[b]).then(a.cmp(&b)));
        let tail = (1.0 - level) * n as f64;
        let whole = (tail.floor() as usize).min(n);
        let mut weights: Vec<(usize, f64)> = order[n - whole..]
            .iter()
            .map(|&p| (p, 1.0 / tail))
            .collect();
        let fraction = tail - whole as f64;
        if fraction > 0.0 && whole < n {
            weights.push((order[n - whole - 1], fraction / tail));
        }
        weights.sort_by_key(|&(p, _)| p);
        TailWeights(weights, tail, false)
    }

    /// [`TailWeights::worst`] of paths with likelihood ratios `path_weights`:
    /// the worst paths until their weights add up to `(1 - level) n`, each
    /// weighted `w / m`, the boundary path by the share it needs.
    pub fn worst_weighted(pool_loss: &[f64], path_weights: Weights, level: f64) -> Self {
        let Weights::Importance(w) = path_weights else {
            return Self::worst(pool_loss, level);
        };
        let n = pool_loss.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| pool_loss[a].total_cmp(&pool_loss[b]).then(a.cmp(&b)));
        let tail = (1.0 - level) * n as f64;
        let (mut taken, mut weights) = (0.0, Vec::new());
        for &path in order.iter().rev() {
            if taken >= tail {
                break;
            }
            let share = w[path].min(tail - taken);
            weights.push((path, share / tail));
            taken += share;
        }
        weights.sort_by_key(|&(p, _)| p);
        TailWeights(weights, tail, true)
    }

    /// The tail mean of `value(path)` with an approximate standard error:
    /// the tail sd over sqrt(m), treating the tail set as given (the
    /// uncertainty of the VaR threshold is not included).
    pub fn mean(&self, value: impl Fn(usize) -> f64) -> Estimate {
        let mut moments = TailMoments::default();
        for &(path, w) in &self.0 {
            moments.add(w, value(path));
        }
        Estimate {
            mean: moments.mean,
            se: moments.se(self),
        }
    }
}

/// A tail mean's running sums: `sum t x` and `sum t x^2` over the tail
/// weights t, and under importance sampling `sum t^2`, `sum t^2 x` and
/// `sum t^2 x^2`.
#[derive(Debug, Clone, Copy, Default)]
struct TailMoments {
    mean: f64,
    square: f64,
    weighted: [f64; 3],
}

impl TailMoments {
    fn add(&mut self, t: f64, x: f64) {
        self.mean += t * x;
        self.square += t * x * x;
        let t2 = t * t;
        self.weighted[0] += t2;
        self.weighted[1] += t2 * x;
        self.weighted[2] += t2 * x * x;
    }

    /// Plain: the tail sd over sqrt(m). Weighted: the standard error of
    /// `sum t x` with the tail set given, `sqrt(sum t^2 (x - c)^2)` (the
    /// plain one when every t is 1/m).
    fn se(&self, tail: &TailWeights) -> f64 {
        if !tail.2 {
            return tail_se(self.mean, self.square, tail.1);
        }
        let [t2, t2x, t2x2] = self.weighted;
        let c = self.mean;
        (t2x2 - 2.0 * c * t2x + c * c * t2).max(0.0).sqrt()
    }
}

/// `sqrt((E[x^2] - E[x]^2) / m)` over the tail (NaN for an empty tail).
fn tail_se(mean: f64, square: f64, tail: f64) -> f64 {
    if tail > 0.0 {
        ((square - mean * mean).max(0.0) / tail).sqrt()
    } else {
        f64::NAN
    }
}

/// One group's (project's, mineral's or country's) share of the risk, in
/// minor units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Allocation {
    /// Mean loss per path with its standard error.
    pub expected_loss: Estimate,
    /// Euler contribution to the pool's ES at 99%.
    pub es_contribution: f64,
    /// Its approximate standard error (see [`TailWeights::mean`]).
    pub es_contribution_se: f64,
}

/// Allocates per-path project losses to `groups` groups (`group_of[loan]`)
/// in path order: each group's expected loss (Welford mean and variance;
/// of `w x` under importance sampling, `weights`) and its ES contribution
/// over `tail`.
pub fn allocate(
    detail: &DetailColumns,
    (paths, weights): (usize, Weights),
    group_of: &[usize],
    groups: usize,
    tail: &TailWeights,
) -> Vec<Allocation> {
    let mut moments = vec![Welford::default(); groups];
    let mut es = vec![TailMoments::default(); groups];
    let mut scratch = vec![0.0; groups];
    let mut tail_paths = tail.0.iter().peekable();
    for path in 0..paths {
        scratch.fill(0.0);
        for (loan, loss) in detail.project_losses(path) {
            scratch[group_of[loan]] += loss.as_f64();
        }
        let w = match weights {
            Weights::Plain => 1.0,
            Weights::Importance(w) => w[path],
        };
        for (m, &x) in moments.iter_mut().zip(&scratch) {
            m.add(w * x);
        }
        if let Some(&(_, weight)) = tail_paths.next_if(|&&(p, _)| p == path) {
            for (e, &x) in es.iter_mut().zip(&scratch) {
                e.add(weight, x);
            }
        }
    }
    moments
        .iter()
        .zip(&es)
        .map(|(m, es)| Allocation {
            expected_loss: m.estimate(),
            es_contribution: es.mean,
            es_contribution_se: es.se(tail),
        })
        .collect()
}

/// Welford's running mean and sum of squared deviations.
#[derive(Debug, Clone, Copy, Default)]
struct Welford {
    count: u64,
    mean: f64,
    squares: f64,
}

impl Welford {
    fn add(&mut self, x: f64) {
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.squares += delta * (x - self.mean);
    }

    fn estimate(&self) -> Estimate {
        let n = self.count as f64;
        Estimate {
            mean: if self.count > 0 { self.mean } else { f64::NAN },
            se: if self.count > 1 {
                (self.squares / (n - 1.0) / n).sqrt()
            } else {
                f64::NAN
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{PathDetail, expected_shortfall, sorted};
    use crate::money::Money;

    /// Four paths, two projects in two groups; the worst 30% is the worst
    /// path plus 0.2 of the second worst.
    #[test]
    fn contributions_add_up_to_the_expected_shortfall() {
        let losses = [vec![], vec![(0, 10)], vec![(0, 5), (1, 20)], vec![(1, 7)]];
        let mut detail = DetailColumns::default();
        let mut pool = Vec::new();
        for path in &losses {
            detail.push(&PathDetail {
                project_losses: path
                    .iter()
                    .map(|&(l, x)| (l, Money::from_minor(x)))
                    .collect(),
                ..PathDetail::default()
            });
            pool.push(path.iter().map(|&(_, x)| x as f64).sum::<f64>());
        }
        let tail = TailWeights::worst(&pool, 0.7);
        let groups = allocate(&detail, (4, Weights::Plain), &[0, 1], 2, &tail);
        let es = expected_shortfall(&sorted(&pool), 0.7);
        let total: f64 = groups.iter().map(|g| g.es_contribution).sum();
        assert!((total - es).abs() < 1e-12, "{total} vs {es}");
        // Worst path 25 (5 + 20) weight 1/1.2, then 10 (project 0) weight 0.2/1.2.
        assert!((groups[0].es_contribution - (5.0 + 0.2 * 10.0) / 1.2).abs() < 1e-12);
        let pool_tail = tail.mean(|p| pool[p]);
        assert!((pool_tail.mean - es).abs() < 1e-12);
        assert!(pool_tail.se > 0.0 && groups[0].es_contribution_se > 0.0);
        assert_eq!(groups[0].expected_loss.mean, 15.0 / 4.0);
        assert_eq!(groups[1].expected_loss.mean, 27.0 / 4.0);
    }
}
