//! summary.csv: one row per tranche. Its columns are defined here, once;
//! the terminal table, report.html, comparison.csv and the combined
//! scenario and batch files read the same definitions.

use std::io::{self, Write};

use super::columns::{Column, Unit, Value, csv_record, write_columns};
use super::{Report, RunReport};
use crate::aggregate::TrancheSummary;

/// A column of summary.csv.
pub type SummaryColumn = Column<TrancheSummary>;

/// Tranche name.
pub const TRANCHE: SummaryColumn = Column {
    name: "tranche",
    unit: Unit::Text,
    description: "tranche name",
    value: |s| Value::Name(s.tranche.clone()),
};
/// Seniority class.
pub const CLASS: SummaryColumn = Column {
    name: "class",
    unit: Unit::Text,
    description: "seniority class",
    value: |s| Value::Word(s.class.as_str()),
};
/// Notional, exact.
pub const NOTIONAL: SummaryColumn = Column {
    name: "notional",
    unit: Unit::Currency,
    description: "tranche amount (a guarantee's cap), exact decimal",
    value: |s| Value::Money(s.notional),
};
/// Attachment point.
pub const ATTACHMENT: SummaryColumn = Column {
    name: "attachment",
    unit: Unit::Fraction,
    description: "capital junior to the tranche / total tranche capital",
    value: |s| Value::Float(s.attachment),
};
/// Detachment point.
pub const DETACHMENT: SummaryColumn = Column {
    name: "detachment",
    unit: Unit::Fraction,
    description: "(junior capital + the tranche) / total tranche capital",
    value: |s| Value::Float(s.detachment),
};
/// Expected principal loss.
pub const EXPECTED_LOSS: SummaryColumn = Column {
    name: "expected_loss",
    unit: Unit::FractionOfNotional,
    description: "mean principal loss over paths",
    value: |s| Value::Float(s.expected_loss),
};
/// Standard error of the expected loss.
pub const EXPECTED_LOSS_SE: SummaryColumn = Column {
    name: "expected_loss_se",
    unit: Unit::FractionOfNotional,
    description: "Monte Carlo standard error of expected_loss",
    value: |s| Value::Float(s.expected_loss_se),
};
/// Probability of any loss.
pub const PROB_LOSS: SummaryColumn = Column {
    name: "prob_loss",
    unit: Unit::Probability,
    description: "share of paths with a principal loss (at least one cent of original principal unpaid)",
    value: |s| Value::Float(s.prob_loss),
};
/// Median loss.
pub const LOSS_P50: SummaryColumn = Column {
    name: "loss_p50",
    unit: Unit::FractionOfNotional,
    description: "median principal loss",
    value: |s| Value::Float(s.loss_p50),
};
/// 90% loss quantile.
pub const LOSS_P90: SummaryColumn = Column {
    name: "loss_p90",
    unit: Unit::FractionOfNotional,
    description: "90% quantile of the principal loss",
    value: |s| Value::Float(s.loss_p90),
};
/// 99% loss quantile.
pub const LOSS_P99: SummaryColumn = Column {
    name: "loss_p99",
    unit: Unit::FractionOfNotional,
    description: "99% quantile of the principal loss",
    value: |s| Value::Float(s.loss_p99),
};
/// 99.9% loss quantile.
pub const LOSS_P999: SummaryColumn = Column {
    name: "loss_p999",
    unit: Unit::FractionOfNotional,
    description: "99.9% quantile of the principal loss",
    value: |s| Value::Float(s.loss_p999),
};
/// Expected shortfall at 99%.
pub const ES_99: SummaryColumn = Column {
    name: "es_99",
    unit: Unit::FractionOfNotional,
    description: "expected shortfall at 99% of the principal loss: mean over the worst 1% of paths",
    value: |s| Value::Float(s.es_99),
};
/// Mean IRR.
pub const IRR_MEAN: SummaryColumn = Column {
    name: "irr_mean",
    unit: Unit::AnnualRate,
    description: "mean IRR over paths",
    value: |s| Value::Float(s.irr_mean),
};
/// 5% IRR quantile.
pub const IRR_P05: SummaryColumn = Column {
    name: "irr_p05",
    unit: Unit::AnnualRate,
    description: "5% quantile of the IRR",
    value: |s| Value::Float(s.irr_p05),
};
/// Median IRR.
pub const IRR_P50: SummaryColumn = Column {
    name: "irr_p50",
    unit: Unit::AnnualRate,
    description: "median IRR",
    value: |s| Value::Float(s.irr_p50),
};
/// 95% IRR quantile.
pub const IRR_P95: SummaryColumn = Column {
    name: "irr_p95",
    unit: Unit::AnnualRate,
    description: "95% quantile of the IRR",
    value: |s| Value::Float(s.irr_p95),
};
/// Mean multiple on invested capital.
pub const MOIC_MEAN: SummaryColumn = Column {
    name: "moic_mean",
    unit: Unit::Multiple,
    description: "mean of total cash received / notional",
    value: |s| Value::Float(s.moic_mean),
};
/// Mean weighted average life.
pub const WAL_YEARS: SummaryColumn = Column {
    name: "wal_years",
    unit: Unit::Years,
    description: "mean weighted average life, over paths that repaid principal",
    value: |s| Value::Float(s.wal_years),
};
/// Standard error of the probability of loss.
pub const PROB_LOSS_SE: SummaryColumn = Column {
    name: "prob_loss_se",
    unit: Unit::Probability,
    description: "standard error of prob_loss",
    value: |s| Value::Float(s.prob_loss_se),
};
/// Standard error of the mean IRR.
pub const IRR_MEAN_SE: SummaryColumn = Column {
    name: "irr_mean_se",
    unit: Unit::AnnualRate,
    description: "standard error of irr_mean",
    value: |s| Value::Float(s.irr_mean_se),
};
/// Standard error of the mean MOIC.
pub const MOIC_MEAN_SE: SummaryColumn = Column {
    name: "moic_mean_se",
    unit: Unit::Multiple,
    description: "standard error of moic_mean",
    value: |s| Value::Float(s.moic_mean_se),
};
/// Standard error of the mean WAL.
pub const WAL_YEARS_SE: SummaryColumn = Column {
    name: "wal_years_se",
    unit: Unit::Years,
    description: "standard error of wal_years",
    value: |s| Value::Float(s.wal_years_se),
};
/// Standard error of the expected shortfall.
pub const ES_99_SE: SummaryColumn = Column {
    name: "es_99_se",
    unit: Unit::FractionOfNotional,
    description: "standard error of es_99, including the uncertainty of the 99% VaR",
    value: |s| Value::Float(s.es_99_se),
};

