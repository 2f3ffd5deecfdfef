//! The messages trustees publish during the ceremony, each with its proof and its check.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::share_transport::{SHARE_CIPHERTEXT_LEN, decrypt_share};
use super::{DkgParameters, SchnorrProof, eval_commitments};
use crate::dleq::{DleqProof, DleqStatement};
use crate::elgamal::base_mul;
use crate::encoding::{CanonicalWriter, serde_hex};
use crate::error::{CryptoError, Result};
use crate::transcript::{TranscriptProtocol, new_transcript};

/// Proof type of a transport key's proof of possession.
pub const TRANSPORT_KEY_PROOF: &[u8] = b"dkg-transport-key";
/// Proof type of a dealing's proof.
pub const DEALING_PROOF: &[u8] = b"dkg-dealing";
/// Proof type of a complaint's DLEQ proof.
pub const COMPLAINT_PROOF: &[u8] = b"dkg-complaint";

/// Step 1's message: a trustee's transport key and its proof of possession.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransportKeyAnnouncement {
    /// The trustee's index (1 to n).
    pub trustee: u32,
    /// `Z_i = z_i·G`.
    #[serde(with = "serde_hex::point")]
    pub transport_key: RistrettoPoint,
    /// Schnorr proof of knowledge of `z_i`.
    pub proof: SchnorrProof,
}

impl TransportKeyAnnouncement {
    fn transcript(
        params: &DkgParameters,
        trustee: u32,
        key: &RistrettoPoint,
    ) -> Result<Transcript> {
        let mut t = new_transcript(TRANSPORT_KEY_PROOF);
        params.append_to(&mut t);
        t.append_count(b"trustee", u64::from(trustee));
        t.append_nonidentity_point(b"transport-key", key)?;
        Ok(t)
    }

    pub(super) fn create<R: RngCore + CryptoRng>(
        params: &DkgParameters,
        trustee: u32,
        secret: &Scalar,
        rng: &mut R,
    ) -> Result<TransportKeyAnnouncement> {
        let transport_key = base_mul(secret);
        let mut t = Self::transcript(params, trustee, &transport_key)?;
        let mut nonce_rng = t.witness_rng(&[secret], rng);
        let k = Zeroizing::new(Scalar::random(&mut nonce_rng));
        let commitment = base_mul(&k);
        t.append_point(b"commitment", &commitment);
        let c = t.challenge_scalar(b"challenge");
        let ann = TransportKeyAnnouncement {
            trustee,
            transport_key,
            proof: SchnorrProof {
                commitment,
                response: *k + c * secret,
            },
        };
        ann.verify(params)?;
        Ok(ann)
    }

    /// Checks the index and the proof of possession.
    pub fn verify(&self, params: &DkgParameters) -> Result<()> {
        params.check_trustee(self.trustee)?;
        let mut t = Self::transcript(params, self.trustee, &self.transport_key)?;
        t.append_point(b"commitment", &self.proof.commitment);
        let c = t.challenge_scalar(b"challenge");
        // s·G − c·Z must equal R.
        let recomputed = RistrettoPoint::vartime_double_scalar_mul_basepoint(
            &(-c),
            &self.transport_key,
            &self.proof.response,
        );
        if recomputed == self.proof.commitment {
            Ok(())
        } else {
            Err(CryptoError::verification(format!(
                "transport key proof of trustee {} does not verify",
                self.trustee
            )))
        }
    }
}

/// Checks a roster: exactly one valid announcement per trustee, in index order, with
/// pairwise distinct keys.
pub(super) fn check_roster(
    params: &DkgParameters,
    roster: &[TransportKeyAnnouncement],
) -> Result<()> {
    params.validate()?;
    if roster.len() != params.trustees as usize {
        return Err(CryptoError::invalid(format!(
            "the roster holds {} transport keys for {} trustees",
            roster.len(),
            params.trustees
        )));
    }
    for (pos, ann) in roster.iter().enumerate() {
        let expected = u32::try_from(pos + 1).unwrap_or(u32::MAX);
        if ann.trustee != expected {
            return Err(CryptoError::invalid(format!(
                "roster entry {} is for trustee {}, expected trustee {expected}",
                pos + 1,
                ann.trustee
            )));
        }
        ann.verify(params)?;
        if roster[..pos]
            .iter()
            .any(|other| other.transport_key == ann.transport_key)
        {
            return Err(CryptoError::invalid(format!(
                "trustee {} reuses another trustee's transport key",
                ann.trustee
            )));
        }
    }
    Ok(())
}

