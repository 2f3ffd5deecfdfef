//! The statement every ballot proof binds, and the Fiat–Shamir challenges
//! (`specs/protocol.md` §4.1).
//!
//! The whole statement of a ballot (election, scrutin, voting key, every contest fingerprint
//! and every ciphertext) is hashed once into the statement digest `D`; each proof's Merlin
//! transcript absorbs `D` and the proof's position, then its commitments. So a proof
//! cannot be moved to another position, another ballot, another voting key or another
//! contest definition without changing its challenge.

use merlin::Transcript;

use super::wire::{Ballot, OptionProof, SumBranch};
use crate::Scalar;
use crate::encoding::{CanonicalWriter, sha256};
use crate::transcript::{TranscriptProtocol, new_transcript};

const STATEMENT_TAG: &str = "scrutin/ballot-statement/v1";
/// Proof type of the per-option 0/1 proofs.
pub(crate) const OPTION_PROOF: &[u8] = b"ballot-option-0-1";
/// Proof type of the blank/sum proofs.
pub(crate) const SUM_PROOF: &[u8] = b"ballot-blank-sum";

/// `D = SHA-256(str(tag) ‖ u32(version) ‖ str(election) ‖ str(scrutin) ‖ voting key ‖
/// u32(#contests) ‖ per contest: fingerprint ‖ α₀ ‖ β₀ ‖ u32(k) ‖ α_1 ‖ β_1 ‖ … ‖ α_k ‖ β_k)`.
pub(crate) fn statement_digest(ballot: &Ballot) -> [u8; 32] {
    let mut w = CanonicalWriter::new(STATEMENT_TAG);
    w.u32(ballot.version)
        .str(&ballot.election_id)
        .str(&ballot.scrutin_id)
        .raw(&ballot.voting_key)
        .u32(ballot.contests.len() as u32);
    for c in &ballot.contests {
        w.raw(&c.contest)
            .raw(&c.blank.alpha)
            .raw(&c.blank.beta)
            .u32(c.options.len() as u32);
        for o in &c.options {
            w.raw(&o.alpha).raw(&o.beta);
        }
    }
    sha256(w.as_bytes())
}

/// The transcript of the 0/1 proof of option `option` (from 0) of contest `contest` (from
/// 0), up to its commitments: nonces are drawn from this state.
pub(crate) fn option_transcript(digest: &[u8; 32], contest: usize, option: usize) -> Transcript {
    let mut t = new_transcript(OPTION_PROOF);
    t.append_message(b"statement", digest);
    t.append_count(b"contest", contest as u64);
    t.append_count(b"option", option as u64);
    t
}

/// Absorbs a 0/1 proof's commitments and draws its challenge.
pub(crate) fn option_challenge(mut t: Transcript, proof: &OptionProof) -> Scalar {
    t.append_message(b"a0", &proof.zero.a);
    t.append_message(b"b0", &proof.zero.b);
    t.append_message(b"a1", &proof.one.a);
    t.append_message(b"b1", &proof.one.b);
    t.challenge_scalar(b"challenge")
}

/// The transcript of the sum proof of contest `contest` (from 0) with `branches` = M + 1
/// branches, up to its commitments.
pub(crate) fn sum_transcript(digest: &[u8; 32], contest: usize, branches: usize) -> Transcript {
    let mut t = new_transcript(SUM_PROOF);
    t.append_message(b"statement", digest);
    t.append_count(b"contest", contest as u64);
    t.append_count(b"branches", branches as u64);
    t
}

/// Absorbs the sum proof's commitments, branch by branch, and draws its challenge.
pub(crate) fn sum_challenge(mut t: Transcript, branches: &[SumBranch]) -> Scalar {
    for br in branches {
        t.append_message(b"a-blank", &br.a_blank);
        t.append_message(b"b-blank", &br.b_blank);
        t.append_message(b"a-sum", &br.a_sum);
        t.append_message(b"b-sum", &br.b_sum);
    }
    t.challenge_scalar(b"challenge")
}
