//! Seals (R-50…R-55): signed statements that a digest was fixed at a given time.
//!
//! A seal says "at `time`, within `scope`, the object of `kind` had SHA-256 `subject`". The
//! platform's seal key signs it; members of the COE may co-sign the same bytes. Seals are
//! chained: each names the digest of the previous seal, so none can be removed or replaced
//! later without breaking the chain. `specs/protocol.md` §12.

use core::fmt;
use core::str::FromStr;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::encoding::{CanonicalWriter, serde_hex, sha256};
use crate::error::{CryptoError, Result};
use crate::timestamp::Timestamp;

/// Domain tag of a seal's signed encoding.
pub const SEAL_DOMAIN: &str = "scrutin-seal-v1";
/// The `previous` digest of the first seal of a chain.
pub const NO_PREVIOUS_SEAL: [u8; 32] = [0u8; 32];
/// Longest accepted scope or custom kind name, in bytes.
pub const MAX_NAME_LEN: usize = 200;

/// What a seal fixes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SealKind {
    /// Binaries, web assets, migrations and configuration of the platform.
    Software,
    /// The list of voters.
    Voters,
    /// The candidates and their statements.
    Candidates,
    /// The public voting credentials.
    Credentials,
    /// The ballot box at closing: the final board head and the ballot count.
    BoxClosed,
    /// The émargement list at closing: its digest and count.
    EmargementClosed,
    /// The results.
    Results,
    /// The archive of the election record.
    Archive,
    /// Anything else: a name of lowercase ASCII letters, digits and `-`.
    Custom(String),
}

impl SealKind {
    /// The kind's name, as written in JSON and in the signed bytes.
    pub fn name(&self) -> String {
        match self {
            SealKind::Software => "software".into(),
            SealKind::Voters => "voters".into(),
            SealKind::Candidates => "candidates".into(),
            SealKind::Credentials => "credentials".into(),
            SealKind::BoxClosed => "box-closed".into(),
            SealKind::EmargementClosed => "emargement-closed".into(),
            SealKind::Results => "results".into(),
            SealKind::Archive => "archive".into(),
            SealKind::Custom(name) => format!("custom:{name}"),
        }
    }
}

impl fmt::Display for SealKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for SealKind {
    type Err = CryptoError;

    fn from_str(s: &str) -> Result<SealKind> {
        Ok(match s {
            "software" => SealKind::Software,
            "voters" => SealKind::Voters,
            "candidates" => SealKind::Candidates,
            "credentials" => SealKind::Credentials,
            "box-closed" => SealKind::BoxClosed,
            "emargement-closed" => SealKind::EmargementClosed,
            "results" => SealKind::Results,
            "archive" => SealKind::Archive,
            _ => match s.strip_prefix("custom:") {
                Some(name)
                    if !name.is_empty()
                        && name.len() <= MAX_NAME_LEN
                        && name
                            .bytes()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-') =>
                {
                    SealKind::Custom(name.to_owned())
                }
                _ => return Err(CryptoError::invalid(format!("unknown seal kind {s:?}"))),
            },
        })
    }
}

impl Serialize for SealKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for SealKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A co-signature by a member of the COE over the same bytes as the platform's signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoSignature {
    /// The co-signer's Ed25519 public key.
    #[serde(with = "serde_hex::bytes32")]
    pub signer: [u8; 32],
    /// Its signature over [`Seal::signed_bytes`].
    #[serde(with = "serde_hex::bytes64")]
    pub signature: [u8; 64],
}

