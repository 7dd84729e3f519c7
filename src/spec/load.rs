//! [`load_facility`]: both files read, converted, validated and checked.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::{Diagnostic, EligibilityBreach, SpecError};
use super::facility_file::{FacilityRead, read_facility};
use super::file_kind::misdirected;
use super::idealized::IdealizedTable;
use super::idealized_file::{IdealizedRead, read_idealized_table};
use super::input_file::{MAX_PROJECT_LIST_BYTES, MAX_SMALL_FILE_BYTES, read_input};
use super::nexus::{OwnershipRead, read_ownership};
use super::projects_file::{ProjectsRead, listed_spelling, read_projects};
use super::reader::is_failed;
use super::scenarios::{ScenarioSpec, read_scenarios};
use super::types::FacilitySpec;
use super::validate::{Finding, Origin, findings};

/// How [`load_facility`] treats eligibility breaches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Return breaches in [`LoadedFacility::breaches`] instead of failing
    /// with [`SpecError::Breaches`].
    pub allow_breaches: bool,
}

/// A file read by [`load_facility`], for the run manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The path as it was opened.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
}

/// A validated facility and what it was read from.
#[derive(Debug, Clone)]
pub struct LoadedFacility {
    /// The validated facility, projects included.
    pub spec: FacilitySpec,
    /// Eligibility breaches (empty unless breaches were allowed).
    pub breaches: Vec<EligibilityBreach>,
    /// Likely mistakes that do not stop a run ([`FacilitySpec::warnings`]),
    /// located in the facility file.
    pub warnings: Vec<Diagnostic>,
    /// Stress scenarios from the facility's scenarios file (the base case
    /// is not listed).
    pub scenarios: Vec<ScenarioSpec>,
    /// The facility file, then the project list, then the idealized rating
    /// table (`[implied_rating]`), then the scenarios file (each if read).
    pub inputs: Vec<InputFile>,
}

/// Reads `facility.toml` at `path` and the files it names (relative to the
/// TOML file: the project list, the idealized rating table of
/// `[implied_rating]` if any, the scenarios file if any), validates them
/// and checks eligibility.
///
/// Fails with [`SpecError::Io`] if the facility file cannot be read, with
/// [`SpecError::Invalid`] listing every problem found in any of them (a
/// project list or rating table that cannot be read is one of them), and with
/// [`SpecError::Breaches`] if the pool breaks an eligibility rule and
/// `options.allow_breaches` is false.
///
/// ```
/// use blendsim::spec::{LoadOptions, load_facility};
///
/// let path = std::path::Path::new("portfolios/quickstart/facility.toml");
/// let loaded = load_facility(path, &LoadOptions::default())?;
/// assert_eq!(loaded.spec.projects.len(), 10);
/// assert_eq!(loaded.spec.tranches[0].name, "senior");
/// assert!(loaded.warnings.is_empty());
///
/// // The project list is not a facility file, and the error says so.
/// let csv = std::path::Path::new("portfolios/quickstart/projects.csv");
/// let error = load_facility(csv, &LoadOptions::default()).unwrap_err();
/// assert!(error.to_string().contains("this is a project list (CSV)"));
/// # Ok::<(), blendsim::spec::SpecError>(())
/// ```
pub fn load_facility(path: &Path, options: &LoadOptions) -> Result<LoadedFacility, SpecError> {
    let (text, input) = read_facility_text(path)?;
    let mut inputs = vec![input];
    let mut facility = read_facility(&text);
    let folder = path.parent().unwrap_or(Path::new(""));
    let csv_path = facility.projects_path.as_ref().map(|p| folder.join(p));
    let projects = csv_path
        .as_ref()
        .and_then(|csv| read_project_file(csv, &mut facility, &mut inputs));
    let table_path = facility
        .implied_rating
        .as_ref()
        .map(|keys| folder.join(&keys.table));
    let table = table_path
        .as_ref()
        .and_then(|table| read_table_file(table, &mut facility, &mut inputs));
    let ownership_path =
        (facility.spec.eligibility.ownership.as_ref()).map(|o| folder.join(&o.file));
    let ownership = ownership_path
        .as_ref()
        .and_then(|file| read_ownership_file(file, &mut facility, &mut inputs));
    let mut spec = facility.spec.clone();
    if let (Some(rules), Some(read)) = (spec.eligibility.ownership.as_mut(), &ownership) {
        rules.links = read.links.clone();
    }
    spec.projects = projects
        .as_ref()
        .map_or_else(Vec::new, |p| p.projects.clone());
    select_listed_countries(&mut spec);
    if let Some(table) = table.as_ref().and_then(|t| t.table.clone()) {
        spec.implied_rating = IdealizedTable::ByYear(table);
    }
    let others: Vec<OtherFile<'_>> = [
        (
            Origin::RatingTable,
            table_path.as_deref(),
            table.as_ref().map(|t| &t.diagnostics[..]),
        ),
        (
            Origin::Ownership,
            ownership_path.as_deref(),
            ownership.as_ref().map(|o| &o.diagnostics[..]),
        ),
    ]
    .into_iter()
    .filter_map(|(origin, path, diags)| Some((origin, path?, diags?)))
    .collect();
    let diagnostics = all_diagnostics(
        path,
        csv_path.as_deref(),
        &facility,
        projects.as_ref(),
        &others,
        &spec,
    );
    if !diagnostics.is_empty() {
        return Err(SpecError::Invalid(diagnostics));
    }
    let warnings = located_warnings(&spec, &facility, path);
    let breaches = located_breaches(spec.eligibility_breaches(), csv_path.as_deref());
    if !breaches.is_empty() && !options.allow_breaches {
        return Err(SpecError::Breaches(breaches));
    }
    let named_at = (path, facility.index.line_of("scenarios"));
    let scenarios = match &facility.scenarios_path {
        Some(file) => load_scenarios(&folder.join(file), &spec, &mut inputs, named_at)?,
        None => Vec::new(),
    };
    Ok(LoadedFacility {
        spec,
        breaches,
        warnings,
        scenarios,
        inputs,
    })
}

