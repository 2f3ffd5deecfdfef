//! Password-protected key-share files (`specs/protocol.md` §8).
//!
//! A trustee's share `x_i` leaves the ceremony only inside such a file, kept by its holder.
//! The key comes from the password with Argon2id (parameters and salt stored in the file),
//! the share is sealed with XChaCha20-Poly1305, and the public part (ceremony, index, `Y`,
//! `Y_i`, transcript digest) together with the KDF parameters is the associated data, so
//! changing any of them, like a wrong password, makes opening fail. The format is JSON:
//!
//! ```json
//! {
//!   "format": "scrutin-key-share",
//!   "version": 1,
//!   "public": { "election_id": "…", "key_id": "…", "trustees": 3, "threshold": 2,
//!               "trustee": 1, "public_key": "<hex>", "verification_key": "<hex>",
//!               "transcript_digest": "<hex>" },
//!   "kdf": { "algorithm": "argon2id", "version": 19, "memory_kib": 65536,
//!            "iterations": 3, "parallelism": 1, "salt": "<16 bytes hex>" },
//!   "cipher": { "algorithm": "xchacha20poly1305", "nonce": "<24 bytes hex>",
//!               "ciphertext": "<48 bytes hex>" }
//! }
//! ```

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use curve25519_dalek::ristretto::RistrettoPoint;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use zeroize::Zeroizing;

use crate::dkg::{DkgParameters, TrusteeShare};
use crate::encoding::{CanonicalWriter, decode_scalar, serde_hex};
use crate::error::CryptoError;

/// The `format` field.
pub const FORMAT: &str = "scrutin-key-share";
/// The current `version`.
pub const VERSION: u32 = 1;
/// Domain tag of the associated data.
pub const AAD_DOMAIN: &str = "scrutin-key-share-v1";
/// The KDF's name in the file.
pub const KDF_ALGORITHM: &str = "argon2id";
/// The Argon2 version in the file (0x13).
pub const ARGON2_VERSION: u32 = 19;
/// The cipher's name in the file.
pub const CIPHER_ALGORITHM: &str = "xchacha20poly1305";
/// Salt length, in bytes.
pub const SALT_LEN: usize = 16;
/// Nonce length, in bytes.
pub const NONCE_LEN: usize = 24;
/// Largest memory cost a file may ask for (1 GiB): a larger one would stall a browser.
pub const MAX_MEMORY_KIB: u32 = 1 << 20;
/// Largest iteration count a file may ask for.
pub const MAX_ITERATIONS: u32 = 64;
/// Largest parallelism a file may ask for.
pub const MAX_PARALLELISM: u32 = 16;

/// What can go wrong with a key-share file.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum KeyFileError {
    /// Not a key-share file, or a malformed one.
    #[error("not a valid key-share file: {0}")]
    Format(String),
    /// A version this code does not read.
    #[error("key-share file version {0} is not supported (this software reads version 1)")]
    UnsupportedVersion(u32),
    /// KDF parameters outside the accepted range.
    #[error("unacceptable key-derivation parameters: {0}")]
    Parameters(String),
    /// The authentication tag does not verify: wrong password, or the file was altered.
    #[error("wrong password, or the file was altered")]
    WrongPasswordOrAltered,
    /// The decrypted share does not match the file's public part.
    #[error("the file is inconsistent: {0}")]
    Inconsistent(String),
}

impl From<KeyFileError> for CryptoError {
    fn from(e: KeyFileError) -> CryptoError {
        CryptoError::InvalidInput(e.to_string())
    }
}

/// Argon2id costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory, in KiB.
    pub memory_kib: u32,
    /// Number of passes.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// The default: 64 MiB, 3 passes, 1 lane — about a second in a browser, and costly
    /// enough for an attacker with the file to make guessing a long password hopeless.
    pub const RECOMMENDED: KdfParams = KdfParams {
        memory_kib: 65536,
        iterations: 3,
        parallelism: 1,
    };

    pub(crate) fn argon2(&self) -> Result<Argon2<'static>, KeyFileError> {
        if self.memory_kib > MAX_MEMORY_KIB
            || self.iterations == 0
            || self.iterations > MAX_ITERATIONS
            || self.parallelism == 0
            || self.parallelism > MAX_PARALLELISM
        {
            return Err(KeyFileError::Parameters(format!(
                "memory {} KiB (at most {MAX_MEMORY_KIB}), {} passes (1 to {MAX_ITERATIONS}), \
                 {} lanes (1 to {MAX_PARALLELISM})",
                self.memory_kib, self.iterations, self.parallelism
            )));
        }
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|e| KeyFileError::Parameters(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams::RECOMMENDED
    }
}