/// A signed seal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seal {
    /// What is sealed.
    pub kind: SealKind,
    /// Where: `national`, `chamber/<code>` or `scrutin/<id>` by convention; any non-empty
    /// text without control characters, at most 200 bytes.
    pub scope: String,
    /// SHA-256 of the sealed object.
    #[serde(with = "serde_hex::bytes32")]
    pub subject: [u8; 32],
    /// [`Seal::digest`] of the previous seal of the chain, or 32 zero bytes.
    #[serde(with = "serde_hex::bytes32")]
    pub previous: [u8; 32],
    /// UTC time of sealing (strict RFC 3339).
    pub time: String,
    /// The platform's seal public key.
    #[serde(with = "serde_hex::bytes32")]
    pub signer: [u8; 32],
    /// Its signature over [`Seal::signed_bytes`].
    #[serde(with = "serde_hex::bytes64")]
    pub signature: [u8; 64],
    /// Co-signatures by COE members, in the order they were added.
    #[serde(default)]
    pub cosignatures: Vec<CoSignature>,
}

impl Seal {
    /// Signs a new seal. `previous` is the previous seal of the chain, if any.
    pub fn sign(
        kind: SealKind,
        scope: &str,
        subject: [u8; 32],
        previous: Option<&Seal>,
        time: &str,
        key: &SigningKey,
    ) -> Result<Seal> {
        let mut seal = Seal {
            kind,
            scope: scope.to_owned(),
            subject,
            previous: previous.map_or(NO_PREVIOUS_SEAL, Seal::digest),
            time: time.to_owned(),
            signer: key.verifying_key().to_bytes(),
            signature: [0u8; 64],
            cosignatures: Vec::new(),
        };
        seal.check_fields()?;
        if let Some(prev) = previous
            && Timestamp::parse(time)? < Timestamp::parse(&prev.time)?
        {
            return Err(CryptoError::invalid(
                "a seal cannot be earlier than the previous seal",
            ));
        }
        seal.signature = key.sign(&seal.signed_bytes()).to_bytes();
        Ok(seal)
    }

    /// Adds a COE member's co-signature; refuses a second one by the same key.
    pub fn cosign(&mut self, key: &SigningKey) -> Result<()> {
        let signer = key.verifying_key().to_bytes();
        if signer == self.signer || self.cosignatures.iter().any(|c| c.signer == signer) {
            return Err(CryptoError::invalid("this key has already signed the seal"));
        }
        let signature = key.sign(&self.signed_bytes()).to_bytes();
        self.cosignatures.push(CoSignature { signer, signature });
        Ok(())
    }

    /// The byte string that the platform and the co-signers sign.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut w = CanonicalWriter::new(SEAL_DOMAIN);
        w.str(&self.kind.name())
            .str(&self.scope)
            .raw(&self.subject)
            .raw(&self.previous)
            .str(&self.time)
            .raw(&self.signer);
        w.finish()
    }

    /// SHA-256 of [`Seal::signed_bytes`]: the seal's identity, named by the next seal.
    /// Signatures are not part of it, so adding a co-signature does not break the chain.
    pub fn digest(&self) -> [u8; 32] {
        sha256(&self.signed_bytes())
    }

    /// Whether `object` is the sealed object (its SHA-256 is the subject).
    pub fn matches_subject(&self, object: &[u8]) -> bool {
        sha256(object) == self.subject
    }

    fn check_fields(&self) -> Result<()> {
        if self.scope.is_empty()
            || self.scope.len() > MAX_NAME_LEN
            || self.scope.chars().any(char::is_control)
        {
            return Err(CryptoError::invalid(format!(
                "seal scope {:?} must be 1 to {MAX_NAME_LEN} bytes without control characters",
                self.scope
            )));
        }
        if let SealKind::Custom(_) = &self.kind {
            // Same rule as parsing, so a constructed kind has a JSON form that reads back.
            self.kind.name().parse::<SealKind>()?;
        }
        Timestamp::parse(&self.time)?;
        Ok(())
    }

    /// Verifies the seal: well-formed fields, signer is `platform_key`, its signature and
    /// every co-signature (strict Ed25519), no co-signer twice.
    pub fn verify(&self, platform_key: &VerifyingKey) -> Result<(), SealFault> {
        self.check_fields()
            .map_err(|e| SealFault::Malformed(e.to_string()))?;
        if self.signer != platform_key.to_bytes() {
            return Err(SealFault::WrongSigner);
        }
        let bytes = self.signed_bytes();
        platform_key
            .verify_strict(&bytes, &Signature::from_bytes(&self.signature))
            .map_err(|_| SealFault::Signature)?;
        for (i, co) in self.cosignatures.iter().enumerate() {
            if co.signer == self.signer
                || self.cosignatures[..i].iter().any(|c| c.signer == co.signer)
            {
                return Err(SealFault::DuplicateCoSigner(i));
            }
            let key =
                VerifyingKey::from_bytes(&co.signer).map_err(|_| SealFault::CoSignature(i))?;
            key.verify_strict(&bytes, &Signature::from_bytes(&co.signature))
                .map_err(|_| SealFault::CoSignature(i))?;
        }
        Ok(())
    }

    /// Verifies the seal and that every co-signer is among `allowed` (the COE's keys).
    pub fn verify_with_cosigners(
        &self,
        platform_key: &VerifyingKey,
        allowed: &[VerifyingKey],
    ) -> Result<(), SealFault> {
        self.verify(platform_key)?;
        for (i, co) in self.cosignatures.iter().enumerate() {
            if !allowed.iter().any(|k| k.to_bytes() == co.signer) {
                return Err(SealFault::UnknownCoSigner(i));
            }
        }
        Ok(())
    }
}

