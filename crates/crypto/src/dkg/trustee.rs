//! One trustee's side of the ceremony, as a sequence of states.

use std::collections::BTreeMap;

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use super::messages::check_roster;
use super::share_transport::{decrypt_share, encrypt_share};
use super::{Complaint, Dealing, DkgParameters, DkgTranscript, TransportKeyAnnouncement};
use crate::elgamal::base_mul;
use crate::encoding::point_to_hex;
use crate::error::{CryptoError, Result};

/// `f(x)` for the polynomial with the given coefficients (Horner).
fn eval_polynomial(coefficients: &[Scalar], x: u32) -> Zeroizing<Scalar> {
    let x = Scalar::from(x);
    let mut acc = Zeroizing::new(Scalar::ZERO);
    for a in coefficients.iter().rev() {
        *acc = *acc * x + a;
    }
    acc
}

/// State after step 1: the trustee holds its transport secret and awaits the roster.
pub struct Registered {
    pub(super) params: DkgParameters,
    pub(super) index: u32,
    pub(super) transport_secret: Zeroizing<Scalar>,
    pub(super) announcement: TransportKeyAnnouncement,
}

impl Registered {
    /// Step 1: draws the transport key pair of trustee `index` and returns the announcement
    /// to publish.
    pub fn new<R: RngCore + CryptoRng>(
        params: DkgParameters,
        index: u32,
        rng: &mut R,
    ) -> Result<(Registered, TransportKeyAnnouncement)> {
        params.validate()?;
        params.check_trustee(index)?;
        let transport_secret = Zeroizing::new(Scalar::random(rng));
        let announcement =
            TransportKeyAnnouncement::create(&params, index, &transport_secret, rng)?;
        let state = Registered {
            params,
            index,
            transport_secret,
            announcement: announcement.clone(),
        };
        Ok((state, announcement))
    }

    /// Step 2: checks the roster (which must hold this trustee's own announcement), draws the
    /// polynomial and returns the dealing to publish.
    pub fn deal<R: RngCore + CryptoRng>(
        self,
        roster: &[TransportKeyAnnouncement],
        rng: &mut R,
    ) -> Result<(Dealt, Dealing)> {
        check_roster(&self.params, roster)?;
        if roster[self.index as usize - 1] != self.announcement {
            return Err(CryptoError::invalid(
                "the roster does not hold this trustee's own transport key",
            ));
        }
        let coefficients: Zeroizing<Vec<Scalar>> = Zeroizing::new(
            (0..self.params.threshold)
                .map(|_| Scalar::random(rng))
                .collect(),
        );
        let mut shares = Vec::with_capacity(roster.len().saturating_sub(1));
        for ann in roster.iter().filter(|a| a.trustee != self.index) {
            let value = eval_polynomial(&coefficients, ann.trustee);
            shares.push(encrypt_share(
                &self.params,
                self.index,
                ann.trustee,
                &ann.transport_key,
                &value,
                rng,
            )?);
        }
        let dealing = Dealing::create(
            &self.params,
            roster,
            self.index,
            &coefficients,
            &self.transport_secret,
            shares,
            rng,
        )?;
        let own_share = eval_polynomial(&coefficients, self.index);
        let state = Dealt {
            params: self.params,
            index: self.index,
            transport_secret: self.transport_secret,
            roster: roster.to_vec(),
            own_dealing: dealing.clone(),
            own_share,
        };
        Ok((state, dealing))
    }

    /// This trustee's index.
    pub fn index(&self) -> u32 {
        self.index
    }
}

/// State after step 2: the trustee awaits the other trustees' dealings.
pub struct Dealt {
    pub(super) params: DkgParameters,
    pub(super) index: u32,
    pub(super) transport_secret: Zeroizing<Scalar>,
    pub(super) roster: Vec<TransportKeyAnnouncement>,
    pub(super) own_dealing: Dealing,
    pub(super) own_share: Zeroizing<Scalar>,
}

impl Dealt {
    /// Step 3: checks the dealings received (its own may be among them and must be
    /// unchanged). Invalid dealings need no complaint: everyone sees they are invalid. For
    /// each valid dealing whose share to this trustee does not decrypt or does not match
    /// the commitments, returns a complaint to publish (usually none).
    pub fn check_dealings<R: RngCore + CryptoRng>(
        self,
        dealings: &[Dealing],
        rng: &mut R,
    ) -> Result<(Checked, Vec<Complaint>)> {
        let mut shares = BTreeMap::new();
        shares.insert(self.index, self.own_share.clone());
        let mut seen = BTreeMap::new();
        let mut complaints = Vec::new();
        let own_key = self.roster[self.index as usize - 1].transport_key;
        for dealing in dealings {
            if dealing.dealer == self.index {
                if *dealing != self.own_dealing {
                    return Err(CryptoError::verification(
                        "a dealing in this trustee's name differs from the one it made",
                    ));
                }
                continue;
            }
            if seen.insert(dealing.dealer, dealing.clone()).is_some() {
                return Err(CryptoError::invalid(format!(
                    "two dealings from trustee {}",
                    dealing.dealer
                )));
            }
            if dealing.verify(&self.params, &self.roster).is_err() {
                continue;
            }
            let Some(enc) = dealing.share_for(self.index) else {
                continue;
            };
            let shared = enc.ephemeral * *self.transport_secret;
            match decrypt_share(&self.params, dealing.dealer, &own_key, enc, &shared) {
                Ok(value) if dealing.share_matches(self.index, &value) => {
                    shares.insert(dealing.dealer, value);
                }
                _ => complaints.push(Complaint::create(
                    &self.params,
                    &self.roster,
                    self.index,
                    &self.transport_secret,
                    dealing,
                    rng,
                )?),
            }
        }
        let state = Checked {
            params: self.params,
            index: self.index,
            roster: self.roster,
            own_dealing: self.own_dealing,
            shares,
            seen,
            complaints: complaints.clone(),
        };
        Ok((state, complaints))
    }

