//! `blendsim init DIR`: a small, fully commented facility to start from
//! (facility.toml, projects.csv, scenarios.toml) that validates and runs
//! as written.

use std::path::Path;

use anyhow::{Context, Result};

use super::args::InitArgs;
use super::{BadInput, emit};

/// The files written, by name.
const FILES: [(&str, &str); 3] = [
    ("facility.toml", include_str!("init/facility.toml")),
    ("projects.csv", include_str!("init/projects.csv")),
    ("scenarios.toml", include_str!("init/scenarios.toml")),
];

/// Writes the example facility into the folder (created if missing);
/// refuses to overwrite any file.
pub fn init(args: InitArgs) -> Result<()> {
    let folder = args.folder;
    let taken: Vec<String> = FILES
        .iter()
        .map(|(name, _)| folder.join(name))
        .filter(|path| path.exists())
        .map(|path| path.display().to_string())
        .collect();
    if !taken.is_empty() {
        return Err(BadInput(format!(
            "{} already exist(s); choose a new or empty folder (nothing was written)",
            taken.join(", ")
        ))
        .into());
    }
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("could not create {}", folder.display()))?;
    let mut text = String::new();
    for (name, content) in FILES {
        let path = folder.join(name);
        std::fs::write(&path, content)
            .with_context(|| format!("could not write {}", path.display()))?;
        text += &format!("wrote {}\n", path.display());
    }
    let facility = folder.join("facility.toml");
    text += &format!(
        "next: edit them (docs/inputs.md walks through every key), then\n  \
         blendsim validate {f}\n  blendsim run {f}\n",
        f = shell_word(&facility)
    );
    emit(&text)
}

/// A path as a shell word (quoted if it has anything but plain characters).
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c));
    if plain {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
