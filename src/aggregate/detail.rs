//! What the committee pack needs of each path beyond the tranche outcomes:
//! which projects lost how much, and what was recovered. (Expected cash
//! flows come from the waterfall's exact sums, `Outcomes::cashflows`.)
//!
//! Per-project losses are kept sparse (only defaulted loans appear), so
//! 100,000 paths of a 50-loan pool cost a few megabytes.

use crate::money::Money;
use crate::simulate::{AcquisitionEvent, PoolPath};

/// The detail of one path.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PathDetail {
    /// `(loan index, loss)` for each defaulted loan, in loan order; the loss
    /// is exposure at default less recovery.
    pub project_losses: Vec<(u32, Money)>,
    /// Total recoveries collected on the path.
    pub recovered: Money,
    /// The path's nexus events, in loan order.
    pub acquisitions: Vec<AcquisitionEvent>,
}

impl PathDetail {
    /// Reads the detail of the path in `pool`.
    pub fn record(pool: &PoolPath) -> Self {
        PathDetail {
            project_losses: pool
                .defaults
                .iter()
                .map(|d| (d.loan as u32, d.exposure - d.recovery))
                .collect(),
            recovered: pool.total_recovered(),
            acquisitions: pool.nexus.acquisitions.clone(),
        }
    }
}

/// The details of every path: sparse project losses and recoveries in path
/// order.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DetailColumns {
    /// Path p's project losses are entries `offsets[p]..offsets[p + 1]`.
    offsets: Vec<usize>,
    loans: Vec<u32>,
    losses: Vec<Money>,
    /// Recoveries per path.
    pub recovered: Vec<Money>,
    /// Path p's nexus events are `events[event_offsets[p]..event_offsets[p + 1]]`.
    event_offsets: Vec<usize>,
    events: Vec<AcquisitionEvent>,
}

impl DetailColumns {
    /// Room for `paths` more paths (their per-path columns; the sparse
    /// losses grow as they come).
    pub fn reserve(&mut self, paths: usize) {
        self.offsets.reserve(paths + 1);
        self.event_offsets.reserve(paths + 1);
        self.recovered.reserve(paths);
    }

    /// Appends the next path's detail.
    pub fn push(&mut self, detail: &PathDetail) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
            self.event_offsets.push(0);
        }
        self.events.extend_from_slice(&detail.acquisitions);
        self.event_offsets.push(self.events.len());
        for &(loan, loss) in &detail.project_losses {
            self.loans.push(loan);
            self.losses.push(loss);
        }
        self.offsets.push(self.loans.len());
        self.recovered.push(detail.recovered);
    }

    /// Appends `next`, the detail of the paths that follow (see
    /// `Outcomes::append`): offsets move past this block's entries.
    pub(super) fn append(&mut self, next: DetailColumns) {
        if self.offsets.is_empty() {
            *self = next;
            return;
        }
        let DetailColumns {
            offsets,
            mut loans,
            mut losses,
            mut recovered,
            event_offsets,
            mut events,
        } = next;
        let (entries, event_entries) = (self.loans.len(), self.events.len());
        // Each block's offsets start at 0: its first is this block's last.
        (self.offsets).extend(offsets.iter().skip(1).map(|o| o + entries));
        (self.event_offsets).extend(event_offsets.iter().skip(1).map(|o| o + event_entries));
        self.loans.append(&mut loans);
        self.losses.append(&mut losses);
        self.recovered.append(&mut recovered);
        self.events.append(&mut events);
    }

    /// Nexus events of path `path`, in loan order.
    pub fn acquisitions(&self, path: usize) -> &[AcquisitionEvent] {
        &self.events[self.event_offsets[path]..self.event_offsets[path + 1]]
    }

    /// Project losses of path `path`: `(loan index, loss)`.
    pub fn project_losses(&self, path: usize) -> impl Iterator<Item = (usize, Money)> + '_ {
        let range = self.offsets[path]..self.offsets[path + 1];
        self.loans[range.clone()]
            .iter()
            .zip(&self.losses[range])
            .map(|(&loan, &loss)| (loan as usize, loss))
    }
}
