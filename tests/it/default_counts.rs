//! The number of defaults over the horizon, run through the full engine.
//!
//! With correlation 0 the loans' latent variables are independent, each
//! loan defaults by the horizon with probability p, so the number of
//! defaults on a path is Binomial(n, p). With a global factor of share rho
//! the count keeps mean n p (each loan's marginal default probability is
//! unchanged) but its variance grows to
//! `n p (1 - p) + n (n - 1) (p2(rho) - p^2)`, with p2 the probability that
//! two given loans both default: `p2 = int phi(g) Phi((c - sqrt(rho) g) /
//! sqrt(1 - rho))^2 dg`, c = Phi^-1(p).

use crate::common;

use blendsim::aggregate::estimate;
use blendsim::engine::{RunSettings, simulate_outcomes};
use blendsim::model::{Model, standard_normal_cdf, standard_normal_quantile};
use statrs::distribution::{ChiSquared, ContinuousCDF};

const N_LOANS: usize = 20;
const P: f64 = 0.15;
const PATHS: u64 = 100_000;
const SEED: u64 = 4_242_001;

/// Significance level of the chi-square goodness-of-fit test.
const ALPHA: f64 = 0.001;

/// Default counts of every path of the `homogeneous_pool` facility (20
/// loans, 5-year bullets, cumulative PD 0.15, one global factor of share
/// `rho`).
fn default_counts(rho: f64) -> Vec<u32> {
    let spec = common::homogeneous_pool(N_LOANS, P, rho, 0.35, &[0.10, 0.25, 1.0]);
    let model = Model::compile(&spec).expect("homogeneous pool compiles");
    // The horizon PD the engine uses is exactly the p we test against: the
    // last threshold of every loan is Phi^-1(p).
    for loan in &model.pool.loans {
        let expected = standard_normal_quantile(P);
        assert!((loan.final_threshold() - expected).abs() < 1e-9);
    }
    let outcomes = simulate_outcomes(
        &model,
        &RunSettings {
            paths: PATHS,
            seed: SEED,
        },
        &|_| {},
    );
    assert_eq!(outcomes.defaults.len(), PATHS as usize);
    outcomes.defaults
}

/// Binomial(n, p) pmf for k = 0..=n, by the recursion
/// `pmf(k+1) = pmf(k) (n - k) / (k + 1) p / (1 - p)` from (1 - p)^n.
fn binomial_pmf(n: usize, p: f64) -> Vec<f64> {
    let mut pmf = vec![(1.0 - p).powi(n as i32)];
    for k in 0..n {
        let next = pmf[k] * (n - k) as f64 / (k + 1) as f64 * p / (1.0 - p);
        pmf.push(next);
    }
    pmf
}

/// Sample mean, variance (n - 1 denominator), and the standard errors of
/// both: `sqrt(s^2 / N)` for the mean and `sqrt((m4 - s^4) / N)` for the
/// variance (m4 the sample fourth central moment; the delta-method SE of a
/// sample variance).
struct Moments {
    mean: f64,
    mean_se: f64,
    variance: f64,
    variance_se: f64,
}

fn moments(values: &[f64]) -> Moments {
    let n = values.len() as f64;
    let estimate = estimate(values);
    let mean = estimate.mean;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let m4 = values.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / n;
    Moments {
        mean,
        mean_se: estimate.se,
        variance,
        variance_se: ((m4 - variance * variance) / n).sqrt(),
    }
}

fn as_f64(counts: &[u32]) -> Vec<f64> {
    counts.iter().map(|&c| f64::from(c)).collect()
}

/// `P(X_i <= c, X_j <= c)` for two loans with asset correlation rho, by
/// Simpson's rule over the global factor on [-10, 10].
fn joint_default_probability(p: f64, rho: f64) -> f64 {
    let c = standard_normal_quantile(p);
    let steps = 4000;
    let h = 20.0 / steps as f64;
    let f = |g: f64| {
        let density = (-0.5 * g * g).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let conditional = standard_normal_cdf((c - rho.sqrt() * g) / (1.0 - rho).sqrt());
        density * conditional * conditional
    };
    let mut sum = f(-10.0) + f(10.0);
    for i in 1..steps {
        let weight = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += weight * f(-10.0 + i as f64 * h);
    }
    sum * h / 3.0
}

