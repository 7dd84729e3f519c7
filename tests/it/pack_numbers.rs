//! Every number a person reads in the pack goes through src/format.rs:
//! report.html (the base case and `--scenario all`'s combined page) and
//! the terminal show money as `USD 1,222.50m`, never `USD 1222.50m`,
//! undefined values as `n/a`, and no raw floats; and the modules that
//! write them format no float themselves (no `{:.2}` in a format string).

use std::fs;
use std::path::Path;

use assert_cmd::Command;

const FLAGSHIP: &str = "portfolios/us-rok-critical-minerals/facility.toml";

/// Source files that write what a person reads in the pack.
const HUMAN_FACING: &[&str] = &[
    "src/report/html.rs",
    "src/report/html_public.rs",
    "src/report/table.rs",
    "src/report/trace_csv.rs",
    "src/report/charts.rs",
    "src/cli/analytic.rs",
];

/// Folders whose every file writes what a person reads.
const HUMAN_FACING_DIRS: &[&str] = &["src/report/html", "src/report/charts"];

/// A format specifier with a precision (`{:.2}`, `{x:.1}`, `{:>8.3}`)
/// in `line`, if any.
fn precision_specifier(line: &str) -> Option<&str> {
    let mut rest = line;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let inside = &after[..close];
        if let Some((_, spec)) = inside.split_once(':') {
            let digits_after_dot = spec
                .split_once('.')
                .is_some_and(|(_, d)| d.starts_with(|c: char| c.is_ascii_digit() || c == '*'));
            if digits_after_dot && !inside.contains(' ') {
                return Some(&rest[open..open + close + 2]);
            }
        }
        rest = &after[close..];
    }
    None
}

#[test]
fn human_facing_modules_format_no_float_themselves() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = HUMAN_FACING.iter().map(|f| root.join(f)).collect();
    for dir in HUMAN_FACING_DIRS {
        for entry in fs::read_dir(root.join(dir)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    let mut found = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if let Some(spec) = precision_specifier(line) {
                found.push(format!("{}:{}: {spec}", file.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "numbers formatted outside src/format.rs:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_specifier_scan_finds_what_it_should() {
    assert_eq!(
        precision_specifier("format!(\"{code} {:.2}m\", x)"),
        Some("{:.2}")
    );
    assert_eq!(
        precision_specifier("write!(s, \"{x:.1} y\")"),
        Some("{x:.1}")
    );
    assert_eq!(precision_specifier("\"{:>17.3}\""), Some("{:>17.3}"));
    assert_eq!(precision_specifier("format!(\"{}: {name}\", a)"), None);
    assert_eq!(precision_specifier("let s = {:?}; x.0"), None);
}

/// Words of `text` (HTML without its tags, or terminal output) that are
/// numbers a person reads but not in src/format.rs's forms.
fn badly_formatted(text: &str) -> Vec<String> {
    let mut bad = Vec::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, word) in words.iter().enumerate() {
        let word =
            (word.trim_start_matches(['(', '['])).trim_end_matches([')', ',', ';', ':', '.', ']']);
        // Seeds are identifiers, dates are dates.
        if i > 0 && words[i - 1] == "seed" || word.matches('-').count() >= 2 {
            continue;
        }
        let digits = word.trim_start_matches(['-', '+']);
        let integer: String = digits.chars().take_while(|c| c.is_ascii_digit()).collect();
        let rest = &digits[integer.len()..];
        // Four digits alone are a year (`2023-style`); as an amount, a rate or
        // a count they would have a separator.
        let ungrouped =
            integer.len() > 4 || (integer.len() == 4 && rest.starts_with(['.', 'm', '%']));
        let raw_float = rest.starts_with('.')
            && rest[1..].chars().take_while(|c| c.is_ascii_digit()).count() > 4;
        if ungrouped || raw_float || ["NaN", "inf", "-inf"].contains(&word) {
            bad.push(words[i.saturating_sub(3)..(i + 2).min(words.len())].join(" "));
        }
    }
    bad
}

#[test]
fn the_number_scan_finds_what_it_should() {
    assert_eq!(
        badly_formatted("a USD 1,222.50m b 2044-01-01 seed 20270101 c 4.41x"),
        Vec::<String>::new()
    );
    assert_eq!(badly_formatted("x USD 1222.50m y").len(), 1);
    assert_eq!(badly_formatted("x 119536 paths").len(), 1);
    assert_eq!(badly_formatted("x 0.1234567 y").len(), 1);
    assert_eq!(badly_formatted("a NaN b").len(), 1);
    assert_eq!(badly_formatted("in 2027, 1.5%").len(), 0);
    assert_eq!(badly_formatted("a 2023-style crash").len(), 0);
    assert_eq!(badly_formatted("x 1800.22 bp").len(), 1);
}

/// `html` without the parts from each `open` to the next `close`.
fn without(html: &str, open: &str, close: &str) -> String {
    let mut kept = String::new();
    let mut rest = html;
    while let Some(start) = rest.find(open) {
        kept.push_str(&rest[..start]);
        let end = rest[start..]
            .find(close)
            .map_or(rest.len(), |e| start + e + close.len());
        rest = &rest[end..];
    }
    kept.push_str(rest);
    kept
}

/// The text of an HTML page: tags, styles and charts' drawings removed
/// (chart labels are checked through their source, above).
fn page_text(html: &str) -> String {
    let html = without(&without(html, "<style>", "</style>"), "<svg", "</svg>");
    let mut plain = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                plain.push(' ');
            }
            _ if !in_tag => plain.push(c),
            _ => {}
        }
    }
    plain.replace("&#177;", "\u{b1}").replace("&amp;", "&")
}

