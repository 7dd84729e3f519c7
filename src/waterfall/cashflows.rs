//! Expected cash flows per party and period: sums over paths of the
//! ledger's columns, kept in integers (i128 minor units), so the totals are
//! exact and do not depend on the order in which paths are added — any
//! number of threads gives the same file.
//!
//! For speed, paths are first added into i64 accumulators (which the
//! compiler vectorises) and flushed into the i128 totals every
//! [`FLUSH_EVERY`] paths: an i64 holds 1,024 amounts of up to 9e15 minor
//! units (90 trillion dollars) each.

use crate::model::Liabilities;
use crate::money::Money;
use crate::simulate::PoolPath;

use super::Ledger;

/// Paths added into the i64 accumulators between flushes.
pub const FLUSH_EVERY: u32 = 1024;

/// A likelihood ratio of 1 in fixed point: under importance sampling each
/// path's amounts are summed times its weight in units of 10^-12, rounded
/// once per path ([`fixed_weight`]), so the weighted sums are exact
/// integers and, like the plain sums, do not depend on the order in which
/// paths are added (any number of threads gives the same file). A weight
/// of exactly 1 is exactly `WEIGHT_ONE`, which makes a weighted sum of
/// weights all 1 the plain sum times `WEIGHT_ONE`.
pub const WEIGHT_ONE: i128 = 1_000_000_000_000;

/// Path weight `w` in fixed point (units of 1 / [`WEIGHT_ONE`]; relative
/// rounding below 10^-12 for weights near 1).
pub fn fixed_weight(w: f64) -> i128 {
    (w * WEIGHT_ONE as f64).round() as i128
}

/// The mean over `paths` paths of a sum kept in fixed-point weight units
/// (a weighted sum over [`WEIGHT_ONE`] per path), as f64: the integer
/// part divided exactly first, so that weights all 1 give `sum / paths`
/// exactly as the plain sum does.
pub fn fixed_mean(sum: i128, paths: u64) -> f64 {
    let whole = sum.div_euclid(WEIGHT_ONE) as f64;
    let part = sum.rem_euclid(WEIGHT_ONE) as f64 / WEIGHT_ONE as f64;
    (whole + part) / paths.max(1) as f64
}

/// Sums over paths of every party's payments, per period (periods 0..=K,
/// cells laid out as in the [`Ledger`]: party x (K + 1) + period). Call
/// [`CashflowSums::flush`] before reading the totals.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CashflowSums {
    /// Paths added.
    pub paths: u64,
    periods: usize,
    /// Tranche columns: interest, principal, residual, balance at the end
    /// of the period, interest shortfall, commitment fee received, cash
    /// paid in (period 0: at closing; later: shares of draws when funded
    /// as drawn).
    pub tranche: [Vec<i128>; 7],
    /// Paths on which the tranche had an interest shortfall, per cell.
    pub tranche_shortfall_paths: Vec<u64>,
    /// Fee columns: paid, unpaid after the period.
    pub fee: [Vec<i128>; 2],
    /// Paths on which the fee was not paid in full, per cell.
    pub fee_shortfall_paths: Vec<u64>,
    /// Reserve columns: deposits, withdrawals, balance at the end.
    pub reserve: [Vec<i128>; 3],
    /// The pool per period: interest collected, scheduled principal
    /// collected, recoveries collected, principal written off at default,
    /// loan draws (cash lent).
    pub pool: [Vec<i128>; 5],
    /// The facility's accounts per period: guarantee payout, guarantor
    /// reimbursed, PDL cure (interest proceeds paid into the principal
    /// proceeds), PDL balance after the period, the ramp-up account's
    /// interest, its release into the waterfall (cancelled draws), its cash
    /// lent to loans and its balance after the period.
    pub accounts: [Vec<i128>; 8],
    /// Not yet flushed: the amount columns in i64, in the order tranche
    /// (7), fee (2), reserve (3), pool (5), accounts (8).
    pending: [Vec<i64>; 25],
    pending_paths: u32,
    /// Under importance sampling (`Some`): every amount total above is a
    /// sum of amount x fixed-point weight ([`WEIGHT_ONE`] per unit
    /// weight), and these are the shortfall counts as sums of weights.
    /// Never in a part file: a sharded run is plain.
    #[serde(skip)]
    weighted: Option<WeightedCounts>,
}

/// The shortfall counts of importance-sampled paths: sums of the paths'
/// fixed-point weights, per cell.
#[derive(Debug, Clone, Default, PartialEq)]
struct WeightedCounts {
    tranche_shortfall: Vec<i128>,
    fee_shortfall: Vec<i128>,
}

fn add_column(sum: &mut [i64], column: &[Money]) {
    for (s, &m) in sum.iter_mut().zip(column) {
        *s += m.minor();
    }
}

