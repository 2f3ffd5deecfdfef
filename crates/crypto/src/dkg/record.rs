//! The public record of a ceremony and its verification, which anyone can run.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::traits::{Identity, IsIdentity};
use serde::{Deserialize, Serialize};

use super::messages::check_roster;
use super::{Complaint, Dealing, DkgParameters, TransportKeyAnnouncement, eval_commitments};
use crate::encoding::{CanonicalWriter, serde_hex, sha256};
use crate::error::{CryptoError, Result};

/// Domain tag of a transcript's canonical encoding (its digest).
pub const TRANSCRIPT_DOMAIN: &str = "scrutin-dkg-transcript-v1";

/// Every message of a ceremony, as the server relayed them; part of the election record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DkgTranscript {
    /// The ceremony's parameters.
    pub parameters: DkgParameters,
    /// One transport key announcement per trustee, in index order.
    pub roster: Vec<TransportKeyAnnouncement>,
    /// The dealings received, in increasing dealer order (a trustee may be missing).
    pub dealings: Vec<Dealing>,
    /// The complaints, in increasing (complainer, dealer) order.
    pub complaints: Vec<Complaint>,
}

/// A dealer left out of the qualified set, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disqualification {
    /// The dealer's index.
    pub dealer: u32,
    /// Why: an invalid dealing, or founded complaints.
    pub reason: String,
}

/// The judgement of one complaint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComplaintVerdict {
    /// The revealed share is bad: the dealer is disqualified.
    Founded,
    /// The revealed share is good: the complaint has no effect.
    Unfounded,
    /// The complaint's proof does not verify (or it targets an invalid dealing): no effect.
    Invalid,
}

/// A complaint's verdict, with who complained against whom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintJudgement {
    /// The complainer.
    pub complainer: u32,
    /// The dealer complained against.
    pub dealer: u32,
    /// The verdict.
    pub verdict: ComplaintVerdict,
}

/// What a verified transcript establishes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DkgOutcome {
    /// Dealers whose polynomial makes up the key, increasing.
    pub qualified: Vec<u32>,
    /// Dealers left out, with the reason.
    pub disqualified: Vec<Disqualification>,
    /// The joint election key `Y = Σ_{j ∈ QUAL} C_j0`.
    #[serde(with = "serde_hex::point")]
    pub public_key: RistrettoPoint,
    /// `Y_i` for trustees `i = 1 … n` (position `i − 1`).
    #[serde(with = "serde_hex::points")]
    pub verification_keys: Vec<RistrettoPoint>,
    /// Each complaint of the transcript with its verdict, in transcript order.
    pub verdicts: Vec<ComplaintJudgement>,
}

impl DkgOutcome {
    /// `Y_i` of trustee `i`.
    pub fn verification_key(&self, trustee: u32) -> Option<RistrettoPoint> {
        let pos = usize::try_from(trustee).ok()?.checked_sub(1)?;
        self.verification_keys.get(pos).copied()
    }
}

impl DkgTranscript {
    /// Assembles a transcript, putting dealings and complaints in their canonical order.
    pub fn assemble(
        parameters: DkgParameters,
        roster: Vec<TransportKeyAnnouncement>,
        mut dealings: Vec<Dealing>,
        mut complaints: Vec<Complaint>,
    ) -> DkgTranscript {
        dealings.sort_by_key(|d| d.dealer);
        complaints.sort_by_key(|c| (c.complainer, c.dealer));
        DkgTranscript {
            parameters,
            roster,
            dealings,
            complaints,
        }
    }