#[test]
fn report_and_terminal_numbers_go_through_the_formatting_module() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = Command::cargo_bin("blendsim")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", FLAGSHIP, "--paths", "1000", "--scenario", "all"])
        .args(["--tornado-paths", "100", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    let terminal = String::from_utf8(output.stdout).unwrap();
    // The scenarios' table fits a 120-column terminal: a row per scenario
    // (seven in the flagship), a column per tranche.
    let table: Vec<&str> = (terminal.lines())
        .skip_while(|l| !l.starts_with("EL (bp, +-SE)"))
        .take_while(|l| !l.contains("scenarios, "))
        .collect();
    assert_eq!(table.len(), 8, "{terminal}");
    assert!(table[0].ends_with("first_loss"), "{terminal}");
    assert!(table[1].starts_with("base "), "{terminal}");
    assert!(table.iter().all(|l| l.len() <= 120), "{terminal}");
    // Each scenario's row has the three tranches' EL and SE.
    assert!(
        table[1..].iter().all(|l| l.matches(" +-").count() == 3),
        "{terminal}"
    );
    // The folder names in "Wrote into" lines are paths, not numbers.
    let terminal: String = (terminal.lines())
        .filter(|l| !l.starts_with("Wrote") && !l.contains(&*dir.path().to_string_lossy()))
        .collect::<Vec<_>>()
        .join("\n");
    let mut bad: Vec<String> = badly_formatted(&terminal)
        .into_iter()
        .map(|b| format!("terminal: {b}"))
        .collect();
    let mut pages = vec![out.join("report.html")];
    for entry in fs::read_dir(&out).unwrap() {
        let page = entry.unwrap().path().join("report.html");
        if page.is_file() {
            pages.push(page);
        }
    }
    assert!(pages.len() > 2, "the combined page and each scenario's");
    for page in &pages {
        let html = fs::read_to_string(page).unwrap();
        let text = page_text(&html);
        assert!(text.contains("USD"), "{}", page.display());
        bad.extend(
            badly_formatted(&text)
                .into_iter()
                .map(|b| format!("{}: {b}", page.display())),
        );
        assert!(
            !html.contains("<td>-</td>"),
            "{}: undefined as '-', not n/a",
            page.display()
        );
    }
    assert!(
        bad.is_empty(),
        "numbers not formatted by src/format.rs:\n{}",
        bad.join("\n")
    );
}

/// `blendsim analytic`'s terminal output: its figures (effective loans,
/// horizon, correlations) come from src/format.rs like the pack's.
#[test]
fn analytic_terminal_numbers_go_through_the_formatting_module() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("blendsim")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["analytic", FLAGSHIP, "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let terminal = String::from_utf8(output.stdout).unwrap();
    let terminal: String = (terminal.lines())
        .filter(|l| !l.starts_with("wrote"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(terminal.contains("asset correlation"), "{terminal}");
    let bad = badly_formatted(&terminal);
    assert!(bad.is_empty(), "not formatted by src/format.rs: {bad:?}");
}
