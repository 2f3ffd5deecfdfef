//! Ed25519 verification with one rule for individual and batch checks
//! (`specs/protocol.md` §5.2).
//!
//! ed25519-dalek's individual `verify`/`verify_strict` check the cofactorless equation,
//! while a batch check of a random linear combination is naturally cofactored: on crafted
//! signatures (torsion in `R` or `A`) the two may disagree, so the server and the verifier
//! could disagree on a ballot. We use one rule for both:
//!
//! 1. `A` (public key) and `R` are canonical encodings: `y < p`, and the sign bit is 0
//!    when `x = 0`;
//! 2. `s < ℓ`;
//! 3. `A` is not of small order;
//! 4. `[8](s·B − R − k·A) = 0` with `k = SHA-512(R ‖ A ‖ M) mod ℓ` (cofactored, as ZIP-215).
//!
//! Signatures are produced by ed25519-dalek (RFC 8032); honest signatures satisfy the rule.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha512};

use crate::error::{CryptoError, Result};

/// Is this the canonical encoding of an Edwards point's `y` and sign? Refuses `y ≥ p` and
/// a set sign bit with `x = 0` (only `y = ±1` have `x = 0`). Whether `y` is on the curve is
/// left to decompression.
pub fn is_canonical_encoding(bytes: &[u8; 32]) -> bool {
    let mut y = *bytes;
    y[31] &= 0x7f;
    let sign = bytes[31] >> 7 == 1;
    // p = 2^255 − 19: y ≥ p iff the top byte is 0x7f, the middle all 0xff, the low ≥ 0xed.
    let y_ge_p = y[31] == 0x7f && y[1..31].iter().all(|&b| b == 0xff) && y[0] >= 0xed;
    let mut one = [0u8; 32];
    one[0] = 1;
    let mut minus_one = [0xffu8; 32];
    minus_one[0] = 0xec;
    minus_one[31] = 0x7f;
    let x_is_zero = y == one || y == minus_one;
    !(y_ge_p || (sign && x_is_zero))
}

fn decode_edwards(what: &'static str, bytes: &[u8; 32]) -> Result<EdwardsPoint> {
    if !is_canonical_encoding(bytes) {
        return Err(CryptoError::encoding(
            what,
            "not a canonical Ed25519 point encoding",
        ));
    }
    CompressedEdwardsY(*bytes)
        .decompress()
        .ok_or_else(|| CryptoError::encoding(what, "not a point of Ed25519"))
}

/// A signature whose encodings passed rules 1–3, ready for the equation of rule 4.
#[derive(Clone, Debug)]
pub struct PreparedSignature {
    a: EdwardsPoint,
    r: EdwardsPoint,
    s: Scalar,
    k: Scalar,
}

impl PreparedSignature {
    /// Applies rules 1–3 and computes `k`.
    pub fn new(public_key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> Result<Self> {
        let a = decode_edwards("signature public key", public_key)?;
        if a.is_small_order() {
            return Err(CryptoError::verification(
                "signature public key is of small order",
            ));
        }
        let mut r_bytes = [0u8; 32];
        r_bytes.copy_from_slice(&signature[..32]);
        let r = decode_edwards("signature R", &r_bytes)?;
        let mut s_bytes = [0u8; 32];
        s_bytes.copy_from_slice(&signature[32..]);
        let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))
            .ok_or_else(|| CryptoError::encoding("signature s", "not reduced modulo ℓ"))?;
        let mut h = Sha512::new();
        h.update(r_bytes);
        h.update(public_key);
        h.update(message);
        let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
        Ok(PreparedSignature { a, r, s, k })
    }

    /// Rule 4 alone: `[8](s·B − R − k·A) = 0`.
    pub fn holds(&self) -> bool {
        let sb_minus_ka =
            EdwardsPoint::vartime_double_scalar_mul_basepoint(&self.k, &-self.a, &self.s);
        (sb_minus_ka - self.r).mul_by_cofactor().is_identity()
    }
}

/// Checks one signature under the rule of this module.
pub fn verify_signature(public_key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> Result<()> {
    if PreparedSignature::new(public_key, message, signature)?.holds() {
        Ok(())
    } else {
        Err(CryptoError::verification("signature does not hold"))
    }
}

/// A random linear combination of rule-4 equations: `[8](Σ z_i·(s_i·B − R_i − k_i·A_i)) = 0`.
#[derive(Default)]
pub struct SignatureBatch {
    b: Scalar,
    scalars: Vec<Scalar>,
    points: Vec<EdwardsPoint>,
}

impl SignatureBatch {
    /// An empty batch.
    pub fn new() -> Self {
        SignatureBatch::default()
    }

    /// Adds a prepared signature with weight `z`.
    pub fn push(&mut self, sig: &PreparedSignature, z: Scalar) {
        self.b += z * sig.s;
        self.scalars.push(-z);
        self.points.push(sig.r);
        self.scalars.push(-(z * sig.k));
        self.points.push(sig.a);
    }

    /// Whether the combined equation holds (true for an empty batch).
    pub fn holds(&self) -> bool {
        if self.points.is_empty() {
            return true;
        }
        let sum = EdwardsPoint::vartime_multiscalar_mul(
            self.scalars.iter().chain(core::iter::once(&self.b)),
            self.points
                .iter()
                .chain(core::iter::once(&ED25519_BASEPOINT_POINT)),
        );
        sum.mul_by_cofactor().is_identity()
    }
}

/// Checks many signatures at once under the same rule, with 128-bit weights from `rng`.
/// On failure, returns the index and reason of every bad signature (found one by one).
pub fn verify_signatures<R: RngCore + CryptoRng>(
    items: &[(&[u8; 32], &[u8], &[u8; 64])],
    rng: &mut R,
) -> core::result::Result<(), Vec<(usize, CryptoError)>> {
    let mut failures = Vec::new();
    let mut batch = SignatureBatch::new();
    let mut prepared = Vec::with_capacity(items.len());
    for (i, (pk, msg, sig)) in items.iter().enumerate() {
        match PreparedSignature::new(pk, msg, sig) {
            Ok(p) => {
                batch.push(&p, random_weight(rng));
                prepared.push((i, p));
            }
            Err(e) => failures.push((i, e)),
        }
    }
    if !batch.holds() {
        for (i, p) in &prepared {
            if !p.holds() {
                failures.push((*i, CryptoError::verification("signature does not hold")));
            }
        }
        failures.sort_by_key(|(i, _)| *i);
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures)
    }
}

/// A uniform 128-bit weight: a bad equation passes a combination with probability 2⁻¹²⁸.
pub(crate) fn random_weight<R: RngCore + CryptoRng>(rng: &mut R) -> Scalar {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    Scalar::from(u128::from_le_bytes(b))
}