/// Why a seal does not verify.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SealFault {
    /// A field is malformed (scope, kind, time).
    #[error("malformed seal: {0}")]
    Malformed(String),
    /// The seal names another signer than the platform's key.
    #[error("the seal is not signed by the platform's seal key")]
    WrongSigner,
    /// The platform's signature does not verify.
    #[error("the platform's signature does not verify")]
    Signature,
    /// Co-signature at this position does not verify.
    #[error("co-signature {0} does not verify")]
    CoSignature(usize),
    /// Co-signature at this position repeats a signer.
    #[error("co-signature {0} repeats a signer")]
    DuplicateCoSigner(usize),
    /// Co-signature at this position is by a key outside the allowed list.
    #[error("co-signature {0} is by a key that is not a COE member's")]
    UnknownCoSigner(usize),
    /// The seal does not name the digest of the one before it.
    #[error("previous-seal digest does not match the preceding seal")]
    Chain,
    /// The seal is earlier than the one before it.
    #[error("time is earlier than the preceding seal's")]
    TimeBackwards,
}

/// Verifies one seal against the platform's seal key.
pub fn verify(seal: &Seal, platform_key: &VerifyingKey) -> Result<(), SealFault> {
    seal.verify(platform_key)
}

/// The first seal of a chain that fails, and why.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("seal at index {index}: {fault}")]
pub struct SealChainError {
    /// Position in the chain, from 0.
    pub index: usize,
    /// What is wrong.
    pub fault: SealFault,
}

/// Verifies a chain of seals from its first: each seal verifies, the first names no
/// previous seal, each other names the digest of the one before it, times never go back.
pub fn verify_chain(seals: &[Seal], platform_key: &VerifyingKey) -> Result<(), SealChainError> {
    let mut previous: Option<&Seal> = None;
    for (index, seal) in seals.iter().enumerate() {
        let fail = |fault| SealChainError { index, fault };
        seal.verify(platform_key).map_err(fail)?;
        let expected = previous.map_or(NO_PREVIOUS_SEAL, Seal::digest);
        if seal.previous != expected {
            return Err(fail(SealFault::Chain));
        }
        if let Some(prev) = previous {
            let (a, b) = (Timestamp::parse(&prev.time), Timestamp::parse(&seal.time));
            if let (Ok(a), Ok(b)) = (a, b)
                && b < a
            {
                return Err(fail(SealFault::TimeBackwards));
            }
        }
        previous = Some(seal);
    }
    Ok(())
}