/// One share of a dealing, encrypted to its recipient's transport key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptedShare {
    /// The recipient's index.
    pub recipient: u32,
    /// The ephemeral key `E = e·G`.
    #[serde(with = "serde_hex::point")]
    pub ephemeral: RistrettoPoint,
    /// ChaCha20-Poly1305 ciphertext of the 32-byte share (48 bytes).
    #[serde(with = "serde_hex::bytes")]
    pub ciphertext: Vec<u8>,
}

/// Proof of knowledge of the dealer's constant term `a_0` and transport secret `z`, with one
/// challenge over the whole dealing: `s_a·G = R_a + c·C_0` and `s_z·G = R_z + c·Z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealingProof {
    /// `R_a = k_a·G`.
    #[serde(with = "serde_hex::point")]
    pub commit_constant: RistrettoPoint,
    /// `R_z = k_z·G`.
    #[serde(with = "serde_hex::point")]
    pub commit_transport: RistrettoPoint,
    /// `s_a = k_a + c·a_0`.
    #[serde(with = "serde_hex::scalar")]
    pub response_constant: Scalar,
    /// `s_z = k_z + c·z`.
    #[serde(with = "serde_hex::scalar")]
    pub response_transport: Scalar,
}

/// Step 2's message: a dealer's commitments, its encrypted shares and their proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dealing {
    /// The dealer's index.
    pub dealer: u32,
    /// Feldman commitments `C_k = a_k·G`, `k = 0 … t − 1`.
    #[serde(with = "serde_hex::points")]
    pub commitments: Vec<RistrettoPoint>,
    /// `f(j)` encrypted to every other trustee `j`, in increasing `j`.
    pub shares: Vec<EncryptedShare>,
    /// Proof of knowledge binding all of the above.
    pub proof: DealingProof,
}

impl Dealing {
    fn transcript(
        params: &DkgParameters,
        roster: &[TransportKeyAnnouncement],
        dealer: u32,
        commitments: &[RistrettoPoint],
        shares: &[EncryptedShare],
    ) -> Transcript {
        let mut t = new_transcript(DEALING_PROOF);
        params.append_to(&mut t);
        for ann in roster {
            t.append_count(b"trustee", u64::from(ann.trustee));
            t.append_point(b"transport-key", &ann.transport_key);
        }
        t.append_count(b"dealer", u64::from(dealer));
        for c in commitments {
            t.append_point(b"coefficient", c);
        }
        for s in shares {
            t.append_count(b"recipient", u64::from(s.recipient));
            t.append_point(b"ephemeral", &s.ephemeral);
            t.append_message(b"share-ciphertext", &s.ciphertext);
        }
        t
    }

    /// Builds and proves a dealing; the proof is checked before it is returned.
    pub(super) fn create<R: RngCore + CryptoRng>(
        params: &DkgParameters,
        roster: &[TransportKeyAnnouncement],
        dealer: u32,
        coefficients: &[Scalar],
        transport_secret: &Scalar,
        shares: Vec<EncryptedShare>,
        rng: &mut R,
    ) -> Result<Dealing> {
        let commitments: Vec<RistrettoPoint> = coefficients.iter().map(base_mul).collect();
        let mut t = Self::transcript(params, roster, dealer, &commitments, &shares);
        let a0 = &coefficients[0];
        let mut nonce_rng = t.witness_rng(&[a0, transport_secret], rng);
        let ka = Zeroizing::new(Scalar::random(&mut nonce_rng));
        let kz = Zeroizing::new(Scalar::random(&mut nonce_rng));
        let commit_constant = base_mul(&ka);
        let commit_transport = base_mul(&kz);
        t.append_point(b"commit-constant", &commit_constant);
        t.append_point(b"commit-transport", &commit_transport);
        let c = t.challenge_scalar(b"challenge");
        let dealing = Dealing {
            dealer,
            commitments,
            shares,
            proof: DealingProof {
                commit_constant,
                commit_transport,
                response_constant: *ka + c * a0,
                response_transport: *kz + c * transport_secret,
            },
        };
        dealing.verify(params, roster)?;
        Ok(dealing)
    }

