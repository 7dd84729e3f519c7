//! The nested factor structure of the latent credit variables.

use crate::spec::CorrelationShares;

/// Loadings of the latent variable
/// `X_i = w_g G + w_m M[mineral(i)] + w_c C[country(i)] + w_r R[region(i)] + w_e e_i`,
/// with each `w = sqrt(share)` and `w_e = sqrt(1 - sum of shares)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FactorLoadings {
    /// Loading on the global factor.
    pub global: f64,
    /// Loading on the loan's mineral factor.
    pub mineral: f64,
    /// Loading on the loan's country factor.
    pub country: f64,
    /// Loading on the loan's region factor (0 without a region).
    pub region: f64,
    /// Loading on the loan's own (idiosyncratic) shock.
    pub idiosyncratic: f64,
    /// Standard deviation of the systematic part, `sqrt(sum of shares)`,
    /// used to normalise it for correlated recoveries.
    pub systematic_sd: f64,
}

impl FactorLoadings {
    /// Loadings from correlation shares (validated: each in [0, 1), sum < 1).
    /// A loan without a region loads nothing on the region factor and
    /// keeps that share idiosyncratic.
    pub fn new(shares: CorrelationShares, has_region: bool) -> Self {
        let region = if has_region { shares.region } else { 0.0 };
        let systematic = shares.global + shares.mineral + shares.country + region;
        FactorLoadings {
            global: shares.global.sqrt(),
            mineral: shares.mineral.sqrt(),
            country: shares.country.sqrt(),
            region: region.sqrt(),
            idiosyncratic: (1.0 - systematic).max(0.0).sqrt(),
            systematic_sd: systematic.sqrt(),
        }
    }
}

/// The factor names, in the order their draws are taken on every path.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FactorNames {
    /// Distinct minerals, in order of first appearance in the project list.
    pub minerals: Vec<String>,
    /// Distinct countries, in order of first appearance.
    pub countries: Vec<String>,
    /// Distinct regions, in order of first appearance.
    pub regions: Vec<String>,
}

impl FactorNames {
    /// Index of a mineral, adding it if new.
    pub fn mineral_index(&mut self, mineral: &str) -> usize {
        index_of(&mut self.minerals, mineral)
    }

    /// Index of a country, adding it if new.
    pub fn country_index(&mut self, country: &str) -> usize {
        index_of(&mut self.countries, country)
    }

    /// Index of a region, adding it if new.
    pub fn region_index(&mut self, region: &str) -> usize {
        index_of(&mut self.regions, region)
    }
}

fn index_of(names: &mut Vec<String>, name: &str) -> usize {
    names.iter().position(|n| n == name).unwrap_or_else(|| {
        names.push(name.to_owned());
        names.len() - 1
    })
}
