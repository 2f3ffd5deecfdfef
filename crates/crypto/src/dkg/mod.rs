//! Threshold key generation between trustees: Pedersen's DKG with Feldman commitments
//! (`specs/protocol.md` §7).
//!
//! `n` trustees (the COE president, assessors, a backup holder) jointly generate the
//! election key of one COE so that any `t` of them can decrypt and no `t − 1` can; nobody,
//! the operator included, ever holds the whole secret.
//!
//! The ceremony, for trustee `i` (steps are types, as in dalek's bulletproofs MPC: each step
//! consumes the trustee's state and returns the next state and the message to publish):
//!
//! 1. [`Registered::new`]: draws a transport key pair `(z_i, Z_i = z_i·G)` and publishes a
//!    [`TransportKeyAnnouncement`] with a proof of possession. The operator gathers the `n`
//!    announcements into the roster.
//! 2. [`Registered::deal`]: draws a polynomial `f_i` of degree `t − 1`, publishes a
//!    [`Dealing`]: Feldman commitments `C_ik = a_ik·G`, the share `f_i(j)` for every other
//!    trustee `j` encrypted to `Z_j`, and one proof of knowledge of `a_i0` and `z_i` that
//!    binds the whole dealing (so it also authenticates the dealing as trustee `i`'s).
//! 3. [`Dealt::check_dealings`]: decrypts the shares addressed to `i` and checks each against
//!    its dealer's commitments; for each bad one it publishes a [`Complaint`] that reveals
//!    the Diffie–Hellman secret of that share with a DLEQ proof, so anyone can decrypt the
//!    share and judge.
//! 4. [`Checked::finalize`]: given the complete public [`DkgTranscript`], verifies it, and
//!    keeps `x_i = Σ_{j ∈ QUAL} f_j(i)` in a [`TrusteeShare`].
//!
//! The server only relays messages; [`DkgTranscript::verify`] lets anyone recompute the
//! qualified set, the joint key `Y = Σ_{j ∈ QUAL} C_j0` and every verification key
//! `Y_i = x_i·G = Σ_{j ∈ QUAL} Σ_k i^k·C_jk`.
//!
//! As Gennaro et al. (1999) observed, a Pedersen DKG lets a cheating trustee bias the
//! distribution of `Y` slightly (by choosing to get itself disqualified); this does not
//! help break ElGamal encryption under `Y`, which is all the key is used for.

mod local;
mod messages;
mod record;
mod saved_state;
mod share_transport;
mod trustee;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use merlin::Transcript;
use serde::{Deserialize, Serialize};

use crate::encoding::{CanonicalWriter, serde_hex};
use crate::error::{CryptoError, Result};

pub use local::run_local_ceremony;
pub use messages::{Complaint, Dealing, DealingProof, EncryptedShare, TransportKeyAnnouncement};
pub use record::{
    ComplaintJudgement, ComplaintVerdict, Disqualification, DkgOutcome, DkgTranscript,
};
pub use saved_state::{
    DkgStep, STATE_FORMAT, STATE_VERSION, SavedState, SavedStateFile, SavedStatePublic,
};
pub use trustee::{Checked, Dealt, Registered, TrusteeShare};

#[cfg(test)]
mod tests;

/// Most trustees a ceremony accepts (a COE has a handful).
pub const MAX_TRUSTEES: u32 = 255;
/// Longest election or key identifier, in bytes.
pub const MAX_ID_LEN: usize = 200;

/// What a ceremony is about: one election key, `threshold` of `trustees` needed to decrypt.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DkgParameters {
    /// The election's identifier.
    pub election_id: String,
    /// The key's identifier within the election (for example the COE's).
    pub key_id: String,
    /// Number of trustees `n`, numbered 1 to `n`.
    pub trustees: u32,
    /// Threshold `t`: how many trustees together can decrypt (1 ≤ t ≤ n).
    pub threshold: u32,
}

impl DkgParameters {
    /// Builds and validates parameters.
    pub fn new(election_id: &str, key_id: &str, trustees: u32, threshold: u32) -> Result<Self> {
        let p = DkgParameters {
            election_id: election_id.to_owned(),
            key_id: key_id.to_owned(),
            trustees,
            threshold,
        };
        p.validate()?;
        Ok(p)
    }

    /// Checks `1 ≤ t ≤ n ≤ 255` and the identifiers (1 to 200 bytes, no control character).
    pub fn validate(&self) -> Result<()> {
        if self.trustees == 0 || self.trustees > MAX_TRUSTEES {
            return Err(CryptoError::invalid(format!(
                "the number of trustees must be between 1 and {MAX_TRUSTEES}, not {}",
                self.trustees
            )));
        }
        if self.threshold == 0 || self.threshold > self.trustees {
            return Err(CryptoError::invalid(format!(
                "the threshold must be between 1 and the number of trustees ({}), not {}",
                self.trustees, self.threshold
            )));
        }
        for (what, id) in [("election id", &self.election_id), ("key id", &self.key_id)] {
            if id.is_empty() || id.len() > MAX_ID_LEN || id.chars().any(char::is_control) {
                return Err(CryptoError::invalid(format!(
                    "the {what} must be 1 to {MAX_ID_LEN} bytes without control characters"
                )));
            }
        }
        Ok(())
    }

    /// Whether `i` is a trustee index (1 to `n`).
    pub fn is_trustee(&self, i: u32) -> bool {
        (1..=self.trustees).contains(&i)
    }

    pub(crate) fn check_trustee(&self, i: u32) -> Result<()> {
        if self.is_trustee(i) {
            Ok(())
        } else {
            Err(CryptoError::invalid(format!(
                "trustee index {i} is not between 1 and {}",
                self.trustees
            )))
        }
    }

    /// Appends the parameters to a Merlin transcript (labels `election-id`, `key-id`,
    /// `trustees`, `threshold`).
    pub(crate) fn append_to(&self, t: &mut Transcript) {
        t.append_message(b"election-id", self.election_id.as_bytes());
        t.append_message(b"key-id", self.key_id.as_bytes());
        t.append_u64(b"trustees", u64::from(self.trustees));
        t.append_u64(b"threshold", u64::from(self.threshold));
    }

    /// Writes the parameters into a canonical byte string.
    pub(crate) fn write_to(&self, w: &mut CanonicalWriter) {
        w.str(&self.election_id)
            .str(&self.key_id)
            .u32(self.trustees)
            .u32(self.threshold);
    }
}

/// A Schnorr proof of knowledge of a discrete logarithm, in commitment form `(R, s)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchnorrProof {
    /// `R = k·G`.
    #[serde(with = "serde_hex::point")]
    pub commitment: RistrettoPoint,
    /// `s = k + c·x`.
    #[serde(with = "serde_hex::scalar")]
    pub response: Scalar,
}

/// `Σ_k i^k·C_k`: the value at `i` of the polynomial committed to by `C`, in the exponent.
pub(crate) fn eval_commitments(commitments: &[RistrettoPoint], i: u32) -> RistrettoPoint {
    let x = Scalar::from(i);
    let mut power = Scalar::ONE;
    let mut powers = Vec::with_capacity(commitments.len());
    for _ in commitments {
        powers.push(power);
        power *= x;
    }
    RistrettoPoint::vartime_multiscalar_mul(powers, commitments)
}