fn add_counts(count: &mut [u64], column: &[Money]) {
    for (c, &m) in count.iter_mut().zip(column) {
        *c += u64::from(m.is_positive());
    }
}

fn add_weighted_column(sum: &mut [i128], column: impl Iterator<Item = i64>, weight: i128) {
    for (s, m) in sum.iter_mut().zip(column) {
        *s += weight * i128::from(m);
    }
}

/// A path's amount columns in the order of the pending accumulators: the
/// eight before the fees' unpaid amounts (tranche columns and fees paid),
/// then the sixteen after (reserves, pool, accounts).
fn amount_columns<'a>(
    ledger: &'a Ledger,
    pool: &'a PoolPath,
) -> ([&'a [Money]; 8], [&'a [Money]; 16]) {
    (
        [
            &ledger.interest_paid,
            &ledger.principal_paid,
            &ledger.residual_paid,
            &ledger.balance_end,
            &ledger.interest_shortfall,
            &ledger.commitment_fee,
            &ledger.funded,
            &ledger.fee_paid,
        ],
        [
            &ledger.reserve_deposit,
            &ledger.reserve_withdrawal,
            &ledger.reserve_balance,
            &pool.interest,
            &pool.principal,
            &pool.recoveries,
            &pool.defaulted,
            &pool.draws,
            &ledger.guarantee_payout,
            &ledger.guarantee_reimbursement,
            &ledger.pdl_cure,
            &ledger.pdl_balance,
            &ledger.ramp_up_interest,
            &ledger.ramp_up_release,
            &ledger.ramp_up_lent,
            &ledger.ramp_up_balance,
        ],
    )
}

fn add_sums(into: &mut [i128], from: &[i128]) {
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}

impl CashflowSums {
    /// Empty sums for `liabilities` over `periods` periods.
    pub fn new(liabilities: &Liabilities, periods: usize) -> Self {
        let width = periods + 1;
        let zeros = |parties: usize| vec![0_i128; parties * width];
        let tranches = liabilities.tranches.len();
        let fees = liabilities.fees.len();
        let reserves = liabilities.reserves.len();
        CashflowSums {
            paths: 0,
            periods,
            tranche: std::array::from_fn(|_| zeros(tranches)),
            tranche_shortfall_paths: vec![0; tranches * width],
            fee: std::array::from_fn(|_| zeros(fees)),
            fee_shortfall_paths: vec![0; fees * width],
            reserve: std::array::from_fn(|_| zeros(reserves)),
            pool: std::array::from_fn(|_| zeros(1)),
            accounts: std::array::from_fn(|_| zeros(1)),
            pending: std::array::from_fn(|c| {
                let parties = match c {
                    0..7 => tranches,
                    7..9 => fees,
                    9..12 => reserves,
                    _ => 1,
                };
                vec![0; parties * width]
            }),
            pending_paths: 0,
            weighted: None,
        }
    }

    /// These sums for importance-sampled paths (`weighted`), added with
    /// [`CashflowSums::add_weighted`]; plain otherwise.
    pub fn weighted(mut self, weighted: bool) -> Self {
        self.weighted = weighted.then(|| WeightedCounts {
            tranche_shortfall: vec![0; self.tranche_shortfall_paths.len()],
            fee_shortfall: vec![0; self.fee_shortfall_paths.len()],
        });
        self
    }

    /// Whether the sums are of importance-sampled paths, each amount times
    /// the path's fixed-point weight.
    pub fn is_weighted(&self) -> bool {
        self.weighted.is_some()
    }

    /// What a sum divides by to give a mean per path, in the sums' units:
    /// the paths, times [`WEIGHT_ONE`] when weighted.
    pub fn denominator(&self) -> i128 {
        match self.weighted {
            None => i128::from(self.paths),
            Some(_) => i128::from(self.paths) * WEIGHT_ONE,
        }
    }

    /// The share of paths (weighted: the weighted share) with a shortfall
    /// in cell `cell` of the tranches (or, `fee`, of the fees).
    pub fn shortfall_share(&self, fee: bool, cell: usize) -> f64 {
        match &self.weighted {
            None => {
                let counts = match fee {
                    false => &self.tranche_shortfall_paths,
                    true => &self.fee_shortfall_paths,
                };
                counts[cell] as f64 / self.paths as f64
            }
            Some(w) => {
                let counts = match fee {
                    false => &w.tranche_shortfall,
                    true => &w.fee_shortfall,
                };
                counts[cell] as f64 / self.denominator() as f64
            }
        }
    }

    /// The i128 totals, in the order of the pending columns.
    fn totals_mut(&mut self) -> impl Iterator<Item = &mut Vec<i128>> {
        (self.tranche.iter_mut())
            .chain(&mut self.fee)
            .chain(&mut self.reserve)
            .chain(&mut self.pool)
            .chain(&mut self.accounts)
    }

