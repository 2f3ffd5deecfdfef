//! The random generator of one call, seeded from bytes the page drew with
//! `crypto.getRandomValues`.
//!
//! The module imports nothing from JavaScript (no getrandom JS backend, no wasm-bindgen):
//! the page fills 32 bytes per call and passes them in the request, and ChaCha20 stretches
//! them. The prover also hedges every nonce with its witness and transcript
//! (`scrutin_crypto::transcript`), so even a weak browser generator reveals nothing.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use zeroize::Zeroize;

use crate::error::ClientError;

/// Bytes of fresh randomness each randomised operation requires.
pub const ENTROPY_BYTES: usize = 32;

/// Builds the call's generator from the request's hex `entropy` field.
pub fn rng_from_hex(entropy: &str) -> Result<ChaCha20Rng, ClientError> {
    let mut seed = [0u8; ENTROPY_BYTES];
    if entropy.len() != 2 * ENTROPY_BYTES {
        return Err(ClientError::entropy(format!(
            "entropy must be {ENTROPY_BYTES} bytes in hex, got {} characters",
            entropy.len()
        )));
    }
    hex::decode_to_slice(entropy, &mut seed)
        .map_err(|e| ClientError::entropy(format!("entropy is not hex: {e}")))?;
    if seed.iter().all(|&b| b == 0) {
        // All zeros means the page never filled the buffer: refuse rather than encrypt
        // with a predictable stream.
        return Err(ClientError::entropy("entropy is all zeros"));
    }
    let rng = ChaCha20Rng::from_seed(seed);
    seed.zeroize();
    Ok(rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::RngCore;

    #[test]
    fn same_seed_same_stream_and_bad_seeds_refused() {
        let hex32 = "11".repeat(32);
        let (mut a, mut b) = (
            rng_from_hex(&hex32).expect("valid"),
            rng_from_hex(&hex32).expect("valid"),
        );
        assert_eq!(a.next_u64(), b.next_u64());
        for bad in [
            "",
            "11",
            &"00".repeat(32),
            &"zz".repeat(32),
            &"11".repeat(33),
        ] {
            assert_eq!(rng_from_hex(bad).expect_err(bad).code, "entropy");
        }
    }
}
