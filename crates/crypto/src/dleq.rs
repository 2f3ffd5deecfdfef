//! Chaum–Pedersen proofs of equal discrete logarithms (DLEQ), in commitment form.
//!
//! Statement: for public points `Y`, `B`, `D`, the prover knows `x` with `Y = x·G` and
//! `D = x·B`. Proof: `(A, C, s)` with `A = w·G`, `C = w·B`, `s = w + c·x`, where the
//! challenge `c` comes from the caller's transcript after this module appends `Y`, `B`, `D`,
//! `A`, `C` (labels `public-key`, `base`, `image`, `commit-g`, `commit-base`, challenge
//! `challenge`). The caller appends its context (what the statement is about) first.
//!
//! Used for decryption shares (tally, `specs/protocol.md` §9) and for DKG complaints (§7).
//! Because proofs carry their commitments, many can be checked with one multiscalar
//! multiplication ([`DleqBatch`]); batch and individual checks accept the same proofs.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};

use crate::elgamal::base_mul;
use crate::encoding::serde_hex;
use crate::error::{CryptoError, Result};
use crate::transcript::TranscriptProtocol;

/// The public part of a DLEQ statement: `Y = x·G` and `D = x·B`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DleqStatement {
    /// `Y`, the prover's public key (never the identity).
    pub public: RistrettoPoint,
    /// `B`, the second base.
    pub base: RistrettoPoint,
    /// `D = x·B`.
    pub image: RistrettoPoint,
}

/// A DLEQ proof in commitment form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DleqProof {
    /// `A = w·G`.
    #[serde(with = "serde_hex::point")]
    pub commit_g: RistrettoPoint,
    /// `C = w·B`.
    #[serde(with = "serde_hex::point")]
    pub commit_base: RistrettoPoint,
    /// `s = w + c·x`.
    #[serde(with = "serde_hex::scalar")]
    pub response: Scalar,
}

fn append_statement(t: &mut Transcript, st: &DleqStatement) -> Result<()> {
    t.append_nonidentity_point(b"public-key", &st.public)?;
    t.append_point(b"base", &st.base);
    t.append_point(b"image", &st.image);
    Ok(())
}

impl DleqProof {
    /// Proves the statement with witness `x`; the proof is checked before it is returned.
    pub fn prove<R: RngCore + CryptoRng>(
        transcript: &mut Transcript,
        x: &Scalar,
        statement: &DleqStatement,
        rng: &mut R,
    ) -> Result<DleqProof> {
        let mut verifier_view = transcript.clone();
        append_statement(transcript, statement)?;
        let mut nonce_rng = transcript.witness_rng(&[x], rng);
        let w = zeroize::Zeroizing::new(Scalar::random(&mut nonce_rng));
        let commit_g = base_mul(&w);
        let commit_base = statement.base * *w;
        transcript.append_point(b"commit-g", &commit_g);
        transcript.append_point(b"commit-base", &commit_base);
        let c = transcript.challenge_scalar(b"challenge");
        let proof = DleqProof {
            commit_g,
            commit_base,
            response: *w + c * x,
        };
        proof.verify(&mut verifier_view, statement)?;
        Ok(proof)
    }

    /// The challenge this proof answers, from the caller's transcript.
    pub fn challenge(
        &self,
        transcript: &mut Transcript,
        statement: &DleqStatement,
    ) -> Result<Scalar> {
        append_statement(transcript, statement)?;
        transcript.append_point(b"commit-g", &self.commit_g);
        transcript.append_point(b"commit-base", &self.commit_base);
        Ok(transcript.challenge_scalar(b"challenge"))
    }

    /// Checks `s·G = A + c·Y` and `s·B = C + c·D`.
    pub fn verify(&self, transcript: &mut Transcript, statement: &DleqStatement) -> Result<()> {
        let c = self.challenge(transcript, statement)?;
        let lhs_g = RistrettoPoint::vartime_double_scalar_mul_basepoint(
            &(-c),
            &statement.public,
            &self.response,
        );
        let lhs_b = RistrettoPoint::vartime_multiscalar_mul(
            [self.response, -c],
            [statement.base, statement.image],
        );
        if lhs_g == self.commit_g && lhs_b == self.commit_base {
            Ok(())
        } else {
            Err(CryptoError::verification("DLEQ proof does not verify"))
        }
    }
}

/// Many DLEQ proofs checked at once: each proof's two equations are weighted by fresh random
/// scalars and summed, and the sum must be the identity. A false proof passes only with
/// probability about 2/ℓ.
#[derive(Default)]
pub struct DleqBatch {
    g_coefficient: Scalar,
    scalars: Vec<Scalar>,
    points: Vec<RistrettoPoint>,
}

impl DleqBatch {
    /// An empty batch.
    pub fn new() -> DleqBatch {
        DleqBatch::default()
    }

    /// Adds a proof, with the transcript its context was appended to.
    pub fn add<R: RngCore + CryptoRng>(
        &mut self,
        proof: &DleqProof,
        transcript: &mut Transcript,
        statement: &DleqStatement,
        rng: &mut R,
    ) -> Result<()> {
        let c = proof.challenge(transcript, statement)?;
        let z1 = Scalar::random(rng);
        let z2 = Scalar::random(rng);
        // z1·(s·G − A − c·Y) + z2·(s·B − C − c·D) = 0
        self.g_coefficient += z1 * proof.response;
        self.scalars
            .extend_from_slice(&[-z1, -(z1 * c), z2 * proof.response, -z2, -(z2 * c)]);
        self.points.extend_from_slice(&[
            proof.commit_g,
            statement.public,
            statement.base,
            proof.commit_base,
            statement.image,
        ]);
        Ok(())
    }

    /// Number of points in the multiscalar multiplication so far.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether no proof was added.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Whether every proof added holds (with overwhelming probability).
    pub fn verify(self) -> bool {
        let sum = RistrettoPoint::vartime_multiscalar_mul(
            core::iter::once(&self.g_coefficient).chain(self.scalars.iter()),
            core::iter::once(&RISTRETTO_BASEPOINT_POINT).chain(self.points.iter()),
        );
        sum.is_identity()
    }
}