    /// This trustee's index.
    pub fn index(&self) -> u32 {
        self.index
    }
}

/// State after step 3: the trustee awaits the complete transcript.
pub struct Checked {
    pub(super) params: DkgParameters,
    pub(super) index: u32,
    pub(super) roster: Vec<TransportKeyAnnouncement>,
    pub(super) own_dealing: Dealing,
    pub(super) shares: BTreeMap<u32, Zeroizing<Scalar>>,
    pub(super) seen: BTreeMap<u32, Dealing>,
    pub(super) complaints: Vec<Complaint>,
}

impl Checked {
    /// Step 4: verifies the complete transcript, checks that it holds exactly what this
    /// trustee saw and sent, and returns its share `x_i = Σ_{j ∈ QUAL} f_j(i)`.
    pub fn finalize(self, transcript: &DkgTranscript) -> Result<TrusteeShare> {
        let outcome = transcript.verify()?;
        let differs = |what: &str| {
            Err(CryptoError::verification(format!(
                "the transcript differs from what this trustee saw: {what}"
            )))
        };
        if transcript.parameters != self.params {
            return differs("parameters");
        }
        if transcript.roster != self.roster {
            return differs("roster");
        }
        for dealing in &transcript.dealings {
            let expected = if dealing.dealer == self.index {
                Some(&self.own_dealing)
            } else {
                self.seen.get(&dealing.dealer)
            };
            if expected != Some(dealing) {
                return differs(&format!("dealing of trustee {}", dealing.dealer));
            }
        }
        if !transcript.dealings.iter().any(|d| d.dealer == self.index) {
            return differs("this trustee's own dealing is missing");
        }
        for own in &self.complaints {
            if !transcript.complaints.contains(own) {
                return differs(&format!(
                    "the complaint against trustee {} is missing",
                    own.dealer
                ));
            }
        }
        let mut secret = Zeroizing::new(Scalar::ZERO);
        for dealer in &outcome.qualified {
            let share = self.shares.get(dealer).ok_or_else(|| {
                CryptoError::verification(format!(
                    "trustee {dealer} is qualified but its share to this trustee is invalid"
                ))
            })?;
            *secret += **share;
        }
        TrusteeShare::from_parts(
            self.params.clone(),
            self.index,
            *secret,
            outcome.public_key,
            outcome.verification_keys[self.index as usize - 1],
            transcript.digest(),
        )
    }

    /// This trustee's index.
    pub fn index(&self) -> u32 {
        self.index
    }
}

/// A trustee's outcome: its secret share `x_i` with the public values it belongs to.
/// The secret is zeroized on drop and never printed.
#[derive(Clone)]
pub struct TrusteeShare {
    parameters: DkgParameters,
    trustee: u32,
    secret: Zeroizing<Scalar>,
    public_key: RistrettoPoint,
    verification_key: RistrettoPoint,
    transcript_digest: [u8; 32],
}

impl TrusteeShare {
    /// Assembles a share, checking `secret·G = verification_key`.
    pub fn from_parts(
        parameters: DkgParameters,
        trustee: u32,
        secret: Scalar,
        public_key: RistrettoPoint,
        verification_key: RistrettoPoint,
        transcript_digest: [u8; 32],
    ) -> Result<TrusteeShare> {
        parameters.validate()?;
        parameters.check_trustee(trustee)?;
        let secret = Zeroizing::new(secret);
        if base_mul(&secret) != verification_key {
            return Err(CryptoError::verification(format!(
                "the share of trustee {trustee} does not match its verification key"
            )));
        }
        Ok(TrusteeShare {
            parameters,
            trustee,
            secret,
            public_key,
            verification_key,
            transcript_digest,
        })
    }

    /// The ceremony's parameters.
    pub fn parameters(&self) -> &DkgParameters {
        &self.parameters
    }

    /// The trustee's index.
    pub fn trustee(&self) -> u32 {
        self.trustee
    }

    /// The joint election key `Y`.
    pub fn public_key(&self) -> RistrettoPoint {
        self.public_key
    }

    /// `Y_i = x_i·G`.
    pub fn verification_key(&self) -> RistrettoPoint {
        self.verification_key
    }

    /// SHA-256 of the ceremony's transcript ([`DkgTranscript::digest`]).
    pub fn transcript_digest(&self) -> [u8; 32] {
        self.transcript_digest
    }

    pub(crate) fn secret(&self) -> &Scalar {
        &self.secret
    }
}

impl core::fmt::Debug for TrusteeShare {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TrusteeShare")
            .field("parameters", &self.parameters)
            .field("trustee", &self.trustee)
            .field("public_key", &point_to_hex(&self.public_key))
            .field("verification_key", &point_to_hex(&self.verification_key))
            .field("secret", &"<redacted>")
            .finish()
    }
}