#[test]
fn independent_defaults_are_binomial() {
    let counts = default_counts(0.0);
    let pmf = binomial_pmf(N_LOANS, P);
    assert!((pmf.iter().sum::<f64>() - 1.0).abs() < 1e-12);

    let mut observed = [0_u64; N_LOANS + 1];
    for &c in &counts {
        observed[c as usize] += 1;
    }
    let paths = PATHS as f64;

    // Bins: k = 0, 1, ... while the expected count N pmf(k) is at least 5,
    // then one tail bin "k >= m" for the rest. With N = 100,000 and
    // Binomial(20, 0.15): expected counts 3,876 (k = 0), 13,680, 22,934,
    // 24,283, 18,212, 10,285, 4,537, 1,601, 459, 108 (k = 9), 21.0 (k = 10),
    // 3.4 (k = 11) ... The tail k >= 11 (expected 3.9) is below 5, so it
    // joins k = 10: bins 0..=9 and ">= 10" (expected 24.8), 11 bins,
    // no parameter estimated -> 10 degrees of freedom. Critical value of
    // chi-square(10) at alpha = 0.001: 29.588.
    let mut last = 0;
    while last < N_LOANS && paths * pmf[last + 1..].iter().sum::<f64>() >= 5.0 {
        last += 1;
    }
    // `last` = the largest m with N P(K >= m) >= 5: bins 0..m-1
    // individually, then ">= m".
    let mut expected: Vec<f64> = pmf[..last].iter().map(|q| paths * q).collect();
    expected.push(paths * pmf[last..].iter().sum::<f64>());
    let mut seen: Vec<f64> = observed[..last].iter().map(|&o| o as f64).collect();
    seen.push(observed[last..].iter().sum::<u64>() as f64);
    assert!(expected.iter().all(|&e| e >= 5.0), "{expected:?}");
    assert_eq!(expected.len(), 11, "bins 0..=9 and >= 10");
    let degrees_of_freedom = expected.len() - 1;
    let critical = ChiSquared::new(degrees_of_freedom as f64)
        .unwrap()
        .inverse_cdf(1.0 - ALPHA);
    assert!(
        (critical - 29.588).abs() < 1e-3,
        "critical value {critical}"
    );

    let statistic: f64 = seen
        .iter()
        .zip(&expected)
        .map(|(o, e)| (o - e) * (o - e) / e)
        .sum();
    println!(
        "chi-square {statistic:.3} on {degrees_of_freedom} df (critical {critical:.3} at {ALPHA})"
    );
    for (k, (o, e)) in seen.iter().zip(&expected).enumerate() {
        println!("  k {k:>2}: observed {o:>7} expected {e:>10.1}");
    }
    assert!(
        statistic < critical,
        "chi-square {statistic} >= {critical}: default counts are not Binomial({N_LOANS}, {P})"
    );

    // Mean n p = 3 and variance n p (1 - p) = 2.55 within 4 standard errors.
    let m = moments(&as_f64(&counts));
    let (mean, variance) = (N_LOANS as f64 * P, N_LOANS as f64 * P * (1.0 - P));
    println!(
        "mean {} +- {} (exact {mean}), variance {} +- {} (exact {variance})",
        m.mean, m.mean_se, m.variance, m.variance_se
    );
    assert!((m.mean - mean).abs() <= 4.0 * m.mean_se, "mean {}", m.mean);
    assert!(
        (m.variance - variance).abs() <= 4.0 * m.variance_se,
        "variance {}",
        m.variance
    );
}

#[test]
fn correlation_keeps_the_mean_and_raises_the_variance() {
    let n = N_LOANS as f64;
    let rhos = [0.0, 0.3, 0.6];
    let runs: Vec<Vec<f64>> = rhos.iter().map(|&r| as_f64(&default_counts(r))).collect();
    let stats: Vec<Moments> = runs.iter().map(|v| moments(v)).collect();
    for (rho, m) in rhos.iter().zip(&stats) {
        // Exact variance of the count under the one-factor model.
        let p2 = joint_default_probability(P, *rho);
        let exact = n * P * (1.0 - P) + n * (n - 1.0) * (p2 - P * P);
        println!(
            "rho {rho}: mean {:.4} +- {:.4}, variance {:.4} +- {:.4} (exact {exact:.4})",
            m.mean, m.mean_se, m.variance, m.variance_se
        );
        // The mean stays n p = 3 (each loan's PD does not depend on rho).
        assert!(
            (m.mean - n * P).abs() <= 4.0 * m.mean_se,
            "rho {rho}: mean {} vs {}",
            m.mean,
            n * P
        );
        assert!(
            (m.variance - exact).abs() <= 4.0 * m.variance_se,
            "rho {rho}: variance {} vs exact {exact}",
            m.variance
        );
    }
    for i in 1..rhos.len() {
        // Same seed, so the paths share their draws: compare the means
        // through the paired differences and their standard error.
        let differences: Vec<f64> = runs[i]
            .iter()
            .zip(&runs[i - 1])
            .map(|(a, b)| a - b)
            .collect();
        let d = estimate(&differences);
        assert!(
            d.mean.abs() <= 4.0 * d.se,
            "rho {} vs {}: mean changed by {} (SE {})",
            rhos[i],
            rhos[i - 1],
            d.mean,
            d.se
        );
        // The variance rises by more than 4 standard errors of the
        // difference (SEs of the two runs combined as if independent, which
        // is conservative for positively correlated estimates).
        let (high, low) = (&stats[i], &stats[i - 1]);
        let se = (high.variance_se.powi(2) + low.variance_se.powi(2)).sqrt();
        assert!(
            high.variance - low.variance > 4.0 * se,
            "rho {} vs {}: variance {} vs {} (SE {se})",
            rhos[i],
            rhos[i - 1],
            high.variance,
            low.variance
        );
    }
}