/// The facility file's text and its input record; refuses a file of
/// another kind (a project list, a scenarios file) by name.
fn read_facility_text(path: &Path) -> Result<(String, InputFile), SpecError> {
    let misdirected = |text| misdirected(path, text).map(|d| SpecError::Invalid(vec![d]));
    let bytes = read_input(path, MAX_SMALL_FILE_BYTES).map_err(|source| {
        misdirected(None).unwrap_or_else(|| SpecError::Io {
            path: path.to_owned(),
            source,
        })
    })?;
    if let Some(error) = misdirected(std::str::from_utf8(&bytes).ok()) {
        return Err(error);
    }
    let input = input_file(path, &bytes);
    let text = String::from_utf8(bytes).map_err(|e| {
        let diag = Diagnostic::new("", format!("the file is not UTF-8 text: {e}"));
        SpecError::Invalid(vec![located(path, diag)])
    })?;
    Ok((text, input))
}

/// Reads the scenarios file `file` against `spec`, recording it among the
/// inputs; a file that cannot be read is reported on the facility file's
/// `scenarios` key (`named_at`: the facility file and that key's line).
fn load_scenarios(
    file: &Path,
    spec: &FacilitySpec,
    inputs: &mut Vec<InputFile>,
    named_at: (&Path, Option<usize>),
) -> Result<Vec<ScenarioSpec>, SpecError> {
    let bytes = read_input(file, MAX_SMALL_FILE_BYTES).map_err(|e| {
        let message = format!("cannot read the scenarios file {}: {e}", file.display());
        let diag = Diagnostic::new("scenarios", message).at_line(named_at.1);
        SpecError::Invalid(vec![located(named_at.0, diag)])
    })?;
    inputs.push(input_file(file, &bytes));
    read_scenarios(file, spec)
}