    /// The encrypted share addressed to `recipient`.
    pub fn share_for(&self, recipient: u32) -> Option<&EncryptedShare> {
        self.shares.iter().find(|s| s.recipient == recipient)
    }

    /// Checks the dealing's form and proof against a verified roster: `t` commitments, a
    /// constant-term commitment other than the identity, one well-formed encrypted share
    /// per other trustee in increasing order, and the proof.
    pub fn verify(
        &self,
        params: &DkgParameters,
        roster: &[TransportKeyAnnouncement],
    ) -> Result<()> {
        params.check_trustee(self.dealer)?;
        let bad = |why: String| {
            Err(CryptoError::verification(format!(
                "dealing of trustee {}: {why}",
                self.dealer
            )))
        };
        if self.commitments.len() != params.threshold as usize {
            return bad(format!(
                "{} coefficient commitments, expected {}",
                self.commitments.len(),
                params.threshold
            ));
        }
        if self.commitments[0].is_identity() {
            return bad("the constant-term commitment is the identity".into());
        }
        let recipients: Vec<u32> = (1..=params.trustees)
            .filter(|&j| j != self.dealer)
            .collect();
        if self.shares.len() != recipients.len() {
            return bad(format!(
                "{} encrypted shares, expected {}",
                self.shares.len(),
                recipients.len()
            ));
        }
        for (share, &j) in self.shares.iter().zip(&recipients) {
            if share.recipient != j {
                return bad(format!(
                    "share for trustee {} where trustee {j} was expected",
                    share.recipient
                ));
            }
            if share.ephemeral.is_identity() {
                return bad(format!(
                    "the ephemeral key of the share for {j} is the identity"
                ));
            }
            if share.ciphertext.len() != SHARE_CIPHERTEXT_LEN {
                return bad(format!(
                    "the share for {j} is {} bytes, expected {SHARE_CIPHERTEXT_LEN}",
                    share.ciphertext.len()
                ));
            }
        }
        let dealer_key = roster
            .get(self.dealer as usize - 1)
            .map(|a| a.transport_key)
            .ok_or_else(|| CryptoError::invalid("roster too short for this dealer"))?;
        let mut t = Self::transcript(params, roster, self.dealer, &self.commitments, &self.shares);
        t.append_point(b"commit-constant", &self.proof.commit_constant);
        t.append_point(b"commit-transport", &self.proof.commit_transport);
        let c = t.challenge_scalar(b"challenge");
        let ok_a = RistrettoPoint::vartime_double_scalar_mul_basepoint(
            &(-c),
            &self.commitments[0],
            &self.proof.response_constant,
        ) == self.proof.commit_constant;
        let ok_z = RistrettoPoint::vartime_double_scalar_mul_basepoint(
            &(-c),
            &dealer_key,
            &self.proof.response_transport,
        ) == self.proof.commit_transport;
        if ok_a && ok_z {
            Ok(())
        } else {
            bad("the proof does not verify".into())
        }
    }

    /// Whether `share` (claimed to be `f(recipient)`) matches the commitments.
    pub(super) fn share_matches(&self, recipient: u32, share: &Scalar) -> bool {
        base_mul(share) == eval_commitments(&self.commitments, recipient)
    }

    pub(super) fn write_to(&self, w: &mut CanonicalWriter) {
        w.u32(self.dealer);
        w.u32(self.commitments.len() as u32);
        for c in &self.commitments {
            w.point(c);
        }
        w.u32(self.shares.len() as u32);
        for s in &self.shares {
            w.u32(s.recipient).point(&s.ephemeral).bytes(&s.ciphertext);
        }
        w.point(&self.proof.commit_constant)
            .point(&self.proof.commit_transport)
            .scalar(&self.proof.response_constant)
            .scalar(&self.proof.response_transport);
    }
}

/// Step 3's message for a bad share: the complainer reveals `K = z·E` for that share with a
/// DLEQ proof (`log_G Z = log_E K`), so anyone can decrypt the share and judge the dealer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Complaint {
    /// The recipient who complains.
    pub complainer: u32,
    /// The dealer complained against.
    pub dealer: u32,
    /// `K = z_complainer·E`.
    #[serde(with = "serde_hex::point")]
    pub shared_secret: RistrettoPoint,
    /// DLEQ proof of `log_G Z_complainer = log_E K`.
    pub proof: DleqProof,
}

