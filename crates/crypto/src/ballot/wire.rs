//! The ballot as it travels and is stored: its JSON form, its canonical encoding, its
//! tracking code (`specs/protocol.md` §3.4, §5).
//!
//! Points and scalars are kept as their 32-byte encodings: decoding them is part of
//! verification (each transmitted point is decompressed exactly once), and the canonical
//! encoding is then a plain copy of the received bytes.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::elgamal::Ciphertext;
use crate::encoding::{CanonicalWriter, decode_point, serde_hex, sha256};
use crate::error::Result;

/// The ballot format version this code writes and accepts.
pub const BALLOT_VERSION: u32 = 1;

const BALLOT_TAG: &str = "scrutin/ballot/v1";

/// An ElGamal ciphertext `(α, β)` as its two 32-byte point encodings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncodedCiphertext {
    /// `α = r·G`.
    #[serde(with = "serde_hex::bytes32")]
    pub alpha: [u8; 32],
    /// `β = r·Y + m·G`.
    #[serde(with = "serde_hex::bytes32")]
    pub beta: [u8; 32],
}

impl EncodedCiphertext {
    /// Decodes both points, refusing non-canonical encodings.
    pub fn decode(&self) -> Result<Ciphertext> {
        Ok(Ciphertext {
            alpha: decode_point(&self.alpha)?,
            beta: decode_point(&self.beta)?,
        })
    }
}

/// One branch of a per-option 0/1 proof: the commitments `a` (on `G`) and `b` (on `Y`), the
/// branch challenge and the response (protocol §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZeroOneBranch {
    /// Commitment on the `G` side.
    #[serde(with = "serde_hex::bytes32")]
    pub a: [u8; 32],
    /// Commitment on the `Y` side.
    #[serde(with = "serde_hex::bytes32")]
    pub b: [u8; 32],
    /// The branch challenge.
    #[serde(with = "serde_hex::bytes32")]
    pub challenge: [u8; 32],
    /// The response.
    #[serde(with = "serde_hex::bytes32")]
    pub response: [u8; 32],
}

/// Disjunctive Chaum–Pedersen proof that an option's ciphertext encrypts 0 or 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionProof {
    /// Branch "encrypts 0".
    pub zero: ZeroOneBranch,
    /// Branch "encrypts 1".
    pub one: ZeroOneBranch,
}

/// One branch of the sum proof: the conjunction "c₀ encrypts b and Σ encrypts v" with one
/// challenge (protocol §4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SumBranch {
    /// Commitment on `G` for the blank ciphertext.
    #[serde(with = "serde_hex::bytes32")]
    pub a_blank: [u8; 32],
    /// Commitment on `Y` for the blank ciphertext.
    #[serde(with = "serde_hex::bytes32")]
    pub b_blank: [u8; 32],
    /// Commitment on `G` for the sum of option ciphertexts.
    #[serde(with = "serde_hex::bytes32")]
    pub a_sum: [u8; 32],
    /// Commitment on `Y` for the sum of option ciphertexts.
    #[serde(with = "serde_hex::bytes32")]
    pub b_sum: [u8; 32],
    /// The branch challenge.
    #[serde(with = "serde_hex::bytes32")]
    pub challenge: [u8; 32],
    /// Response for the blank ciphertext's randomness.
    #[serde(with = "serde_hex::bytes32")]
    pub response_blank: [u8; 32],
    /// Response for the sum's randomness.
    #[serde(with = "serde_hex::bytes32")]
    pub response_sum: [u8; 32],
}

/// The encrypted part of one contest.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptedContest {
    /// The contest fingerprint (protocol §3.1), which names the contest and its parameters.
    #[serde(with = "serde_hex::bytes32")]
    pub contest: [u8; 32],
    /// `c₀`, the encryption of the blank flag.
    pub blank: EncodedCiphertext,
    /// `c_1 … c_k`, one per option in ballot order.
    pub options: Vec<EncodedCiphertext>,
    /// `π_1 … π_k`, one 0/1 proof per option.
    pub option_proofs: Vec<OptionProof>,
    /// `π_Σ`: branch 0 is "blank", branch `v` (1 ≤ v ≤ M) is "v options selected".
    pub sum_proof: Vec<SumBranch>,
}