    /// The canonical encoding whose SHA-256 is [`DkgTranscript::digest`].
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut w = CanonicalWriter::new(TRANSCRIPT_DOMAIN);
        self.parameters.write_to(&mut w);
        w.u32(self.roster.len() as u32);
        for ann in &self.roster {
            w.u32(ann.trustee)
                .point(&ann.transport_key)
                .point(&ann.proof.commitment)
                .scalar(&ann.proof.response);
        }
        w.u32(self.dealings.len() as u32);
        for d in &self.dealings {
            d.write_to(&mut w);
        }
        w.u32(self.complaints.len() as u32);
        for c in &self.complaints {
            c.write_to(&mut w);
        }
        w.finish()
    }

    /// SHA-256 of the canonical encoding: what trustees compare on screen, what key-share
    /// files and the journal name.
    pub fn digest(&self) -> [u8; 32] {
        sha256(&self.canonical_bytes())
    }

    /// Verifies the whole ceremony and recomputes its outcome.
    ///
    /// Refused outright: invalid parameters or roster, dealings or complaints out of order or
    /// repeated, complaints about absent dealings, fewer than `t` qualified dealers.
    /// Otherwise a dealer is disqualified when its dealing is invalid or a complaint
    /// against it is founded; unfounded or unverifiable complaints have no effect.
    pub fn verify(&self) -> Result<DkgOutcome> {
        let params = &self.parameters;
        check_roster(params, &self.roster)?;
        for pair in self.dealings.windows(2) {
            if pair[0].dealer >= pair[1].dealer {
                return Err(CryptoError::invalid(format!(
                    "dealings out of order or repeated at trustee {}",
                    pair[1].dealer
                )));
            }
        }
        for pair in self.complaints.windows(2) {
            if (pair[0].complainer, pair[0].dealer) >= (pair[1].complainer, pair[1].dealer) {
                return Err(CryptoError::invalid(format!(
                    "complaints out of order or repeated at ({}, {})",
                    pair[1].complainer, pair[1].dealer
                )));
            }
        }
        let mut disqualified = Vec::new();
        let mut valid: Vec<&Dealing> = Vec::new();
        for dealing in &self.dealings {
            params.check_trustee(dealing.dealer)?;
            match dealing.verify(params, &self.roster) {
                Ok(()) => valid.push(dealing),
                Err(e) => disqualified.push(Disqualification {
                    dealer: dealing.dealer,
                    reason: format!("invalid dealing: {e}"),
                }),
            }
        }
        let mut verdicts = Vec::with_capacity(self.complaints.len());
        for complaint in &self.complaints {
            let dealing = self
                .dealings
                .iter()
                .find(|d| d.dealer == complaint.dealer)
                .ok_or_else(|| {
                    CryptoError::invalid(format!(
                        "complaint of trustee {} against trustee {}, who has no dealing",
                        complaint.complainer, complaint.dealer
                    ))
                })?;
            let verdict = if !valid.iter().any(|d| d.dealer == complaint.dealer) {
                ComplaintVerdict::Invalid
            } else {
                match complaint.judge(params, &self.roster, dealing) {
                    Ok(true) => ComplaintVerdict::Founded,
                    Ok(false) => ComplaintVerdict::Unfounded,
                    Err(_) => ComplaintVerdict::Invalid,
                }
            };
            verdicts.push(ComplaintJudgement {
                complainer: complaint.complainer,
                dealer: complaint.dealer,
                verdict,
            });
        }
        let mut qualified = Vec::new();
        let mut sums = vec![RistrettoPoint::identity(); params.threshold as usize];
        for dealing in valid {
            let founded: Vec<u32> = verdicts
                .iter()
                .filter(|j| j.dealer == dealing.dealer && j.verdict == ComplaintVerdict::Founded)
                .map(|j| j.complainer)
                .collect();
            if founded.is_empty() {
                qualified.push(dealing.dealer);
                for (sum, c) in sums.iter_mut().zip(&dealing.commitments) {
                    *sum += c;
                }
            } else {
                disqualified.push(Disqualification {
                    dealer: dealing.dealer,
                    reason: format!("founded complaints by trustees {founded:?}"),
                });
            }
        }
        disqualified.sort_by_key(|d| d.dealer);
        if qualified.len() < params.threshold as usize {
            return Err(CryptoError::verification(format!(
                "only {} qualified dealers, the threshold is {}: the ceremony must start again",
                qualified.len(),
                params.threshold
            )));
        }
        let public_key = sums[0];
        if public_key.is_identity() {
            return Err(CryptoError::verification("the joint key is the identity"));
        }
        let verification_keys = (1..=params.trustees)
            .map(|i| eval_commitments(&sums, i))
            .collect();
        Ok(DkgOutcome {
            qualified,
            disqualified,
            public_key,
            verification_keys,
            verdicts,
        })
    }
}
