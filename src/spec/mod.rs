//! Input stage: reads `facility.toml` and the project list, and turns them
//! into a validated [`FacilitySpec`]. Every error names the file, the line
//! (TOML line or CSV row) and the field, and says what would be valid.

mod types;

pub use types::*;
