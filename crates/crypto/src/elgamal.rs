//! Exponential ElGamal on Ristretto255.
//!
//! A ciphertext of `m` under public key `Y` with randomness `r` is
//! `(α, β) = (r·G, r·Y + m·G)`. Ciphertexts add component-wise, which adds plaintexts:
//! that is how the tally aggregates ballots without decrypting any of them.

use core::ops::{Add, AddAssign, Sub};

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use serde::{Deserialize, Serialize};

use crate::encoding::serde_hex;

/// An ElGamal ciphertext `(α, β)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ciphertext {
    /// `α = r·G`.
    #[serde(with = "serde_hex::point")]
    pub alpha: RistrettoPoint,
    /// `β = r·Y + m·G`.
    #[serde(with = "serde_hex::point")]
    pub beta: RistrettoPoint,
}

impl Ciphertext {
    /// The encryption of zero with zero randomness: the neutral element of aggregation.
    pub fn zero() -> Self {
        Ciphertext {
            alpha: RistrettoPoint::identity(),
            beta: RistrettoPoint::identity(),
        }
    }

    /// Its 64-byte encoding: `α ‖ β`, each 32 bytes.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(self.alpha.compress().as_bytes());
        out[32..].copy_from_slice(self.beta.compress().as_bytes());
        out
    }
}

impl Add for Ciphertext {
    type Output = Ciphertext;
    fn add(self, rhs: Ciphertext) -> Ciphertext {
        Ciphertext {
            alpha: self.alpha + rhs.alpha,
            beta: self.beta + rhs.beta,
        }
    }
}

impl AddAssign for Ciphertext {
    fn add_assign(&mut self, rhs: Ciphertext) {
        self.alpha += rhs.alpha;
        self.beta += rhs.beta;
    }
}

impl Sub for Ciphertext {
    type Output = Ciphertext;
    fn sub(self, rhs: Ciphertext) -> Ciphertext {
        Ciphertext {
            alpha: self.alpha - rhs.alpha,
            beta: self.beta - rhs.beta,
        }
    }
}

impl core::iter::Sum for Ciphertext {
    fn sum<I: Iterator<Item = Ciphertext>>(iter: I) -> Ciphertext {
        iter.fold(Ciphertext::zero(), |acc, c| acc + c)
    }
}

/// An election public key `Y` with a precomputed fixed-base table, so that encryption
/// costs two fixed-base multiplications (the browser's budget depends on it).
pub struct EncryptionKey {
    /// `Y`.
    pub point: RistrettoPoint,
    table: RistrettoBasepointTable,
}

impl EncryptionKey {
    /// Precomputes the table for `Y`.
    pub fn new(point: RistrettoPoint) -> Self {
        EncryptionKey {
            point,
            table: RistrettoBasepointTable::create(&point),
        }
    }

    /// `r·Y` with the fixed-base table.
    pub fn mul(&self, r: &Scalar) -> RistrettoPoint {
        &self.table * r
    }

    /// Encrypts `m` with randomness `r`.
    pub fn encrypt(&self, m: &Scalar, r: &Scalar) -> Ciphertext {
        Ciphertext {
            alpha: RISTRETTO_BASEPOINT_TABLE * r,
            beta: self.mul(r) + RISTRETTO_BASEPOINT_TABLE * m,
        }
    }
}

impl core::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EncryptionKey")
            .field("point", &crate::encoding::point_to_hex(&self.point))
            .finish()
    }
}

/// `x·G` with the basepoint table.
pub fn base_mul(x: &Scalar) -> RistrettoPoint {
    RISTRETTO_BASEPOINT_TABLE * x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homomorphic_addition() {
        let x = Scalar::from(1234567u64);
        let key = EncryptionKey::new(base_mul(&x));
        let c1 = key.encrypt(&Scalar::from(3u64), &Scalar::from(11u64));
        let c2 = key.encrypt(&Scalar::from(4u64), &Scalar::from(13u64));
        let sum = c1 + c2;
        // Decrypt: β − x·α = m·G.
        assert_eq!(sum.beta - sum.alpha * x, base_mul(&Scalar::from(7u64)));
    }

    #[test]
    fn json_form_is_hex() {
        let key = EncryptionKey::new(base_mul(&Scalar::from(9u64)));
        let c = key.encrypt(&Scalar::ONE, &Scalar::from(2u64));
        let j = serde_json::to_string(&c).unwrap();
        let back: Ciphertext = serde_json::from_str(&j).unwrap();
        assert_eq!(back, c);
        assert!(j.contains("\"alpha\":\""));
    }
}