/// The public part of the file: which share of which key it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFilePublic {
    /// The election's identifier.
    pub election_id: String,
    /// The key's identifier.
    pub key_id: String,
    /// Number of trustees.
    pub trustees: u32,
    /// Threshold.
    pub threshold: u32,
    /// This share's trustee index.
    pub trustee: u32,
    /// The joint election key `Y`.
    #[serde(with = "serde_hex::point")]
    pub public_key: RistrettoPoint,
    /// `Y_i`.
    #[serde(with = "serde_hex::point")]
    pub verification_key: RistrettoPoint,
    /// Digest of the ceremony's transcript.
    #[serde(with = "serde_hex::bytes32")]
    pub transcript_digest: [u8; 32],
}

/// The KDF section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfSection {
    /// Always `argon2id`.
    pub algorithm: String,
    /// Always 19 (Argon2 version 0x13).
    pub version: u32,
    /// Memory, in KiB.
    pub memory_kib: u32,
    /// Passes.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
    /// 16 random bytes.
    #[serde(with = "serde_hex::bytes")]
    pub salt: Vec<u8>,
}

/// The cipher section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CipherSection {
    /// Always `xchacha20poly1305`.
    pub algorithm: String,
    /// 24 random bytes.
    #[serde(with = "serde_hex::bytes")]
    pub nonce: Vec<u8>,
    /// The sealed 32-byte share and the 16-byte tag.
    #[serde(with = "serde_hex::bytes")]
    pub ciphertext: Vec<u8>,
}

/// A password-protected key-share file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyShareFile {
    /// Always `scrutin-key-share`.
    pub format: String,
    /// Format version (1).
    pub version: u32,
    /// Which share of which key.
    pub public: KeyFilePublic,
    /// How the key is derived from the password.
    pub kdf: KdfSection,
    /// The sealed share.
    pub cipher: CipherSection,
}

impl KeyShareFile {
    /// Seals a trustee's share under a password.
    pub fn seal<R: RngCore + CryptoRng>(
        share: &TrusteeShare,
        password: &str,
        kdf: KdfParams,
        rng: &mut R,
    ) -> Result<KeyShareFile, KeyFileError> {
        if password.is_empty() {
            return Err(KeyFileError::Parameters("the password is empty".into()));
        }
        let argon2 = kdf.argon2()?;
        let mut salt = vec![0u8; SALT_LEN];
        rng.fill_bytes(&mut salt);
        let mut nonce = vec![0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let p = share.parameters();
        let mut file = KeyShareFile {
            format: FORMAT.into(),
            version: VERSION,
            public: KeyFilePublic {
                election_id: p.election_id.clone(),
                key_id: p.key_id.clone(),
                trustees: p.trustees,
                threshold: p.threshold,
                trustee: share.trustee(),
                public_key: share.public_key(),
                verification_key: share.verification_key(),
                transcript_digest: share.transcript_digest(),
            },
            kdf: KdfSection {
                algorithm: KDF_ALGORITHM.into(),
                version: ARGON2_VERSION,
                memory_kib: kdf.memory_kib,
                iterations: kdf.iterations,
                parallelism: kdf.parallelism,
                salt,
            },
            cipher: CipherSection {
                algorithm: CIPHER_ALGORITHM.into(),
                nonce,
                ciphertext: Vec::new(),
            },
        };
        let key = derive_key(&argon2, password, &file.kdf.salt)?;
        let cipher = XChaCha20Poly1305::new(key.as_slice().into());
        let aad = file.associated_data();
        file.cipher.ciphertext = cipher
            .encrypt(
                XNonce::from_slice(&file.cipher.nonce),
                Payload {
                    msg: share.secret().as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| KeyFileError::Format("encryption failed".into()))?;
        Ok(file)
    }

    /// Opens the file with its password and returns the share, checked against `Y_i`.
    pub fn open(&self, password: &str) -> Result<TrusteeShare, KeyFileError> {
        self.check_form()?;
        let kdf = KdfParams {
            memory_kib: self.kdf.memory_kib,
            iterations: self.kdf.iterations,
            parallelism: self.kdf.parallelism,
        };
        let argon2 = kdf.argon2()?;
        let key = derive_key(&argon2, password, &self.kdf.salt)?;
        let cipher = XChaCha20Poly1305::new(key.as_slice().into());
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    XNonce::from_slice(&self.cipher.nonce),
                    Payload {
                        msg: &self.cipher.ciphertext,
                        aad: &self.associated_data(),
                    },
                )
                .map_err(|_| KeyFileError::WrongPasswordOrAltered)?,
        );
        let secret = Zeroizing::new(
            decode_scalar(&plain).map_err(|e| KeyFileError::Inconsistent(e.to_string()))?,
        );
        let p = &self.public;
        let params = DkgParameters {
            election_id: p.election_id.clone(),
            key_id: p.key_id.clone(),
            trustees: p.trustees,
            threshold: p.threshold,
        };
        TrusteeShare::from_parts(
            params,
            p.trustee,
            *secret,
            p.public_key,
            p.verification_key,
            p.transcript_digest,
        )
        .map_err(|e| KeyFileError::Inconsistent(e.to_string()))
    }

