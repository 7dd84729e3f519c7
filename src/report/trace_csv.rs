//! trace_path_N.csv: one path walked through step by step — every period's
//! pool collections and defaults, then every step of the waterfall with
//! the funds available before, the amount paid, to whom, and what is left.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::aggregate::Outcomes;
use crate::engine::PathTrace;
use crate::model::Model;
use crate::money::Money;
use crate::spec::TrancheClass;
use crate::waterfall::{Payee, StepTrace};

use super::{neutralise, write_atomically};

/// The columns of a trace file, in order.
pub const COLUMNS: [&str; 10] = [
    "period",
    "date",
    "list",
    "step",
    "kind",
    "payee",
    "available_before",
    "paid",
    "available_after",
    "note",
];

/// The file name of path `path`'s trace.
pub fn trace_file_name(path: u64) -> String {
    format!("trace_path_{path}.csv")
}

/// The path at quantile `q` in (0, 1] of the loss that matters most to a
/// committee: the first first-loss tranche's, else the guarantor's, else
/// the pool's. Paths are ranked by that loss, then by pool loss, then by
/// path number; the path at rank `ceil(n q)` is returned with the name of
/// the loss used.
pub fn path_at_quantile(model: &Model, outcomes: &Outcomes, q: f64) -> (u64, &'static str) {
    let tranches = &model.liabilities.tranches;
    let (loss, basis): (&[f64], &'static str) = match (
        tranches
            .iter()
            .position(|t| t.class == TrancheClass::FirstLoss),
        &outcomes.guarantee,
    ) {
        (Some(t), _) => (&outcomes.tranches[t].loss, "first-loss tranche loss"),
        (None, Some(g)) => (&g.loss, "guarantee payout"),
        (None, None) => (&outcomes.pool_loss, "pool loss"),
    };
    let mut order: Vec<usize> = (0..loss.len()).collect();
    order.sort_by(|&a, &b| {
        loss[a]
            .total_cmp(&loss[b])
            .then(outcomes.pool_loss[a].total_cmp(&outcomes.pool_loss[b]))
            .then(a.cmp(&b))
    });
    let rank = ((order.len() as f64 * q).ceil() as usize).clamp(1, order.len().max(1));
    (order.get(rank - 1).copied().unwrap_or(0) as u64, basis)
}

fn payee_name(model: &Model, payee: Payee) -> &str {
    let l = &model.liabilities;
    match payee {
        Payee::Tranche(t) => &l.tranches[t].name,
        Payee::Fee(f) => &l.fees[f].name,
        Payee::Reserve(r) => &l.reserves[r].name,
        Payee::Test(i) => &l.tests[i].name,
    }
}

struct Writer<'a> {
    csv: csv::Writer<&'a mut dyn Write>,
    model: &'a Model,
}

/// A trace and what names its loans.
pub struct TraceFile<'a> {
    /// The facility.
    pub model: &'a Model,
    /// Project ids in project-list order (the model's loan order).
    pub project_ids: &'a [String],
    /// The traced path.
    pub trace: &'a PathTrace,
}

impl Writer<'_> {
    fn amount(&self, money: Money) -> String {
        money
            .to_decimal(self.model.currency.minor_digits)
            .to_string()
    }

    fn pool_row(&mut self, k: usize, kind: &str, amount: Money, note: &str) -> io::Result<()> {
        let date = self.model.calendar.date(k).to_string();
        let amount = self.amount(amount);
        self.csv.write_record([
            &k.to_string(),
            &date,
            "pool",
            "",
            kind,
            "",
            "",
            &amount,
            "",
            note,
        ])?;
        Ok(())
    }

    fn step_row(&mut self, step: &StepTrace) -> io::Result<()> {
        let k = step.period;
        let record = [
            k.to_string(),
            self.model.calendar.date(k).to_string(),
            step.list.as_str().to_owned(),
            step.step.to_string(),
            step.kind.to_owned(),
            neutralise(payee_name(self.model, step.payee)),
            self.amount(step.available_before),
            self.amount(step.paid),
            self.amount(step.available_after),
            neutralise(&step.note),
        ];
        self.csv.write_record(&record)?;
        Ok(())
    }
}

/// Writes the trace of one path.
pub fn write_trace(file: &TraceFile<'_>, out: &mut dyn Write) -> io::Result<()> {
    let (model, trace) = (file.model, file.trace);
    let mut w = Writer {
        csv: csv::Writer::from_writer(out),
        model,
    };
    w.csv.write_record(COLUMNS)?;
    let pool = &trace.pool;
    let mut steps = trace.steps.steps.iter().peekable();
    for k in 1..=model.calendar.periods() {
        let defaulted: Vec<&str> = pool
            .defaults
            .iter()
            .filter(|e| e.period == k)
            .map(|e| file.project_ids.get(e.loan).map_or("?", String::as_str))
            .collect();
        w.pool_row(k, "interest_collected", pool.interest[k], "")?;
        w.pool_row(k, "principal_collected", pool.principal[k], "")?;
        w.pool_row(k, "recoveries", pool.recoveries[k], "")?;
        w.pool_row(k, "defaulted", pool.defaulted[k], &defaulted.join(";"))?;
        if model.liabilities.guarantee.is_some() {
            w.pool_row(k, "guarantee_payout", trace.ledger.guarantee_payout(k), "")?;
        }
        while let Some(step) = steps.next_if(|s| s.period == k) {
            w.step_row(step)?;
        }
    }
    w.csv.flush()
}

/// Writes `trace_path_N.csv` into `folder` atomically; returns its path.
pub fn write_trace_file(folder: &Path, file: &TraceFile<'_>) -> io::Result<PathBuf> {
    let path = folder.join(trace_file_name(file.trace.path));
    write_atomically(&path, |out| write_trace(file, out))?;
    Ok(path)
}
