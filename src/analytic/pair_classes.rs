//! The pool's pairs of loans by what they share (mineral, country), each
//! class with its exposure-weighted average asset correlation: what
//! [`super::estimate_facility`] turns into implied default correlations.
//!
//! A pair's asset correlation is the sum, over the factors both loans
//! load on (the global factor always; the mineral, country and region
//! factors when they share it), of the product of their loadings, so
//! mineral-specific correlation shares (`[risk.correlation.by_mineral]`)
//! count for the pairs they concern. Loans with the same mineral, country,
//! region and loadings are pooled into one profile first, so the cost is
//! quadratic in the number of profiles, not of loans.

use std::collections::BTreeMap;

use crate::model::{FactorLoadings, LoanModel};

/// Which factors a kind of pair shares beyond the global one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PairClass {
    /// Same mineral and same country.
    MineralAndCountry,
    /// Same mineral, different country.
    MineralOnly,
    /// Same country, different mineral.
    CountryOnly,
    /// Different mineral and country (a region may still be shared).
    Neither,
}

impl PairClass {
    /// The class in words.
    pub fn label(self) -> &'static str {
        match self {
            PairClass::MineralAndCountry => "same mineral and country",
            PairClass::MineralOnly => "same mineral, other country",
            PairClass::CountryOnly => "same country, other mineral",
            PairClass::Neither => "other mineral and country",
        }
    }

    const ALL: [PairClass; 4] = [
        PairClass::MineralAndCountry,
        PairClass::MineralOnly,
        PairClass::CountryOnly,
        PairClass::Neither,
    ];
}

/// One class of pairs in the pool.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassCorrelation {
    /// The class.
    pub class: PairClass,
    /// Its share of all pairs of distinct loans, each pair weighted by the
    /// product of the two exposures.
    pub pair_share: f64,
    /// Exposure-weighted average asset correlation of its pairs.
    pub asset_correlation: f64,
}

/// Loans identical for correlation purposes.
#[derive(Debug, Clone, Copy)]
struct Profile {
    mineral: usize,
    country: usize,
    region: Option<usize>,
    loadings: FactorLoadings,
    /// Sum of the members' exposures.
    exposure: f64,
    /// Sum of the squares of the members' exposures.
    squares: f64,
}

/// Every class present in the pool (pair share above zero), in the order
/// of [`PairClass`].
pub fn class_correlations(loans: &[LoanModel]) -> Vec<ClassCorrelation> {
    let profiles = profiles(loans);
    // Per class: sum of weights and of weight x correlation.
    let mut sums = [(0.0, 0.0); 4];
    for (p, a) in profiles.iter().enumerate() {
        for b in &profiles[p..] {
            let weight = if std::ptr::eq(a, b) {
                // Ordered pairs of distinct members of one profile.
                a.exposure * a.exposure - a.squares
            } else {
                // Both orders of each pair across two profiles.
                2.0 * a.exposure * b.exposure
            };
            let class = class_of(a, b) as usize;
            sums[class].0 += weight;
            sums[class].1 += weight * correlation(a, b);
        }
    }
    let total: f64 = sums.iter().map(|s| s.0).sum();
    PairClass::ALL
        .iter()
        .zip(sums)
        .filter(|(_, (weight, _))| *weight > 0.0)
        .map(|(&class, (weight, weighted))| ClassCorrelation {
            class,
            pair_share: weight / total,
            asset_correlation: weighted / weight,
        })
        .collect()
}

fn profiles(loans: &[LoanModel]) -> Vec<Profile> {
    let mut by_key: BTreeMap<(usize, usize, Option<usize>, [u64; 4]), Profile> = BTreeMap::new();
    for loan in loans {
        let w = loan.loadings;
        let bits = [w.global, w.mineral, w.country, w.region].map(f64::to_bits);
        let exposure = loan.balance_start[0].as_f64();
        let profile = by_key
            .entry((loan.mineral, loan.country, loan.region, bits))
            .or_insert(Profile {
                mineral: loan.mineral,
                country: loan.country,
                region: loan.region,
                loadings: w,
                exposure: 0.0,
                squares: 0.0,
            });
        profile.exposure += exposure;
        profile.squares += exposure * exposure;
    }
    by_key.into_values().collect()
}

fn class_of(a: &Profile, b: &Profile) -> PairClass {
    match (a.mineral == b.mineral, a.country == b.country) {
        (true, true) => PairClass::MineralAndCountry,
        (true, false) => PairClass::MineralOnly,
        (false, true) => PairClass::CountryOnly,
        (false, false) => PairClass::Neither,
    }
}

/// The asset correlation of a loan of profile `a` with one of profile `b`.
fn correlation(a: &Profile, b: &Profile) -> f64 {
    let (x, y) = (a.loadings, b.loadings);
    let shared = |same: bool, u: f64, v: f64| if same { u * v } else { 0.0 };
    x.global * y.global
        + shared(a.mineral == b.mineral, x.mineral, y.mineral)
        + shared(a.country == b.country, x.country, y.country)
        + shared(
            a.region.is_some() && a.region == b.region,
            x.region,
            y.region,
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;
    use crate::spec::test_support::sample_spec;

    /// The sample pool: four loans of 25 with shares 0.1 each (global,
    /// mineral, country). P1 and P2 (lithium, Chile) share everything:
    /// asset correlation 0.3 over 2 of the 12 ordered pairs; the other 10
    /// pairs share only the global factor: 0.1.
    #[test]
    fn classes_weigh_pairs_by_exposure() {
        let model = Model::compile(&sample_spec()).unwrap();
        let classes = class_correlations(&model.pool.loans);
        assert_eq!(classes.len(), 2, "{classes:?}");
        assert_eq!(classes[0].class, PairClass::MineralAndCountry);
        assert!((classes[0].pair_share - 2.0 / 12.0).abs() < 1e-12);
        assert!((classes[0].asset_correlation - 0.3).abs() < 1e-12);
        assert_eq!(classes[1].class, PairClass::Neither);
        assert!((classes[1].pair_share - 10.0 / 12.0).abs() < 1e-12);
        assert!((classes[1].asset_correlation - 0.1).abs() < 1e-12);
    }

    /// A mineral-specific share reaches only the pairs of that mineral: with
    /// lithium's mineral share at 0.3, P1-P2 correlate at 0.1 + 0.3 + 0.1.
    #[test]
    fn mineral_specific_shares_count_for_their_pairs() {
        let mut spec = sample_spec();
        let mut lithium = spec.risk.correlation;
        lithium.mineral = 0.3;
        spec.risk.correlation_by_mineral = vec![("lithium".into(), lithium)];
        let model = Model::compile(&spec).unwrap();
        let classes = class_correlations(&model.pool.loans);
        assert!((classes[0].asset_correlation - 0.5).abs() < 1e-12);
        assert!((classes[1].asset_correlation - 0.1).abs() < 1e-12);
    }
}