    /// Moves what the i64 accumulators hold into the i128 totals.
    pub fn flush(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        for (total, part) in self.totals_mut().zip(&mut pending) {
            for (t, p) in total.iter_mut().zip(part.iter_mut()) {
                *t += i128::from(std::mem::take(p));
            }
        }
        self.pending = pending;
        self.pending_paths = 0;
    }

    /// All cash tranche `tranche` received in period `k`, summed over
    /// paths: interest, principal, residual and commitment fee (what
    /// [`super::TranchePeriod::cash`] sums on one path).
    pub fn tranche_cash(&self, tranche: usize, k: usize) -> i128 {
        let cell = self.cell(tranche, k);
        let [interest, principal, residual, _, _, commitment_fee, _] = &self.tranche;
        interest[cell] + principal[cell] + residual[cell] + commitment_fee[cell]
    }

    /// Number of periods K.
    pub fn periods(&self) -> usize {
        self.periods
    }

    /// Adds one path: its pool and its ledger.
    pub fn add(&mut self, ledger: &Ledger, pool: &PoolPath) {
        self.paths += 1;
        let (first, rest) = amount_columns(ledger, pool);
        for (sum, column) in self.pending.iter_mut().zip(first) {
            add_column(sum, column);
        }
        add_counts(
            &mut self.tranche_shortfall_paths,
            &ledger.interest_shortfall,
        );
        for ((unpaid, count), (due, paid)) in self.pending[8]
            .iter_mut()
            .zip(&mut self.fee_shortfall_paths)
            .zip(ledger.fee_due.iter().zip(&ledger.fee_paid))
        {
            let left = (*due - *paid).minor();
            *unpaid += left;
            *count += u64::from(left > 0);
        }
        for (sum, column) in self.pending[9..].iter_mut().zip(rest) {
            add_column(sum, column);
        }
        self.pending_paths += 1;
        if self.pending_paths == FLUSH_EVERY {
            self.flush();
        }
    }

    /// Adds one importance-sampled path with fixed-point weight `weight`
    /// ([`fixed_weight`]): every amount times the weight, straight into
    /// the i128 totals (a weighted amount does not fit the i64
    /// accumulators), every shortfall counted as the weight. The sums must
    /// have been made [`CashflowSums::weighted`].
    pub fn add_weighted(&mut self, ledger: &Ledger, pool: &PoolPath, weight: i128) {
        self.paths += 1;
        let (first, rest) = amount_columns(ledger, pool);
        // Each period's unpaid fee, computed where it is read: no vector
        // allocated on every path.
        let unpaid = || {
            (ledger.fee_due.iter().zip(&ledger.fee_paid)).map(|(due, paid)| (*due - *paid).minor())
        };
        let Some(counts) = self.weighted.as_mut() else {
            return;
        };
        for (count, shortfall) in counts
            .tranche_shortfall
            .iter_mut()
            .zip(&ledger.interest_shortfall)
        {
            *count += weight * i128::from(shortfall.is_positive());
        }
        for (count, left) in counts.fee_shortfall.iter_mut().zip(unpaid()) {
            *count += weight * i128::from(left > 0);
        }
        let mut totals = (self.tranche.iter_mut())
            .chain(&mut self.fee)
            .chain(&mut self.reserve)
            .chain(&mut self.pool)
            .chain(&mut self.accounts);
        // The columns first: zip asks its first iterator first, so no
        // total is drawn and dropped when the columns run out.
        for (column, total) in first.into_iter().zip(totals.by_ref()) {
            add_weighted_column(total, column.iter().map(|m| m.minor()), weight);
        }
        if let Some(total) = totals.next() {
            add_weighted_column(total, unpaid(), weight);
        }
        for (total, column) in totals.zip(rest) {
            add_weighted_column(total, column.iter().map(|m| m.minor()), weight);
        }
    }

    /// Adds another set of sums (of other paths); flushes both.
    pub fn merge(&mut self, other: &mut CashflowSums) {
        self.flush();
        other.flush();
        self.paths += other.paths;
        if let (Some(ours), Some(theirs)) = (&mut self.weighted, &other.weighted) {
            add_sums(&mut ours.tranche_shortfall, &theirs.tranche_shortfall);
            add_sums(&mut ours.fee_shortfall, &theirs.fee_shortfall);
        }
        let theirs = (other.tranche.iter())
            .chain(&other.fee)
            .chain(&other.reserve)
            .chain(&other.pool)
            .chain(&other.accounts);
        for (a, b) in self.totals_mut().zip(theirs) {
            add_sums(a, b);
        }
        for (a, b) in [
            (
                &mut self.tranche_shortfall_paths,
                &other.tranche_shortfall_paths,
            ),
            (&mut self.fee_shortfall_paths, &other.fee_shortfall_paths),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }

    /// Cell index of party `index` in `period`.
    pub fn cell(&self, index: usize, period: usize) -> usize {
        index * (self.periods + 1) + period
    }
}