    /// The file's JSON text (pretty-printed).
    pub fn to_json(&self) -> String {
        // Serializing plain strings, integers and hex cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a file's JSON text, refusing unknown fields and non-canonical hex.
    pub fn from_json(text: &str) -> Result<KeyShareFile, KeyFileError> {
        let file: KeyShareFile =
            serde_json::from_str(text).map_err(|e| KeyFileError::Format(e.to_string()))?;
        file.check_form()?;
        Ok(file)
    }

    fn check_form(&self) -> Result<(), KeyFileError> {
        if self.format != FORMAT {
            return Err(KeyFileError::Format(format!(
                "format is {:?}, expected {FORMAT:?}",
                self.format
            )));
        }
        if self.version != VERSION {
            return Err(KeyFileError::UnsupportedVersion(self.version));
        }
        check_algorithms(&self.kdf, &self.cipher)?;
        let lengths = [
            ("salt", self.kdf.salt.len(), SALT_LEN),
            ("nonce", self.cipher.nonce.len(), NONCE_LEN),
            ("ciphertext", self.cipher.ciphertext.len(), 48),
        ];
        for (what, got, want) in lengths {
            if got != want {
                return Err(KeyFileError::Format(format!(
                    "{what} is {got} bytes, expected {want}"
                )));
            }
        }
        let p = &self.public;
        DkgParameters::new(&p.election_id, &p.key_id, p.trustees, p.threshold)
            .and_then(|params| {
                if params.is_trustee(p.trustee) {
                    Ok(())
                } else {
                    Err(CryptoError::invalid(format!(
                        "trustee index {} out of range",
                        p.trustee
                    )))
                }
            })
            .map_err(|e| KeyFileError::Format(e.to_string()))
    }

    /// The associated data: every public field and KDF parameter of the file.
    pub fn associated_data(&self) -> Vec<u8> {
        let p = &self.public;
        let k = &self.kdf;
        let mut w = CanonicalWriter::new(AAD_DOMAIN);
        w.str(&self.format)
            .u32(self.version)
            .str(&p.election_id)
            .str(&p.key_id)
            .u32(p.trustees)
            .u32(p.threshold)
            .u32(p.trustee)
            .point(&p.public_key)
            .point(&p.verification_key)
            .raw(&p.transcript_digest)
            .str(&k.algorithm)
            .u32(k.version)
            .u32(k.memory_kib)
            .u32(k.iterations)
            .u32(k.parallelism)
            .bytes(&k.salt)
            .str(&self.cipher.algorithm)
            .bytes(&self.cipher.nonce);
        w.finish()
    }
}

/// Refuses a sealed file whose key derivation or cipher is not the one this code writes.
pub(crate) fn check_algorithms(
    kdf: &KdfSection,
    cipher: &CipherSection,
) -> Result<(), KeyFileError> {
    if kdf.algorithm != KDF_ALGORITHM || kdf.version != ARGON2_VERSION {
        return Err(KeyFileError::Format(format!(
            "key derivation {:?} version {}, expected {KDF_ALGORITHM:?} version \
             {ARGON2_VERSION}",
            kdf.algorithm, kdf.version
        )));
    }
    if cipher.algorithm != CIPHER_ALGORITHM {
        return Err(KeyFileError::Format(format!(
            "cipher {:?}, expected {CIPHER_ALGORITHM:?}",
            cipher.algorithm
        )));
    }
    Ok(())
}

pub(crate) fn derive_key(
    argon2: &Argon2<'_>,
    password: &str,
    salt: &[u8],
) -> Result<Zeroizing<[u8; 32]>, KeyFileError> {
    let mut key = Zeroizing::new([0u8; 32]);
    argon2
        .hash_password_into(password.as_bytes(), salt, key.as_mut_slice())
        .map_err(|e| KeyFileError::Parameters(e.to_string()))?;
    Ok(key)
}
