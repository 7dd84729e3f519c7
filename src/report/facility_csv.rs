//! facility.csv: one row of facility-wide metrics.

use std::io::{self, Write};

use super::columns::{Column, Unit, Value, write_columns};
use super::{Report, RunReport};
use crate::aggregate::FacilityMetrics;

/// A column of facility.csv.
pub type FacilityColumn = Column<FacilityMetrics>;

/// The columns of facility.csv, in order.
pub const COLUMNS: [&FacilityColumn; 35] = [
    &Column {
        name: "paths",
        unit: Unit::Count,
        description: "number of paths",
        value: |f| Value::Count(f.paths as u64),
    },
    &Column {
        name: "total_capital",
        unit: Unit::Currency,
        description: "sum of the tranche notionals (and a guarantee's cap)",
        value: |f| Value::Float(f.total_capital),
    },
    &Column {
        name: "public_capital",
        unit: Unit::Currency,
        description: "capital held by public parties: their shares of the tranches and of the guarantee's cap (without [[parties]]: tranches and guarantee marked public)",
        value: |f| Value::Float(f.public_capital),
    },
    &Column {
        name: "private_capital",
        unit: Unit::Currency,
        description: "capital held by private parties (the rest of the tranches and the guarantee's cap)",
        value: |f| Value::Float(f.private_capital),
    },
    &Column {
        name: "mobilisation_ratio",
        unit: Unit::Ratio,
        description: "private capital per unit of public capital",
        value: |f| Value::Float(f.mobilisation_ratio),
    },
    &Column {
        name: "public_expected_loss",
        unit: Unit::Currency,
        description: "mean principal loss of the public parties' holdings (tranche loss x amount held) and their share of guarantee payouts",
        value: |f| Value::Float(f.public_expected_loss.mean),
    },
    &Column {
        name: "public_expected_loss_se",
        unit: Unit::Currency,
        description: "standard error of public_expected_loss",
        value: |f| Value::Float(f.public_expected_loss.se),
    },
    &Column {
        name: "private_expected_loss",
        unit: Unit::Currency,
        description: "the same for the private parties",
        value: |f| Value::Float(f.private_expected_loss.mean),
    },
    &Column {
        name: "private_expected_loss_se",
        unit: Unit::Currency,
        description: "standard error of private_expected_loss",
        value: |f| Value::Float(f.private_expected_loss.se),
    },
    &Column {
        name: "first_loss_tranche",
        unit: Unit::Text,
        description: "the most junior first-loss tranche (else the most junior)",
        value: |f| Value::Name(f.first_loss_tranche.clone()),
    },
    &Column {
        name: "prob_first_loss_wiped_out",
        unit: Unit::Probability,
        description: "share of paths on which that tranche loses its whole notional",
        value: |f| Value::Float(f.prob_first_loss_wiped_out.mean),
    },
    &Column {
        name: "prob_first_loss_wiped_out_se",
        unit: Unit::Probability,
        description: "standard error of prob_first_loss_wiped_out",
        value: |f| Value::Float(f.prob_first_loss_wiped_out.se),
    },
    &Column {
        name: "pool_notional",
        unit: Unit::Currency,
        description: "principal of the pool",
        value: |f| Value::Float(f.pool_notional),
    },
    &Column {
        name: "pool_expected_loss",
        unit: Unit::FractionOfPool,
        description: "mean pool loss: principal written off less recoveries",
        value: |f| Value::Float(f.pool_expected_loss.mean),
    },
    &Column {
        name: "pool_expected_loss_se",
        unit: Unit::FractionOfPool,
        description: "standard error of pool_expected_loss",
        value: |f| Value::Float(f.pool_expected_loss.se),
    },
    &Column {
        name: "pool_loss_p50",
        unit: Unit::FractionOfPool,
        description: "median pool loss",
        value: |f| Value::Float(f.pool_loss_quantiles[0]),
    },
    &Column {
        name: "pool_loss_p90",
        unit: Unit::FractionOfPool,
        description: "90% quantile of the pool loss",
        value: |f| Value::Float(f.pool_loss_quantiles[1]),
    },
    &Column {
        name: "pool_loss_p99",
        unit: Unit::FractionOfPool,
        description: "99% quantile of the pool loss",
        value: |f| Value::Float(f.pool_loss_quantiles[2]),
    },
    &Column {
        name: "pool_loss_p999",
        unit: Unit::FractionOfPool,
        description: "99.9% quantile of the pool loss",
        value: |f| Value::Float(f.pool_loss_quantiles[3]),
    },
    &Column {
        name: "pool_es_99",
        unit: Unit::FractionOfPool,
        description: "pool expected shortfall at 99%",
        value: |f| Value::Float(f.pool_es_99),
    },
    &Column {
        name: "pool_es_99_se",
        unit: Unit::FractionOfPool,
        description: "standard error of pool_es_99, including the uncertainty of the 99% VaR",
        value: |f| Value::Float(f.pool_es_99_se),
    },
    &Column {
        name: "expected_defaults",
        unit: Unit::Count,
        description: "mean number of defaulted loans per path",
        value: |f| Value::Float(f.expected_defaults.mean),
    },
    &Column {
        name: "expected_defaults_se",
        unit: Unit::Count,
        description: "standard error of expected_defaults",
        value: |f| Value::Float(f.expected_defaults.se),
    },
    &Column {
        name: "defaults_p50",
        unit: Unit::Count,
        description: "median number of defaults",
        value: |f| Value::Float(f.defaults_quantiles[0]),
    },
    &Column {
        name: "defaults_p90",
        unit: Unit::Count,
        description: "90% quantile of the number of defaults",
        value: |f| Value::Float(f.defaults_quantiles[1]),
    },
    &Column {
        name: "defaults_p99",
        unit: Unit::Count,
        description: "99% quantile of the number of defaults",
        value: |f| Value::Float(f.defaults_quantiles[2]),
    },
    &Column {
        name: "expected_recoveries",
        unit: Unit::Currency,
        description: "mean recoveries collected per path",
        value: |f| Value::Float(f.expected_recoveries.mean),
    },
    &Column {
        name: "expected_recoveries_se",
        unit: Unit::Currency,
        description: "standard error of expected_recoveries",
        value: |f| Value::Float(f.expected_recoveries.se),
    },
    &Column {
        name: "prob_event_of_default",
        unit: Unit::Probability,
        description: "share of paths with an event of default (a non-deferrable tranche's interest unpaid beyond the grace; empty without [waterfall.acceleration])",
        value: |f| Value::Float(f.prob_event_of_default.mean),
    },
    &Column {
        name: "prob_event_of_default_se",
        unit: Unit::Probability,
        description: "standard error of prob_event_of_default",
        value: |f| Value::Float(f.prob_event_of_default.se),
    },
    &Column {
        name: "event_of_default_years",
        unit: Unit::Years,
        description: "over the paths with one, mean years from the start to the event of default",
        value: |f| Value::Float(f.event_of_default_years),
    },
    &Column {
        name: "capital_expected_loss",
        unit: Unit::FractionOfPool,
        description: "the tranches' expected principal losses weighted by their widths, with the guarantee's payouts net of reimbursements: mean over paths of (sum of notional x loss + cap x guarantee loss) / pool_notional",
        value: |f| Value::Float(f.capital_expected_loss.mean),
    },
    &Column {
        name: "capital_expected_loss_se",
        unit: Unit::FractionOfPool,
        description: "standard error of capital_expected_loss",
        value: |f| Value::Float(f.capital_expected_loss.se),
    },
    &Column {
        name: "excess_spread_absorbed",
        unit: Unit::FractionOfPool,
        description: "pool_expected_loss - capital_expected_loss: pool losses made good from interest (PDL and coverage-test cures, interest left at the legal final, the guarantor's reimbursements); negative where principal proceeds paid interest instead (a deferrable tranche's capitalised interest, which principal repays first; interest and fees after an event of default)",
        value: |f| Value::Float(f.excess_spread_absorbed.mean),
    },
    &Column {
        name: "excess_spread_absorbed_se",
        unit: Unit::FractionOfPool,
        description: "standard error of excess_spread_absorbed (paired per path)",
        value: |f| Value::Float(f.excess_spread_absorbed.se),
    },
];

/// Writes facility.csv.
pub struct FacilityCsv;

impl Report for FacilityCsv {
    fn file_name(&self) -> &'static str {
        "facility.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let digits = run.model.currency.minor_digits;
        write_columns(out, &COLUMNS, [&run.pack.facility], digits)
    }
}
