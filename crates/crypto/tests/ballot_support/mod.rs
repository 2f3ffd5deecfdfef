//! Shared fixtures of the ballot tests: an election key with its secret (to decrypt and
//! check what was encrypted), the typical and worst-case ballot styles.
#![allow(dead_code, clippy::unwrap_used)]

use ed25519_dalek::SigningKey;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use scrutin_crypto::ballot::{BallotStyle, ContestParams};
use scrutin_crypto::elgamal::{Ciphertext, base_mul};
use scrutin_crypto::{RistrettoPoint, Scalar};

pub const ELECTION: &str = "cci-2026";
pub const SCRUTIN: &str = "scrutin-75-industrie";

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// The election secret `x` and key `Y = x·G`.
pub fn election_key(seed: u64) -> (Scalar, RistrettoPoint) {
    let x = Scalar::random(&mut rng(seed ^ 0x5eed));
    (x, base_mul(&x))
}

pub fn contest(y: RistrettoPoint, id: &str, options: usize, seats: u32) -> ContestParams {
    ContestParams::new(
        ELECTION,
        id,
        y,
        (1..=options).map(|i| format!("{id}-cand-{i}")).collect(),
        seats,
    )
    .unwrap()
}

/// Two contests: CCIR 6 options / 3 seats and CCIT 15 options / 8 seats.
pub fn typical_style(y: RistrettoPoint) -> BallotStyle {
    BallotStyle::new(
        ELECTION,
        SCRUTIN,
        vec![contest(y, "ccir", 6, 3), contest(y, "ccit", 15, 8)],
    )
    .unwrap()
}

/// One contest of 100 options / 35 seats.
pub fn worst_style(y: RistrettoPoint) -> BallotStyle {
    BallotStyle::new(ELECTION, SCRUTIN, vec![contest(y, "ccit", 100, 35)]).unwrap()
}

pub fn voting_key(seed: u64) -> SigningKey {
    SigningKey::generate(&mut rng(seed ^ 0xc0de))
}

/// Decrypts a small plaintext by search (tests only).
pub fn decrypt(x: &Scalar, c: &Ciphertext, max: u64) -> Option<u64> {
    let m_g = c.beta - c.alpha * x;
    (0..=max).find(|&m| base_mul(&Scalar::from(m)) == m_g)
}
