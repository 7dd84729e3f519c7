//! The commonest slip with the first argument: a path that is not a
//! facility file at all (a folder, the project list, a rating table, the
//! scenarios file). Said plainly, with the file to pass instead, rather
//! than as the syntax errors of reading it as TOML.

use std::path::Path;

use super::error::Diagnostic;

/// What `path` is instead of a facility file, and what to pass, if it is
/// plainly something else; `text` is its content when it could be read.
pub fn misdirected(path: &Path, text: Option<&str>) -> Option<Diagnostic> {
    let message = if path.is_dir() {
        folder_message(path)
    } else {
        let text = text?;
        match kind(path, text)? {
            Kind::Projects => format!(
                "this is a project list (CSV), not a facility file; pass the facility .toml \
                 whose `projects` key names it{}",
                sibling_hint(path)
            ),
            Kind::RatingTable => format!(
                "this is an idealized rating table (CSV), not a facility file; pass the facility \
                 .toml whose `[implied_rating]` names it{}",
                sibling_hint(path)
            ),
            Kind::OtherCsv => format!(
                "this is a CSV file, not a facility file; pass the facility .toml (docs/inputs.md){}",
                sibling_hint(path)
            ),
            Kind::Scenarios => format!(
                "this is a stress-scenarios file, not a facility file; pass the facility .toml \
                 whose `scenarios` key names it{} and choose scenarios with --scenario",
                sibling_hint(path)
            ),
        }
    };
    let mut diagnostic = Diagnostic::new("", message);
    diagnostic.file = Some(path.to_owned());
    Some(diagnostic)
}

/// What a file that is not a facility file looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Projects,
    RatingTable,
    OtherCsv,
    Scenarios,
}

fn kind(path: &Path, text: &str) -> Option<Kind> {
    let csv_extension = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if !csv_extension && let Ok(table) = text.parse::<toml::Table>() {
        let scenarios = table.contains_key("scenarios") && !table.contains_key("tranches");
        return scenarios.then_some(Kind::Scenarios);
    }
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let columns: Vec<&str> = first.split(',').map(str::trim).collect();
    let has = |name: &str| columns.contains(&name);
    if has("id") && has("amount") {
        return Some(Kind::Projects);
    }
    if has("rating") && has("year") {
        return Some(Kind::RatingTable);
    }
    // A CSV header has commas and no TOML `key =` or `[table]`; anything
    // else is left to the TOML reader's own errors.
    let header = columns.len() > 2 && !first.contains('=') && !first.starts_with('[');
    (csv_extension || header).then_some(Kind::OtherCsv)
}

/// `; e.g. DIR/facility.toml` when the file's folder has one.
fn sibling_hint(path: &Path) -> String {
    let folder = path.parent().unwrap_or(Path::new(""));
    let candidate = folder.join("facility.toml");
    if candidate.is_file() && candidate != path {
        format!(", e.g. {}", candidate.display())
    } else {
        String::new()
    }
}

/// A folder: its facility file if it has one, else the facility files in
/// it and in its subfolders.
fn folder_message(folder: &Path) -> String {
    let candidate = folder.join("facility.toml");
    if candidate.is_file() {
        return format!(
            "this is a folder; pass its facility file, {}",
            candidate.display()
        );
    }
    let entries = |dir: &Path| -> Vec<std::path::PathBuf> {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        paths.sort();
        paths
    };
    let found: Vec<String> = entries(folder)
        .into_iter()
        .flat_map(|p| match p.is_dir() {
            true => vec![p.join("facility.toml")],
            false => vec![p],
        })
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.display().to_string())
        .collect();
    match found.len() {
        0 => "this is a folder with no facility file in it; pass a facility file \
              (`blendsim init DIR` writes one to start from)"
            .to_owned(),
        _ => format!(
            "this is a folder; pass a facility file, e.g. one of {}",
            found.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_files_are_named_for_what_they_are() {
        let kind_of = |name: &str, text: &str| kind(Path::new(name), text);
        let projects = "id,name,mineral,segment,country,sponsor_nexus,amount,coupon\n";
        assert_eq!(kind_of("projects.csv", projects), Some(Kind::Projects));
        assert_eq!(kind_of("deal.txt", projects), Some(Kind::Projects));
        let table = "rating,year,default_probability,expected_loss\nR1,1,0.1,0.05\n";
        assert_eq!(kind_of("idealized.csv", table), Some(Kind::RatingTable));
        assert_eq!(kind_of("x.csv", "a,b\n"), Some(Kind::OtherCsv));
        assert_eq!(kind_of("x.dat", "a,b,c\n1,2,3\n"), Some(Kind::OtherCsv));
    }

    #[test]
    fn a_scenarios_file_is_told_apart_from_a_facility_file() {
        let scenarios =
            "# stress\n[[scenarios]]\nname = \"x\"\npd_multiplier = [{ multiplier = 2 }]\n";
        assert_eq!(kind(Path::new("s.toml"), scenarios), Some(Kind::Scenarios));
        let facility = "name = \"f\"\nscenarios = \"s.toml\"\n[[tranches]]\nname = \"a\"\n";
        assert_eq!(kind(Path::new("f.toml"), facility), None);
        // A facility file with a syntax error is left to the TOML reader.
        assert_eq!(kind(Path::new("f.toml"), "name = \n"), None);
    }
}