/// Mean deferred-interest loss.
pub const DEFERRED_INTEREST_LOSS: SummaryColumn = Column {
    name: "deferred_interest_loss",
    unit: Unit::FractionOfNotional,
    description: "mean interest capitalised or deferred and unpaid at the legal final date",
    value: |s| Value::Float(s.deferred_interest_loss),
};
/// Standard error of the deferred-interest loss.
pub const DEFERRED_INTEREST_LOSS_SE: SummaryColumn = Column {
    name: "deferred_interest_loss_se",
    unit: Unit::FractionOfNotional,
    description: "standard error of deferred_interest_loss",
    value: |s| Value::Float(s.deferred_interest_loss_se),
};
/// Mean present-value loss at the promised yield.
pub const PV_LOSS: SummaryColumn = Column {
    name: "pv_loss",
    unit: Unit::FractionOfNotional,
    description: "mean of 1 - PV(cash received) / PV(cash promised) at the coupon, floored at 0",
    value: |s| Value::Float(s.pv_loss),
};
/// Standard error of the present-value loss.
pub const PV_LOSS_SE: SummaryColumn = Column {
    name: "pv_loss_se",
    unit: Unit::FractionOfNotional,
    description: "standard error of pv_loss",
    value: |s| Value::Float(s.pv_loss_se),
};
/// Probability of a present-value loss.
pub const PROB_PV_LOSS: SummaryColumn = Column {
    name: "prob_pv_loss",
    unit: Unit::Probability,
    description: "share of paths with a present-value loss",
    value: |s| Value::Float(s.prob_pv_loss),
};
/// Standard error of the probability of a present-value loss.
pub const PROB_PV_LOSS_SE: SummaryColumn = Column {
    name: "prob_pv_loss_se",
    unit: Unit::Probability,
    description: "standard error of prob_pv_loss",
    value: |s| Value::Float(s.prob_pv_loss_se),
};
/// Principal loss given one.
pub const LOSS_GIVEN_HIT: SummaryColumn = Column {
    name: "loss_given_hit",
    unit: Unit::FractionOfNotional,
    description: "expected_loss / prob_loss",
    value: |s| Value::Float(s.loss_given_hit),
};
/// Present-value loss given one.
pub const PV_LOSS_GIVEN_HIT: SummaryColumn = Column {
    name: "pv_loss_given_hit",
    unit: Unit::FractionOfNotional,
    description: "pv_loss / prob_pv_loss",
    value: |s| Value::Float(s.pv_loss_given_hit),
};
/// P(interest shortfall) of a non-deferrable tranche.
pub const PROB_INTEREST_SHORTFALL: SummaryColumn = Column {
    name: "prob_interest_shortfall",
    unit: Unit::Probability,
    description: "share of paths on which a coupon of this non-deferrable tranche is not paid in full on its payment date (after any reserve draw); empty for a deferrable tranche and the guarantee",
    value: |s| Value::Float(s.prob_interest_shortfall),
};
/// Its standard error.
pub const PROB_INTEREST_SHORTFALL_SE: SummaryColumn = Column {
    name: "prob_interest_shortfall_se",
    unit: Unit::Probability,
    description: "standard error of prob_interest_shortfall",
    value: |s| Value::Float(s.prob_interest_shortfall_se),
};
/// When the first shortfall comes.
pub const INTEREST_SHORTFALL_FIRST_YEARS: SummaryColumn = Column {
    name: "interest_shortfall_first_years",
    unit: Unit::Years,
    description: "mean time from the start to the first payment date with a coupon shortfall, over the paths that have one; empty when none does",
    value: |s| Value::Float(s.interest_shortfall_first_years),
};
/// How much interest is missed.
pub const INTEREST_SHORTFALL_MEAN: SummaryColumn = Column {
    name: "interest_shortfall_mean",
    unit: Unit::FractionOfNotional,
    description: "mean over paths of the coupons not paid on their payment dates (each period's unpaid coupon counted once, even if paid later)",
    value: |s| Value::Float(s.interest_shortfall_mean),
};
/// The implied rating's default probability.
pub const PROB_DEFAULT: SummaryColumn = Column {
    name: "prob_default",
    unit: Unit::Probability,
    description: "share of paths with a principal loss or, for a non-deferrable tranche, a coupon not paid in full on its payment date (after any reserve draw), even if paid later: the implied rating's default probability",
    value: |s| Value::Float(s.prob_default),
};
/// Its standard error.
pub const PROB_DEFAULT_SE: SummaryColumn = Column {
    name: "prob_default_se",
    unit: Unit::Probability,
    description: "standard error of prob_default",
    value: |s| Value::Float(s.prob_default_se),
};

