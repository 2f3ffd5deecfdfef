//! Decryption shares with their DLEQ proofs.

use curve25519_dalek::ristretto::RistrettoPoint;
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};

use crate::dkg::TrusteeShare;
use crate::dleq::{DleqBatch, DleqProof, DleqStatement};
use crate::elgamal::Ciphertext;
use crate::encoding::serde_hex;
use crate::error::{CryptoError, Result};
use crate::transcript::{TranscriptProtocol, new_transcript};

/// Proof type of a decryption share's DLEQ proofs.
pub const DECRYPTION_SHARE_PROOF: &[u8] = b"decryption-share";

/// `D = x_i·α` for one aggregate, with its proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialDecryption {
    /// `D = x_i·α`.
    #[serde(with = "serde_hex::point")]
    pub factor: RistrettoPoint,
    /// DLEQ proof of `log_G Y_i = log_α D`.
    pub proof: DleqProof,
}

/// One trustee's decryption share for a contest's list of aggregates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecryptionShare {
    /// The trustee's index.
    pub trustee: u32,
    /// One partial decryption per aggregate, in the aggregates' order.
    pub factors: Vec<PartialDecryption>,
}

fn transcript(context: &[u8], trustee: u32, count: usize, position: usize) -> Transcript {
    let mut t = new_transcript(DECRYPTION_SHARE_PROOF);
    t.append_message(b"contest", context);
    t.append_count(b"trustee", u64::from(trustee));
    t.append_count(b"count", count as u64);
    t.append_count(b"position", position as u64);
    t
}

fn statement(y_i: &RistrettoPoint, c: &Ciphertext, d: &RistrettoPoint) -> DleqStatement {
    DleqStatement {
        public: *y_i,
        base: c.alpha,
        image: *d,
    }
}

/// Computes trustee `share`'s decryption share of `aggregates`. `context` is the contest
/// fingerprint (bytes fixed by the ballot format), bound into every proof.
pub fn create_decryption_share<R: RngCore + CryptoRng>(
    context: &[u8],
    share: &TrusteeShare,
    aggregates: &[Ciphertext],
    rng: &mut R,
) -> Result<DecryptionShare> {
    let x = share.secret();
    let y_i = share.verification_key();
    let factors = aggregates
        .iter()
        .enumerate()
        .map(|(j, c)| {
            let factor = c.alpha * x;
            let mut t = transcript(context, share.trustee(), aggregates.len(), j);
            let proof = DleqProof::prove(&mut t, x, &statement(&y_i, c, &factor), rng)?;
            Ok(PartialDecryption { factor, proof })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(DecryptionShare {
        trustee: share.trustee(),
        factors,
    })
}

fn check_len(share: &DecryptionShare, aggregates: &[Ciphertext]) -> Result<()> {
    if share.factors.len() == aggregates.len() {
        Ok(())
    } else {
        Err(CryptoError::verification(format!(
            "decryption share of trustee {} has {} factors for {} aggregates",
            share.trustee,
            share.factors.len(),
            aggregates.len()
        )))
    }
}

/// Verifies one decryption share against the trustee's verification key `Y_i`.
pub fn verify_decryption_share(
    context: &[u8],
    share: &DecryptionShare,
    verification_key: &RistrettoPoint,
    aggregates: &[Ciphertext],
) -> Result<()> {
    check_len(share, aggregates)?;
    for (j, (pd, c)) in share.factors.iter().zip(aggregates).enumerate() {
        let mut t = transcript(context, share.trustee, aggregates.len(), j);
        pd.proof
            .verify(&mut t, &statement(verification_key, c, &pd.factor))
            .map_err(|_| {
                CryptoError::verification(format!(
                    "decryption share of trustee {}, aggregate {j}: the proof does not verify",
                    share.trustee
                ))
            })?;
    }
    Ok(())
}

/// Verifies several decryption shares with one multiscalar multiplication.
/// `verification_keys[i − 1]` is `Y_i`. On failure, checks each share alone and names the
/// first faulty one; batch and individual checks accept the same shares.
pub fn verify_decryption_shares<R: RngCore + CryptoRng>(
    context: &[u8],
    shares: &[DecryptionShare],
    verification_keys: &[RistrettoPoint],
    aggregates: &[Ciphertext],
    rng: &mut R,
) -> Result<()> {
    let key_of = |share: &DecryptionShare| {
        usize::try_from(share.trustee)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| verification_keys.get(i))
            .ok_or_else(|| {
                CryptoError::verification(format!(
                    "decryption share of unknown trustee {}",
                    share.trustee
                ))
            })
    };
    let mut batch = DleqBatch::new();
    let mut structural = Ok(());
    for share in shares {
        let y_i = key_of(share)?;
        if let Err(e) = check_len(share, aggregates) {
            structural = Err(e);
            break;
        }
        for (j, (pd, c)) in share.factors.iter().zip(aggregates).enumerate() {
            let mut t = transcript(context, share.trustee, aggregates.len(), j);
            if let Err(e) = batch.add(&pd.proof, &mut t, &statement(y_i, c, &pd.factor), rng) {
                structural = Err(e);
            }
        }
    }
    structural?;
    if batch.verify() {
        return Ok(());
    }
    for share in shares {
        verify_decryption_share(context, share, key_of(share)?, aggregates)?;
    }
    Err(CryptoError::verification(
        "decryption shares fail together but each verifies alone",
    ))
}