impl EncryptedContest {
    /// Decodes the ciphertexts for the tally: `(c₀, [c_1 … c_k])`.
    pub fn ciphertexts(&self) -> Result<(Ciphertext, Vec<Ciphertext>)> {
        let blank = self.blank.decode()?;
        let options = self
            .options
            .iter()
            .map(EncodedCiphertext::decode)
            .collect::<Result<Vec<_>>>()?;
        Ok((blank, options))
    }
}

/// An encrypted, proven and signed ballot (protocol §5). JSON form:
/// `{"version":1,"election":…,"scrutin":…,"voting_key":hex,"contests":[…],"signature":hex}`;
/// unknown fields are refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ballot {
    /// Format version, [`BALLOT_VERSION`].
    pub version: u32,
    /// The election.
    #[serde(rename = "election")]
    pub election_id: String,
    /// The scrutin (ballot box).
    #[serde(rename = "scrutin")]
    pub scrutin_id: String,
    /// The voting credential's Ed25519 public key.
    #[serde(with = "serde_hex::bytes32")]
    pub voting_key: [u8; 32],
    /// One encrypted part per contest of the ballot style, in its order.
    pub contests: Vec<EncryptedContest>,
    /// Ed25519 signature by the voting key over [`Ballot::signed_bytes`].
    #[serde(with = "serde_hex::bytes64")]
    pub signature: [u8; 64],
}

impl Ballot {
    fn write_unsigned(&self, w: &mut CanonicalWriter) {
        w.u32(self.version)
            .str(&self.election_id)
            .str(&self.scrutin_id)
            .raw(&self.voting_key)
            .u32(self.contests.len() as u32);
        for c in &self.contests {
            w.raw(&c.contest)
                .raw(&c.blank.alpha)
                .raw(&c.blank.beta)
                .u32(c.options.len() as u32);
            for o in &c.options {
                w.raw(&o.alpha).raw(&o.beta);
            }
            w.u32(c.option_proofs.len() as u32);
            for p in &c.option_proofs {
                for br in [&p.zero, &p.one] {
                    w.raw(&br.a).raw(&br.b).raw(&br.challenge).raw(&br.response);
                }
            }
            w.u32(c.sum_proof.len() as u32);
            for br in &c.sum_proof {
                w.raw(&br.a_blank)
                    .raw(&br.b_blank)
                    .raw(&br.a_sum)
                    .raw(&br.b_sum)
                    .raw(&br.challenge)
                    .raw(&br.response_blank)
                    .raw(&br.response_sum);
            }
        }
    }

    /// The canonical encoding of everything but the signature: what the voting key signs.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut w = CanonicalWriter::new(BALLOT_TAG);
        self.write_unsigned(&mut w);
        w.finish()
    }

    /// The full canonical encoding: [`Ballot::signed_bytes`] followed by the 64-byte
    /// signature.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = CanonicalWriter::new(BALLOT_TAG);
        self.write_unsigned(&mut w);
        w.raw(&self.signature);
        w.finish()
    }

    /// The tracking code: SHA-256 of the full canonical encoding.
    pub fn tracking_code(&self) -> TrackingCode {
        TrackingCode(sha256(&self.to_bytes()))
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        // Serializing plain strings, integers and hex never fails.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses the JSON form strictly (unknown or duplicate fields, bad hex refused).
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json)
            .map_err(|e| crate::error::CryptoError::encoding("ballot", e.to_string()))
    }
}

/// A ballot's tracking code: the SHA-256 digest of its canonical encoding. The voter sees
/// the short form; the board and the verifier show the full hex, of which the short form
/// is the beginning.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TrackingCode(#[serde(with = "serde_hex::bytes32")] pub [u8; 32]);

impl TrackingCode {
    /// The 64 lowercase hex characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The first 12 hex characters in three groups: `3f2a-9c01-77be` (48 bits).
    pub fn short(&self) -> String {
        let h = hex::encode(&self.0[..6]);
        format!("{}-{}-{}", &h[0..4], &h[4..8], &h[8..12])
    }

    /// The digest bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrackingCode({})", self.to_hex())
    }
}