/// The columns of summary.csv, in order. The first nineteen are the stable
/// interface; the standard errors of the other averages follow, then that
/// of the expected shortfall; new columns go at the end.
pub const COLUMNS: [&SummaryColumn; 38] = [
    &TRANCHE,
    &CLASS,
    &NOTIONAL,
    &ATTACHMENT,
    &DETACHMENT,
    &EXPECTED_LOSS,
    &EXPECTED_LOSS_SE,
    &PROB_LOSS,
    &LOSS_P50,
    &LOSS_P90,
    &LOSS_P99,
    &LOSS_P999,
    &ES_99,
    &IRR_MEAN,
    &IRR_P05,
    &IRR_P50,
    &IRR_P95,
    &MOIC_MEAN,
    &WAL_YEARS,
    &PROB_LOSS_SE,
    &IRR_MEAN_SE,
    &MOIC_MEAN_SE,
    &WAL_YEARS_SE,
    &ES_99_SE,
    &DEFERRED_INTEREST_LOSS,
    &DEFERRED_INTEREST_LOSS_SE,
    &PV_LOSS,
    &PV_LOSS_SE,
    &PROB_PV_LOSS,
    &PROB_PV_LOSS_SE,
    &LOSS_GIVEN_HIT,
    &PV_LOSS_GIVEN_HIT,
    &PROB_INTEREST_SHORTFALL,
    &PROB_INTEREST_SHORTFALL_SE,
    &INTEREST_SHORTFALL_FIRST_YEARS,
    &INTEREST_SHORTFALL_MEAN,
    &PROB_DEFAULT,
    &PROB_DEFAULT_SE,
];

/// Writes summary.csv.
pub struct SummaryCsv;

impl Report for SummaryCsv {
    fn file_name(&self) -> &'static str {
        "summary.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let digits = run.model.currency.minor_digits;
        write_columns(out, &COLUMNS, run.summary, digits)
    }
}

/// One tranche's cells of summary.csv, in [`COLUMNS`] order; `digits` is the
/// currency's minor-unit digits.
pub fn summary_record(row: &TrancheSummary, digits: u32) -> Vec<String> {
    csv_record(&COLUMNS, row, digits)
}
