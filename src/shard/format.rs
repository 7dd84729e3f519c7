//! The part file on disk (docs/scale-out.md, "The part file"):
//!
//! | bytes | content |
//! | --- | --- |
//! | 0..8 | magic `BSIMPART` |
//! | 8..12 | format version, u32 little-endian ([`FORMAT_VERSION`]) |
//! | 12..20 | payload length in bytes, u64 little-endian |
//! | 20..52 | SHA-256 of the payload |
//! | 52.. | payload: the writer's version (a postcard string), then the [`Part`] in postcard |
//!
//! Postcard (a documented, stable serde wire format) writes every field in
//! declaration order, floats as their 8 IEEE bytes (NaN payloads kept),
//! integers as varints: a new per-path column is a new field of
//! [`crate::aggregate::Outcomes`] and nothing here. The version comes
//! first so a part of another version is refused by name before its
//! layout is read.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::{Part, ShardError};
use crate::report::write_atomically;

/// The first eight bytes of every part file.
pub const MAGIC: &[u8; 8] = b"BSIMPART";

/// The version of the envelope above (not of the payload's layout, which
/// follows the blendsim version that wrote it).
pub const FORMAT_VERSION: u32 = 1;

const HEADER: usize = 52;

/// Writes `part` to `file` atomically (a reader never sees half a part).
pub fn write_part(file: &Path, part: &Part) -> Result<(), ShardError> {
    let io = |source| ShardError::Io {
        file: file.to_owned(),
        source,
    };
    let mut payload = postcard::to_stdvec(&part.version).map_err(|e| encode_error(file, e))?;
    payload = postcard::to_io(part, payload).map_err(|e| encode_error(file, e))?;
    let digest = Sha256::digest(&payload);
    write_atomically(file, |out| {
        out.write_all(MAGIC)?;
        out.write_all(&FORMAT_VERSION.to_le_bytes())?;
        out.write_all(&(payload.len() as u64).to_le_bytes())?;
        out.write_all(&digest)?;
        out.write_all(&payload)
    })
    .map_err(io)
}

fn encode_error(file: &Path, error: postcard::Error) -> ShardError {
    ShardError::Io {
        file: file.to_owned(),
        source: std::io::Error::other(error),
    }
}

/// Reads a part file, refusing (with the file's name and why) anything
/// that is not a whole, intact part of this blendsim version.
pub fn read_part(file: &Path) -> Result<Part, ShardError> {
    let bytes = std::fs::read(file).map_err(|source| ShardError::Io {
        file: file.to_owned(),
        source,
    })?;
    let unreadable = |why: String| ShardError::Unreadable {
        file: file.to_owned(),
        why,
    };
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(unreadable(
            "not a blendsim part file (it does not start with BSIMPART)".into(),
        ));
    }
    if bytes.len() < HEADER {
        return Err(unreadable(format!(
            "truncated: {} bytes, shorter than the {HEADER}-byte header",
            bytes.len()
        )));
    }
    let word = |range: std::ops::Range<usize>| -> u64 {
        (bytes[range].iter().rev()).fold(0, |n, &b| (n << 8) | u64::from(b))
    };
    let format = word(8..12);
    if format != u64::from(FORMAT_VERSION) {
        return Err(unreadable(format!(
            "part format {format}; this blendsim reads format {FORMAT_VERSION}"
        )));
    }
    let payload = &bytes[HEADER..];
    let expected = word(12..20);
    if payload.len() as u64 != expected {
        return Err(unreadable(format!(
            "truncated or padded: the header announces {expected} bytes of outcomes, the file \
             has {}",
            payload.len()
        )));
    }
    if Sha256::digest(payload)[..] != bytes[20..HEADER] {
        return Err(unreadable(
            "corrupt: its outcomes do not match their SHA-256 checksum".into(),
        ));
    }
    decode(payload).map_err(unreadable)
}

/// The payload: the writer's version first, then (same version only) the
/// part.
fn decode(payload: &[u8]) -> Result<Part, String> {
    let ours = env!("CARGO_PKG_VERSION");
    let (version, rest) = postcard::take_from_bytes::<String>(payload)
        .map_err(|e| format!("corrupt: no version at the start of its outcomes ({e})"))?;
    if version != ours {
        return Err(format!(
            "written by blendsim {version}; this is blendsim {ours}: run every shard and the \
             merge with one version"
        ));
    }
    let (part, rest) = postcard::take_from_bytes::<Part>(rest).map_err(|e| {
        format!("its outcomes cannot be read ({e}): written by another build of blendsim {ours}?")
    })?;
    if !rest.is_empty() || part.version != version {
        return Err("corrupt: its outcomes are followed by extra bytes".into());
    }
    Ok(part)
}
