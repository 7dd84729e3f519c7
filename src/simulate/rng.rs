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
