//! Input stage: reads `facility.toml` and the project list, and turns them
//! into a validated [`FacilitySpec`] (with the idealized rating table
//! named by `[implied_rating]`, if any). Every error names the file, the line
//! (TOML line or CSV row) and the field, and says what would be valid.

mod csv_source;
mod dates;
mod eligibility;
mod eligibility_file;
mod error;
mod facility_file;
mod file_kind;
mod funding_validate;
mod idealized;
mod idealized_file;
mod input_file;
mod interval;
mod load;
mod money;
mod names;
pub mod nexus;
mod nexus_events;
mod parties;
mod party_types;
mod projects_file;
mod rating_table;
mod reader;
mod scenarios;
#[cfg(test)]
pub(crate) mod test_support;
mod toml_source;
mod types;
mod validate;
mod warnings;
mod waterfall;
mod waterfall_file;
mod waterfall_validate;
mod words;

pub use error::{Diagnostic, EligibilityBreach, SpecError, escape_invisible, excerpt};
pub use idealized::{ByYearTable, IdealizedRow, IdealizedTable};
pub use idealized_file::COLUMNS as IDEALIZED_TABLE_COLUMNS;
pub use input_file::{MAX_PROJECT_LIST_BYTES, MAX_SMALL_FILE_BYTES, read_input};
pub use load::{InputFile, LoadOptions, LoadedFacility, load_facility};
pub use names::{MAX_NAME_LEN, RESERVED_NAMES, check_safe_name, sanitised_name};
pub use party_types::{DEFAULT_DISCOUNT_RATE, HoldingSpec, PARTY_KINDS, PartyKind, PartySpec};
pub use scenarios::{
    BASE, FactorRef, FactorShift, Overlay, ScenarioSpec, ShiftLevel, read_scenarios,
};
pub use types::*;
pub use validate::{MAX_DATE, MAX_HORIZON_YEARS, MAX_MINOR_UNITS, MIN_DATE};
pub use waterfall::*;
