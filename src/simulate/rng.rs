//! The random streams: one ChaCha8 stream per path.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

/// The generator of path `path`: ChaCha8 keyed by `seed`, stream `path`.
/// Counter-based, so path p's numbers are the same whichever thread or
/// chunk simulates it.
pub fn path_rng(seed: u64, path: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(path);
    rng
}

/// Where the nexus-event draws of a path start in its stream: far beyond
/// any draw of the pool (a path uses a few thousand words), so adding
/// nexus events changes no other number of the path.
const NEXUS_WORDS: u128 = 1 << 64;

/// The generator of path `path`'s nexus-event draws: the same stream as
/// [`path_rng`], from word 2^64 on.
pub fn nexus_rng(seed: u64, path: u64) -> ChaCha8Rng {
    let mut rng = path_rng(seed, path);
    rng.set_word_pos(NEXUS_WORDS);
    rng
}
