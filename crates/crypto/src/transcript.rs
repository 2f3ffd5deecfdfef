//! Every Fiat–Shamir transcript of the protocol, through one extension trait on Merlin.
//!
//! A transcript starts with the protocol label [`PROTOCOL_LABEL`] (Merlin's `Transcript::new`)
//! and then the proof type under the label `proof-type`. Protocol code only uses the typed
//! appends below; the exact sequence of labels per proof is listed in `specs/protocol.md`.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};

use crate::error::{CryptoError, Result};

/// Merlin protocol label of every scrutin transcript; the version changes with any change of
/// a transcript's layout.
pub const PROTOCOL_LABEL: &[u8] = b"scrutin-protocol-v1";

/// Starts a transcript for one proof type.
pub fn new_transcript(proof_type: &'static [u8]) -> Transcript {
    let mut t = Transcript::new(PROTOCOL_LABEL);
    t.append_message(b"proof-type", proof_type);
    t
}

/// Typed appends and challenges on a Merlin transcript.
pub trait TranscriptProtocol {
    /// Appends a point's 32-byte encoding.
    fn append_point(&mut self, label: &'static [u8], point: &RistrettoPoint);
    /// Appends a point after refusing the identity (public keys, generators).
    fn append_nonidentity_point(
        &mut self,
        label: &'static [u8],
        point: &RistrettoPoint,
    ) -> Result<()>;
    /// Appends a scalar's 32-byte encoding.
    fn append_scalar(&mut self, label: &'static [u8], scalar: &Scalar);
    /// Appends a u64 (Merlin's little-endian encoding).
    fn append_count(&mut self, label: &'static [u8], n: u64);
    /// Draws a challenge: 64 bytes reduced modulo ℓ.
    fn challenge_scalar(&mut self, label: &'static [u8]) -> Scalar;
    /// Hedged nonce generation: the transcript so far, the witness and fresh randomness
    /// together seed the nonces, so a weak RNG alone cannot reveal the witness.
    fn witness_rng<R: RngCore + CryptoRng>(
        &self,
        witness: &[&Scalar],
        rng: &mut R,
    ) -> merlin::TranscriptRng;
}

impl TranscriptProtocol for Transcript {
    fn append_point(&mut self, label: &'static [u8], point: &RistrettoPoint) {
        self.append_message(label, point.compress().as_bytes());
    }

    fn append_nonidentity_point(
        &mut self,
        label: &'static [u8],
        point: &RistrettoPoint,
    ) -> Result<()> {
        if point.is_identity() {
            return Err(CryptoError::verification(format!(
                "{} must not be the identity point",
                String::from_utf8_lossy(label)
            )));
        }
        self.append_point(label, point);
        Ok(())
    }

    fn append_scalar(&mut self, label: &'static [u8], scalar: &Scalar) {
        self.append_message(label, scalar.as_bytes());
    }

    fn append_count(&mut self, label: &'static [u8], n: u64) {
        self.append_u64(label, n);
    }

    fn challenge_scalar(&mut self, label: &'static [u8]) -> Scalar {
        let mut buf = [0u8; 64];
        self.challenge_bytes(label, &mut buf);
        Scalar::from_bytes_mod_order_wide(&buf)
    }

    fn witness_rng<R: RngCore + CryptoRng>(
        &self,
        witness: &[&Scalar],
        rng: &mut R,
    ) -> merlin::TranscriptRng {
        let mut builder = self.build_rng();
        for w in witness {
            builder = builder.rekey_with_witness_bytes(b"witness", w.as_bytes());
        }
        builder.finalize(rng)
    }
}
