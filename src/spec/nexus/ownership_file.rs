//! `ownership.csv`: who owns how much of whom. One row per holding:
//! `entity,owner,share,jurisdiction,flags`, the jurisdiction and flags
//! being the owner's. Rows are checked one by one (share in (0, 1], a
//! known jurisdiction, known flags), then across rows: an entity's owners
//! hold at most 1 in all, an owner has one jurisdiction and one set of
//! flags, and no chain of owners comes back to where it started.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::super::csv_source::{Cells, CsvFile, Schema};
use super::super::error::Diagnostic;
use super::super::money::parse_decimal_text;
use super::NexusTable;
use super::ownership::Link;

/// The columns of `ownership.csv`.
pub const COLUMNS: [&str; 5] = ["entity", "owner", "share", "jurisdiction", "flags"];

/// The flags a row may give its owner.
const FLAGS: [&str; 1] = ["prc_linked"];

/// The rows read and every problem found (no file set).
pub(crate) struct OwnershipRead {
    /// The rows that could be read.
    pub links: Vec<Link>,
    /// Every problem, in line order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads `ownership.csv`, resolving jurisdictions through `table`.
pub(crate) fn read_ownership(bytes: &[u8], table: &NexusTable) -> OwnershipRead {
    let required = ["entity", "owner", "share"];
    let file = CsvFile::open(
        bytes,
        &Schema {
            known: &COLUMNS,
            required: &required,
            expected: "the columns entity, owner, share, and optionally jurisdiction, flags",
        },
    );
    let mut links = Vec::new();
    let read = file.rows(|cells| {
        if let Some(link) = link(cells, table) {
            links.push(link);
        }
    });
    let mut diagnostics = read.diagnostics;
    if diagnostics.is_empty() {
        check_totals(&links, &mut diagnostics);
        check_owners_agree(&links, &mut diagnostics);
        check_cycles(&links, &mut diagnostics);
    }
    diagnostics.sort_by_key(|d| d.line);
    OwnershipRead { links, diagnostics }
}

/// One row; `None` when a cell could not be read (it is reported).
fn link(c: &mut Cells<'_>, table: &NexusTable) -> Option<Link> {
    let entity = c.parse("entity", String::new(), |t| Ok(t.to_owned()));
    let owner = c.parse("owner", String::new(), |t| Ok(t.to_owned()));
    if !entity.is_empty() && entity == owner {
        c.report(
            "owner",
            format!("`{owner}` owns itself; expected another entity"),
        );
        c.mark_failed("owner");
    }
    let share = c.parse("share", Decimal::ZERO, |t| {
        let share = parse_decimal_text(t)?;
        if share > Decimal::ZERO && share <= Decimal::ONE {
            Ok(share)
        } else {
            Err(format!(
                "{t} is not a share; expected a decimal in (0, 1], e.g. 0.6"
            ))
        }
    });
    let jurisdiction = c
        .optional("jurisdiction")
        .and_then(|j| match table.resolve(j) {
            Some(code) => Some(code.to_owned()),
            None => {
                let message = table.check_code(j).err().unwrap_or_default();
                c.report("jurisdiction", message);
                c.mark_failed("jurisdiction");
                None
            }
        });
    let prc_linked_flag = flags(c);
    let failed = ["entity", "owner", "share", "jurisdiction", "flags"]
        .iter()
        .any(|col| c.failed(col));
    (!failed).then(|| Link {
        entity,
        owner,
        share,
        jurisdiction,
        prc_linked_flag,
        line: c.line(),
    })
}

/// The `flags` cell: `;`-separated words of [`FLAGS`]; whether
/// `prc_linked` is among them.
fn flags(c: &mut Cells<'_>) -> bool {
    let Some(text) = c.optional("flags") else {
        return false;
    };
    let words: Vec<String> = text.split(';').map(|w| w.trim().to_lowercase()).collect();
    if let Some(bad) = words.iter().find(|w| !FLAGS.contains(&w.as_str())) {
        c.report(
            "flags",
            format!(
                "`{bad}` is not a flag; expected {} or no value",
                FLAGS.join(", ")
            ),
        );
        c.mark_failed("flags");
    }
    words.iter().any(|w| w == "prc_linked")
}

/// An entity's owners hold at most 1 in all.
fn check_totals(links: &[Link], out: &mut Vec<Diagnostic>) {
    let mut totals: BTreeMap<&str, (Decimal, Vec<usize>)> = BTreeMap::new();
    for link in links {
        let (total, lines) = totals.entry(&link.entity).or_default();
        *total += link.share;
        lines.push(link.line);
        if *total > Decimal::ONE {
            let lines: Vec<String> = lines.iter().map(usize::to_string).collect();
            let message = format!(
                "the owners of `{}` hold {} in all (lines {}); expected at most 1",
                link.entity,
                total.normalize(),
                lines.join(", ")
            );
            out.push(Diagnostic::new("share", message).at_line(Some(link.line)));
        }
    }
}

/// An owner named on several rows has the same jurisdiction and flags on
/// each.
fn check_owners_agree(links: &[Link], out: &mut Vec<Diagnostic>) {
    let mut first: BTreeMap<&str, &Link> = BTreeMap::new();
    for link in links {
        let Some(earlier) = first.get(link.owner.as_str()) else {
            first.insert(&link.owner, link);
            continue;
        };
        let field = if earlier.jurisdiction != link.jurisdiction {
            "jurisdiction"
        } else if earlier.prc_linked_flag != link.prc_linked_flag {
            "flags"
        } else {
            continue;
        };
        let message = format!(
            "owner `{}` has another {field} on line {}; expected the same {field} on every row of an owner",
            link.owner, earlier.line
        );
        out.push(Diagnostic::new(field, message).at_line(Some(link.line)));
    }
}

/// No chain of owners leads back to an entity already on it.
fn check_cycles(links: &[Link], out: &mut Vec<Diagnostic>) {
    let mut owners: BTreeMap<&str, Vec<&Link>> = BTreeMap::new();
    for link in links {
        owners.entry(&link.entity).or_default().push(link);
    }
    let mut done: BTreeMap<&str, bool> = BTreeMap::new();
    for start in owners.keys() {
        let mut path = Vec::new();
        if let Some(diag) = cycle_from(start, &owners, &mut done, &mut path) {
            out.push(diag);
            return;
        }
    }
}

/// Depth-first search; `done[e]` is false while `e` is on the path.
fn cycle_from<'a>(
    entity: &'a str,
    owners: &BTreeMap<&'a str, Vec<&'a Link>>,
    done: &mut BTreeMap<&'a str, bool>,
    path: &mut Vec<&'a Link>,
) -> Option<Diagnostic> {
    match done.get(entity) {
        Some(true) => return None,
        Some(false) => {
            let at = path.iter().position(|l| l.entity == entity).unwrap_or(0);
            let cycle = &path[at..];
            let mut chain = entity.to_owned();
            for link in cycle {
                chain.push_str(&format!(" -> {} ({})", link.owner, link.share.normalize()));
            }
            let closing = cycle.last().map(|l| l.line);
            let message = format!(
                "ownership cycle {chain}; expected chains of owners that never come back to an entity"
            );
            return Some(Diagnostic::new("owner", message).at_line(closing));
        }
        None => {}
    }
    done.insert(entity, false);
    for link in owners.get(entity).into_iter().flatten() {
        path.push(link);
        let found = cycle_from(&link.owner, owners, done, path);
        path.pop();
        if found.is_some() {
            return found;
        }
    }
    done.insert(entity, true);
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(rows: &str) -> OwnershipRead {
        let text = format!("entity,owner,share,jurisdiction,flags\n{rows}");
        read_ownership(text.as_bytes(), &NexusTable::default())
    }

    fn problems(read: &OwnershipRead) -> Vec<(Option<usize>, &str)> {
        crate::spec::test_support::located(&read.diagnostics)
    }

    #[test]
    fn reads_rows_and_resolves_jurisdictions() {
        let read = read("S,HoldCo,0.6,Singapore,\nHoldCo,Fund,0.5,PRC,\nS,X,0.1,LU,PRC_Linked\n");
        assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
        assert_eq!(read.links[1].jurisdiction.as_deref(), Some("CN"));
        assert_eq!(read.links[0].jurisdiction.as_deref(), Some("SG"));
        assert!(read.links[2].prc_linked_flag);
        assert_eq!(read.links[2].line, 4);
    }

    #[test]
    fn bad_cells_are_reported_with_line_and_field() {
        let read = read("S,A,1.2,US,\nS,B,0.5,Atlantis,\nS,S,0.1,US,\nS,C,0.1,US,vip\n");
        assert_eq!(
            problems(&read),
            [
                (Some(2), "share"),
                (Some(3), "jurisdiction"),
                (Some(4), "owner"),
                (Some(5), "flags"),
            ]
        );
        assert!(
            read.diagnostics[0]
                .message
                .contains("expected a decimal in (0, 1]")
        );
    }

    #[test]
    fn owners_above_one_in_all_and_cycles_are_errors() {
        let read = read("S,A,0.7,US,\nS,B,0.4,KR,\n");
        assert_eq!(problems(&read), [(Some(3), "share")]);
        assert!(
            read.diagnostics[0]
                .message
                .contains("hold 1.1 in all (lines 2, 3)")
        );
        let read = read_cycle();
        assert_eq!(problems(&read), [(Some(4), "owner")]);
        assert_eq!(
            read.diagnostics[0].message,
            "ownership cycle A -> B (0.5) -> C (0.5) -> A (0.2); expected chains of owners that never come back to an entity"
        );
    }

    fn read_cycle() -> OwnershipRead {
        read("A,B,0.5,US,\nB,C,0.5,US,\nC,A,0.2,US,\n")
    }

    #[test]
    fn an_owner_keeps_one_jurisdiction() {
        let read = read("S,A,0.2,US,\nT,A,0.2,KR,\n");
        assert_eq!(problems(&read), [(Some(3), "jurisdiction")]);
    }
}
