//! A small valid facility for unit tests.

use chrono::NaiveDate;

use super::idealized::IdealizedTable;
use super::types::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn tranche(name: &str, class: TrancheClass, amount: i64) -> TrancheSpec {
    TrancheSpec {
        name: name.into(),
        class,
        amount: amount.into(),
        coupon: 0.05,
        deferrable: false,
        public: false,
        funding: Funding::AtClose,
    }
}

/// A project of `amount` on `mineral` in `country`, on CSV line `line`.
pub fn project(id: &str, mineral: &str, country: &str, amount: i64, line: usize) -> ProjectSpec {
    ProjectSpec {
        id: id.into(),
        name: format!("{id} mine"),
        mineral: mineral.into(),
        segment: Segment::Extraction,
        country: country.into(),
        sponsor_nexus: vec!["US".into()],
        sponsor: None,
        amount: amount.into(),
        coupon: 0.08,
        start_date: date(2026, 1, 1),
        maturity_date: date(2030, 1, 1),
        amortization: Amortization::Bullet,
        pd: PdSource::AnnualPd(0.02),
        construction_end: None,
        draws: Vec::new(),
        capitalise_until: None,
        region: None,
        recovery_mean: 0.4,
        recovery_sd: 0.2,
        line,
    }
}

/// A valid facility: 100 of senior, mezzanine and first loss over four
/// projects of 25 (lithium x2, nickel, copper; Chile x2, Peru, Zambia).
pub fn sample_spec() -> FacilitySpec {
    FacilitySpec {
        name: "Test facility".into(),
        currency: Currency {
            code: "USD".into(),
            minor_digits: 2,
        },
        start_date: date(2026, 1, 1),
        frequency: PaymentFrequency::Quarterly,
        legal_final_date: date(2035, 1, 1),
        day_count: DayCount::Act365Fixed,
        tranches: vec![
            tranche("a", TrancheClass::Senior, 70),
            tranche("b", TrancheClass::Mezzanine, 20),
            tranche("c", TrancheClass::FirstLoss, 10),
        ],
        management_fee_bps: 0.0,
        ramp_up_yield: 0.0,
        risk: RiskSpec {
            correlation: CorrelationShares {
                global: 0.1,
                mineral: 0.1,
                country: 0.1,
                region: 0.0,
            },
            copula: Copula::Gaussian,
            recovery_lag_months: 12,
            recovery_systematic_weight: 0.0,
            correlation_by_mineral: Vec::new(),
            construction_pd_multiplier: 1.0,
            ratings: RatingTable::moodys_idealized_10y(),
            pd_curves: Vec::new(),
        },
        eligibility: EligibilityRules::default(),
        simulation: SimulationDefaults::default(),
        waterfall: None,
        guarantee: None,
        parties: Vec::new(),
        nexus_events: None,
        implied_rating: IdealizedTable::MoodysTenYear,
        projects: vec![
            project("P1", "lithium", "Chile", 25, 2),
            project("P2", "lithium", "Chile", 25, 3),
            project("P3", "nickel", "Peru", 25, 4),
            project("P4", "copper", "Zambia", 25, 5),
        ],
    }
}

/// Where each diagnostic points: (line, field).
pub fn located(diagnostics: &[super::error::Diagnostic]) -> Vec<(Option<usize>, &str)> {
    diagnostics
        .iter()
        .map(|d| (d.line, d.field.as_str()))
        .collect()
}

/// The bundled flagship with its first loss cut to `first_loss` (a decimal
/// string) and the senior tranche taking the difference: a thin first
/// loss, so that the senior loses on some paths.
pub fn flagship_with_first_loss(first_loss: &str) -> FacilitySpec {
    let path = std::path::Path::new("portfolios/us-rok-critical-minerals/facility.toml");
    let mut spec = super::load_facility(path, &super::LoadOptions::default())
        .expect("the flagship loads")
        .spec;
    let amount: rust_decimal::Decimal = first_loss.parse().expect("a decimal amount");
    let last = spec.tranches.len() - 1;
    let freed = spec.tranches[last].amount - amount;
    spec.tranches[last].amount = amount;
    spec.tranches[0].amount += freed;
    spec
}