fn input_file(path: &Path, bytes: &[u8]) -> InputFile {
    let digest = Sha256::digest(bytes);
    InputFile {
        path: path.to_owned(),
        sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

/// A file the facility file names: the key that names it, what it is (for
/// errors) and its largest size in bytes.
struct NamedFile {
    field: &'static str,
    what: &'static str,
    limit: u64,
}

/// Reads a file the facility file names (a regular file of at most its
/// limit) and parses its bytes; a read failure becomes a diagnostic on the
/// key that names it.
fn read_named_file<T>(
    file: &Path,
    named: NamedFile,
    facility: &mut FacilityRead,
    inputs: &mut Vec<InputFile>,
    parse: impl FnOnce(&[u8], &FacilityRead) -> T,
) -> Option<T> {
    let NamedFile { field, what, limit } = named;
    match read_input(file, limit) {
        Ok(bytes) => {
            inputs.push(input_file(file, &bytes));
            Some(parse(&bytes, facility))
        }
        Err(e) => {
            let message = format!("cannot read the {what} {}: {e}", file.display());
            facility.diagnostics.push(Diagnostic::new(field, message));
            facility.failed.insert(field.to_owned());
            None
        }
    }
}

/// Nexus hazards by country select the project list's spelling of it, as
/// its rows are grouped: `INDONESIA` selects the projects in `Indonesia`
/// (a name no project has stays, and is refused by the validation).
fn select_listed_countries(spec: &mut FacilitySpec) {
    let countries: Vec<String> = spec.projects.iter().map(|p| p.country.clone()).collect();
    let overrides = spec
        .nexus_events
        .iter_mut()
        .flat_map(|e| e.overrides.iter_mut());
    for country in overrides.filter_map(|o| o.selector.country.as_mut()) {
        *country = listed_spelling(countries.iter().map(String::as_str), country);
    }
}

/// Reads the project list (a read failure is reported on `projects`).
fn read_project_file(
    csv: &Path,
    facility: &mut FacilityRead,
    inputs: &mut Vec<InputFile>,
) -> Option<ProjectsRead> {
    let parse = |bytes: &[u8], _: &FacilityRead| read_projects(bytes);
    let named = NamedFile {
        field: "projects",
        what: "project list",
        limit: MAX_PROJECT_LIST_BYTES,
    };
    read_named_file(csv, named, facility, inputs, parse)
}

/// Reads the idealized rating table of `[implied_rating]` (a read failure
/// is reported on `implied_rating.table`).
fn read_table_file(
    table: &Path,
    facility: &mut FacilityRead,
    inputs: &mut Vec<InputFile>,
) -> Option<IdealizedRead> {
    let source = facility.implied_rating.as_ref()?.source.clone();
    let parse = |bytes: &[u8], _: &FacilityRead| read_idealized_table(bytes, &source);
    let named = NamedFile {
        field: "implied_rating.table",
        what: "idealized rating table",
        limit: MAX_SMALL_FILE_BYTES,
    };
    read_named_file(table, named, facility, inputs, parse)
}

/// Reads `ownership.csv` (`[eligibility.ownership] file`; a read failure
/// is reported on that key), resolving codes through the facility's table.
fn read_ownership_file(
    file: &Path,
    facility: &mut FacilityRead,
    inputs: &mut Vec<InputFile>,
) -> Option<OwnershipRead> {
    let parse = |bytes: &[u8], f: &FacilityRead| read_ownership(bytes, &f.spec.eligibility.nexus);
    let named = NamedFile {
        field: "eligibility.ownership.file",
        what: "ownership file",
        // Ownership chains can be as many as the projects' sponsors.
        limit: MAX_PROJECT_LIST_BYTES,
    };
    read_named_file(file, named, facility, inputs, parse)
}

/// A file besides the facility file and the project list whose problems
/// are reported as read: its origin, path and diagnostics.
type OtherFile<'a> = (Origin, &'a Path, &'a [Diagnostic]);

/// The facility's warnings, each on its line of the facility file.
fn located_warnings(spec: &FacilitySpec, facility: &FacilityRead, toml: &Path) -> Vec<Diagnostic> {
    let locate = |w: Diagnostic| {
        let line = facility.index.line_of(&w.field);
        located(toml, w.at_line(line))
    };
    spec.warnings().into_iter().map(locate).collect()
}

fn located(file: &Path, mut diag: Diagnostic) -> Diagnostic {
    diag.file = Some(file.to_owned());
    diag
}

/// Every problem of every file, located: the facility file, then the
/// project list, then the idealized rating table and the ownership file,
/// each by line.
fn all_diagnostics(
    toml: &Path,
    csv: Option<&Path>,
    facility: &FacilityRead,
    projects: Option<&ProjectsRead>,
    others: &[OtherFile<'_>],
    spec: &FacilitySpec,
) -> Vec<Diagnostic> {
    let no_failed = BTreeSet::new();
    let project_failed = projects.map_or(&no_failed, |p| &p.failed);
    let project_diags = projects.map_or(&[][..], |p| &p.diagnostics);
    let incomplete = !facility.diagnostics.is_empty()
        || projects.is_none_or(|p| !p.diagnostics.is_empty())
        || others.iter().any(|(_, _, diags)| !diags.is_empty());
    let kept = findings(spec).into_iter().filter(|f| {
        !incomplete || keep_when_incomplete(f, &facility.failed, project_failed, projects.is_some())
    });
    let out: Vec<(Origin, Diagnostic)> = facility
        .diagnostics
        .iter()
        .map(|d| (Origin::Facility, d.clone()))
        .chain(project_diags.iter().map(|d| (Origin::Projects, d.clone())))
        .chain(kept.map(|f| (f.origin, f.diag)))
        .chain(others.iter().flat_map(|(origin, path, diags)| {
            diags
                .iter()
                .map(move |d| (*origin, located(path, d.clone())))
        }))
        .collect();
    let mut out: Vec<_> = out
        .into_iter()
        .map(|(origin, diag)| match (origin, csv) {
            (Origin::RatingTable | Origin::Ownership, _) => (origin, diag),
            (Origin::Projects, Some(csv)) => (origin, located(csv, diag)),
            _ => {
                let line = diag.line.or_else(|| facility.index.line_of(&diag.field));
                (origin, located(toml, diag.at_line(line)))
            }
        })
        .collect();
    out.sort_by_key(|(origin, d)| (*origin, d.line));
    out.into_iter().map(|(_, diag)| diag).collect()
}

/// When some value could not be read, only single-field rules on values
/// that were read are worth reporting.
fn keep_when_incomplete(
    finding: &Finding,
    facility_failed: &BTreeSet<String>,
    project_failed: &BTreeSet<(usize, String)>,
    projects_read: bool,
) -> bool {
    let field = &finding.diag.field;
    !finding.relational
        && match finding.origin {
            Origin::Facility => !is_failed(facility_failed, field),
            Origin::Projects => {
                let line = finding.diag.line.unwrap_or(0);
                projects_read && !project_failed.contains(&(line, field.clone()))
            }
            Origin::RatingTable | Origin::Ownership => true,
        }
}

fn located_breaches(
    breaches: Vec<EligibilityBreach>,
    csv: Option<&Path>,
) -> Vec<EligibilityBreach> {
    breaches
        .into_iter()
        .map(|mut b| {
            b.file = csv.map(Path::to_owned);
            b
        })
        .collect()
}
