//! trace_path_N.csv: one path walked through step by step — every period's
//! pool collections and defaults, then every step of the waterfall with
//! the funds available before, the amount paid, to whom, and what is left.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::aggregate::Outcomes;
use crate::engine::PathTrace;
use crate::model::Model;
use crate::money::Money;
use crate::spec::TrancheClass;
use crate::waterfall::{Payee, StepTrace};

use super::columns::{Column, Unit, Value, write_columns};
use super::write_atomically;

/// One row of a trace file: a pool figure of a period, or a step of the
/// waterfall.
pub struct TraceRow {
    /// Period k.
    pub period: usize,
    /// Its payment date.
    pub date: NaiveDate,
    /// `pool`, `interest` or `principal`.
    pub list: &'static str,
    /// Position of the step in its list (steps only).
    pub step: Option<usize>,
    /// The pool figure or the step's kind.
    pub kind: &'static str,
    /// Tranche, fee, reserve or test paid (steps only).
    pub payee: Option<String>,
    /// Funds before the payment (steps only).
    pub available_before: Option<Money>,
    /// Amount paid (for a pool row, the figure).
    pub paid: Money,
    /// Funds left (steps only).
    pub available_after: Option<Money>,
    /// What happened, in words.
    pub note: String,
}

/// A column of a trace file.
pub type TraceColumn = Column<TraceRow>;

fn money(amount: Option<Money>) -> Value {
    amount.map_or(Value::Empty, Value::Money)
}

/// The columns of a trace file, in order.
pub const COLUMNS: [&TraceColumn; 10] = [
    &Column {
        name: "period",
        unit: Unit::Index,
        description: "the period",
        value: |r| Value::Count(r.period as u64),
    },
    &Column {
        name: "date",
        unit: Unit::Date,
        description: "its payment date",
        value: |r| Value::Date(r.date),
    },
    &Column {
        name: "list",
        unit: Unit::Text,
        description: "pool, interest, principal or acceleration.steps",
        value: |r| Value::Word(r.list),
    },
    &Column {
        name: "step",
        unit: Unit::Index,
        description: "position of the step in its list (0-based)",
        value: |r| r.step.map_or(Value::Empty, |s| Value::Count(s as u64)),
    },
    &Column {
        name: "kind",
        unit: Unit::Text,
        description: "the pool figure or the step's kind",
        value: |r| Value::Word(r.kind),
    },
    &Column {
        name: "payee",
        unit: Unit::Text,
        description: "tranche, fee, reserve or test name",
        value: |r| r.payee.clone().map_or(Value::Empty, Value::Name),
    },
    &Column {
        name: "available_before",
        unit: Unit::Currency,
        description: "funds of the list before the payment",
        value: |r| money(r.available_before),
    },
    &Column {
        name: "paid",
        unit: Unit::Currency,
        description: "amount paid (a pool row's figure)",
        value: |r| Value::Money(r.paid),
    },
    &Column {
        name: "available_after",
        unit: Unit::Currency,
        description: "funds left",
        value: |r| money(r.available_after),
    },
    &Column {
        name: "note",
        unit: Unit::Text,
        description: "what happened",
        value: |r| Value::Name(r.note.clone()),
    },
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
        Payee::Pdl => "pdl",
        Payee::Guarantor => l
            .guarantee
            .as_ref()
            .map_or("guarantee", |g| g.name.as_str()),
    }
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

/// The pool's rows of period `k`: collections, defaults (their project ids
/// in the note) and a guarantee's payout.
fn pool_rows(file: &TraceFile<'_>, k: usize) -> Vec<TraceRow> {
    let (model, trace) = (file.model, file.trace);
    let pool = &trace.pool;
    let defaulted: Vec<&str> = pool
        .defaults
        .iter()
        .filter(|e| e.period == k)
        .map(|e| file.project_ids.get(e.loan).map_or("?", String::as_str))
        .collect();
    let row = |kind, paid, note: String| TraceRow {
        period: k,
        date: model.calendar.date(k),
        list: "pool",
        step: None,
        kind,
        payee: None,
        available_before: None,
        paid,
        available_after: None,
        note,
    };
    let mut rows = vec![
        row("interest_collected", pool.interest[k], String::new()),
        row("principal_collected", pool.principal[k], String::new()),
        row("recoveries", pool.recoveries[k], String::new()),
        row("defaulted", pool.defaulted[k], defaulted.join(";")),
    ];
    if model.liabilities.guarantee.is_some() {
        let payout = trace.ledger.guarantee_payout(k);
        rows.push(row("guarantee_payout", payout, String::new()));
    }
    rows
}

fn step_row(model: &Model, step: &StepTrace) -> TraceRow {
    TraceRow {
        period: step.period,
        date: model.calendar.date(step.period),
        list: step.list.as_str(),
        step: Some(step.step),
        kind: step.kind,
        payee: Some(payee_name(model, step.payee).to_owned()),
        available_before: Some(step.available_before),
        paid: step.paid,
        available_after: Some(step.available_after),
        note: step
            .note
            .render(model.currency.minor_digits, &model.currency.code),
    }
}

/// Writes the trace of one path: each period's pool rows, then its steps.
pub fn write_trace(file: &TraceFile<'_>, out: &mut dyn Write) -> io::Result<()> {
    let model = file.model;
    let mut steps = file.trace.steps.steps.iter().peekable();
    let mut rows = Vec::new();
    for k in 1..=model.calendar.periods() {
        rows.extend(pool_rows(file, k));
        while let Some(step) = steps.next_if(|s| s.period == k) {
            rows.push(step_row(model, step));
        }
    }
    write_columns(out, &COLUMNS, rows, model.currency.minor_digits)
}

/// Writes `trace_path_N.csv` into `folder` atomically; returns its path.
pub fn write_trace_file(folder: &Path, file: &TraceFile<'_>) -> io::Result<PathBuf> {
    let path = folder.join(trace_file_name(file.trace.path));
    write_atomically(&path, |out| write_trace(file, out))?;
    Ok(path)
}