impl Complaint {
    fn transcript(
        params: &DkgParameters,
        complainer: u32,
        dealer: u32,
        share: &EncryptedShare,
    ) -> Transcript {
        let mut t = new_transcript(COMPLAINT_PROOF);
        params.append_to(&mut t);
        t.append_count(b"complainer", u64::from(complainer));
        t.append_count(b"dealer", u64::from(dealer));
        t.append_message(b"share-ciphertext", &share.ciphertext);
        t
    }

    fn locate<'a>(
        &self,
        params: &DkgParameters,
        roster: &[TransportKeyAnnouncement],
        dealing: &'a Dealing,
    ) -> Result<(RistrettoPoint, &'a EncryptedShare)> {
        params.check_trustee(self.complainer)?;
        if dealing.dealer != self.dealer || self.dealer == self.complainer {
            return Err(CryptoError::invalid(format!(
                "complaint of trustee {} against {} does not fit the dealing of {}",
                self.complainer, self.dealer, dealing.dealer
            )));
        }
        let key = roster
            .get(self.complainer as usize - 1)
            .map(|a| a.transport_key)
            .ok_or_else(|| CryptoError::invalid("roster too short for this complainer"))?;
        let share = dealing.share_for(self.complainer).ok_or_else(|| {
            CryptoError::invalid(format!(
                "the dealing of {} has no share for {}",
                self.dealer, self.complainer
            ))
        })?;
        Ok((key, share))
    }

    pub(super) fn create<R: RngCore + CryptoRng>(
        params: &DkgParameters,
        roster: &[TransportKeyAnnouncement],
        complainer: u32,
        transport_secret: &Scalar,
        dealing: &Dealing,
        rng: &mut R,
    ) -> Result<Complaint> {
        let share = dealing.share_for(complainer).ok_or_else(|| {
            CryptoError::invalid(format!("no share for trustee {complainer} in the dealing"))
        })?;
        let shared_secret = share.ephemeral * transport_secret;
        let statement = DleqStatement {
            public: base_mul(transport_secret),
            base: share.ephemeral,
            image: shared_secret,
        };
        let mut t = Self::transcript(params, complainer, dealing.dealer, share);
        let proof = DleqProof::prove(&mut t, transport_secret, &statement, rng)?;
        let complaint = Complaint {
            complainer,
            dealer: dealing.dealer,
            shared_secret,
            proof,
        };
        complaint.verify(params, roster, dealing)?;
        Ok(complaint)
    }

    /// Checks the DLEQ proof: `K` is the Diffie–Hellman secret of the complainer's share.
    pub fn verify(
        &self,
        params: &DkgParameters,
        roster: &[TransportKeyAnnouncement],
        dealing: &Dealing,
    ) -> Result<()> {
        let (key, share) = self.locate(params, roster, dealing)?;
        let statement = DleqStatement {
            public: key,
            base: share.ephemeral,
            image: self.shared_secret,
        };
        let mut t = Self::transcript(params, self.complainer, self.dealer, share);
        self.proof.verify(&mut t, &statement).map_err(|_| {
            CryptoError::verification(format!(
                "complaint of trustee {} against {}: the proof does not verify",
                self.complainer, self.dealer
            ))
        })
    }

    /// Verifies the complaint, then judges it: `true` (founded) when the revealed share
    /// does not decrypt or does not match the dealer's commitments.
    pub fn judge(
        &self,
        params: &DkgParameters,
        roster: &[TransportKeyAnnouncement],
        dealing: &Dealing,
    ) -> Result<bool> {
        self.verify(params, roster, dealing)?;
        let (key, share) = self.locate(params, roster, dealing)?;
        Ok(
            match decrypt_share(params, self.dealer, &key, share, &self.shared_secret) {
                Ok(value) => !dealing.share_matches(self.complainer, &value),
                Err(_) => true,
            },
        )
    }

    pub(super) fn write_to(&self, w: &mut CanonicalWriter) {
        w.u32(self.complainer)
            .u32(self.dealer)
            .point(&self.shared_secret)
            .point(&self.proof.commit_g)
            .point(&self.proof.commit_base)
            .scalar(&self.proof.response);
    }
}
