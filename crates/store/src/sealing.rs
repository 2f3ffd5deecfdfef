//! Encryption at rest of voters' personal data and of the control interface's
//! second-factor secrets.
//!
//! * The **master key** (32 bytes) is held by the servers outside every database: a key
//!   file, or derived from a passphrase with Argon2id. It only wraps data keys.
//! * Each chamber has a random **data key**, stored in the electors store wrapped by the
//!   master key (XChaCha20-Poly1305, the chamber code as associated data).
//! * A right's personal data (its voter-file row) is sealed with its chamber's data key
//!   (XChaCha20-Poly1305, random 192-bit nonce, the right's identifier as associated data,
//!   so sealed rows cannot be swapped between rights).
//! * The birth date used at login step 2 is not decrypted at login: the store keeps
//!   `HMAC-SHA-256(data key, right ‖ JJMMAAAA)`, compared in constant time.
//! * Destroying the data keys ([`crate::provision::destroy_data_keys`]) makes every sealed
//!   row unreadable, in the store and in its backups.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand_core::{CryptoRng, RngCore};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Result, StoreError};

const NONCE_LEN: usize = 24;
const WRAP_AAD: &str = "scrutin-data-key-v1:";
const PERSONAL_AAD: &str = "scrutin-personal-v1:";
const RESEND_AAD: &str = "scrutin-resend-v1:";
const ADDRESSEE_AAD: &str = "scrutin-addressee-v1:";
const BIRTH_TAG: &str = "scrutin-birth-date-v1:";
const TOTP_AAD: &str = "scrutin-totp-v1:";

/// The master key that wraps the chambers' data keys.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

impl MasterKey {
    /// A fresh random master key.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> MasterKey {
        let mut k = [0u8; 32];
        rng.fill_bytes(&mut k);
        MasterKey(k)
    }

    /// From raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> MasterKey {
        MasterKey(bytes)
    }

    /// The raw bytes (to write the key file).
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// Derives a master key from a passphrase with Argon2id (64 MiB, 3 passes) and a salt
    /// kept beside the stores.
    pub fn from_passphrase(passphrase: &[u8], salt: &[u8]) -> Result<MasterKey> {
        let mut k = [0u8; 32];
        argon2_kdf(passphrase, salt, &mut k)?;
        Ok(MasterKey(k))
    }

    /// Reads a key file: 64 hex characters.
    pub fn read_file(path: &std::path::Path) -> Result<MasterKey> {
        let text = std::fs::read_to_string(path).map_err(|source| StoreError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let mut bytes = hex::decode(text.trim())
            .map_err(|e| StoreError::Invalid(format!("master key file {}: {e}", path.display())))?;
        let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
            StoreError::Invalid(format!(
                "master key file {}: expected 32 bytes",
                path.display()
            ))
        })?;
        bytes.zeroize();
        Ok(MasterKey(key))
    }

    /// Writes a key file (64 hex characters), readable by its owner only.
    pub fn write_file(&self, path: &std::path::Path) -> Result<()> {
        write_private(path, hex::encode(self.0).as_bytes())
    }

    /// Wraps a chamber's data key.
    pub fn wrap<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        chamber_code: &str,
        key: &DataKey,
    ) -> Result<Vec<u8>> {
        seal_with(&self.0, rng, &format!("{WRAP_AAD}{chamber_code}"), &key.0)
    }

    /// Unwraps a chamber's data key.
    pub fn unwrap(&self, chamber_code: &str, wrapped: &[u8]) -> Result<DataKey> {
        let mut plain =
            open_with(&self.0, &format!("{WRAP_AAD}{chamber_code}"), wrapped).map_err(|_| {
                StoreError::Sealed(format!(
                    "the data key of chamber {chamber_code} does not open with this master key"
                ))
            })?;
        let key: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::corrupt("wrapped data key length"))?;
        plain.zeroize();
        Ok(DataKey(key))
    }
}

impl MasterKey {
    /// Seals the TOTP secret of an account of the control interface for the registry, so
    /// that a copy of the registry alone does not give anyone's second factor. The account
    /// id is the associated data: sealed secrets cannot be moved between accounts.
    pub fn seal_totp<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        account_id: &str,
        secret: &[u8],
    ) -> Result<Vec<u8>> {
        seal_with(&self.0, rng, &format!("{TOTP_AAD}{account_id}"), secret)
    }

    /// Opens what [`MasterKey::seal_totp`] sealed.
    pub fn open_totp(&self, account_id: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        open_with(&self.0, &format!("{TOTP_AAD}{account_id}"), sealed).map(Zeroizing::new)
    }
}

/// A chamber's data key.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DataKey([u8; 32]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(***)")
    }
}

impl DataKey {
    /// A fresh random data key.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> DataKey {
        let mut k = [0u8; 32];
        rng.fill_bytes(&mut k);
        DataKey(k)
    }

    /// Seals a right's personal data.
    pub fn seal_personal<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        right_id: &str,
        plain: &[u8],
    ) -> Result<Vec<u8>> {
        seal_with(&self.0, rng, &format!("{PERSONAL_AAD}{right_id}"), plain)
    }

    /// Opens a right's personal data.
    pub fn open_personal(&self, right_id: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        open_with(&self.0, &format!("{PERSONAL_AAD}{right_id}"), sealed)
    }

    /// Seals what a right's letters print of it (see `crate::addressee`), under its own
    /// associated data: it never opens as personal data nor the reverse.
    pub fn seal_addressee<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        right_id: &str,
        plain: &[u8],
    ) -> Result<Vec<u8>> {
        seal_with(&self.0, rng, &format!("{ADDRESSEE_AAD}{right_id}"), plain)
    }

    /// Opens what a right's letters print of it.
    pub fn open_addressee(&self, right_id: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        open_with(&self.0, &format!("{ADDRESSEE_AAD}{right_id}"), sealed)
    }

    /// Seals a resend request (fields and identity document).
    pub fn seal_resend<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
        request_id: &str,
        plain: &[u8],
    ) -> Result<Vec<u8>> {
        seal_with(&self.0, rng, &format!("{RESEND_AAD}{request_id}"), plain)
    }

    /// Opens a resend request.
    pub fn open_resend(&self, request_id: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        open_with(&self.0, &format!("{RESEND_AAD}{request_id}"), sealed)
    }

    /// The keyed digest of a birth date (JJMMAAAA) for login step 2.
    pub fn birth_check(&self, right_id: &str, birth_date: &str) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(BIRTH_TAG.as_bytes());
        mac.update(right_id.as_bytes());
        mac.update(b":");
        mac.update(birth_date.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// Compares a birth date with a stored keyed digest, in constant time.
    pub fn birth_matches(&self, right_id: &str, birth_date: &str, stored: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        let computed = self.birth_check(right_id, birth_date);
        computed.len() == stored.len() && bool::from(computed.ct_eq(stored))
    }
}

/// `nonce ‖ XChaCha20-Poly1305(key, nonce, plain, aad)`.
pub(crate) fn seal_with<R: RngCore + CryptoRng>(
    key: &[u8; 32],
    rng: &mut R,
    aad: &str,
    plain: &[u8],
) -> Result<Vec<u8>> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| StoreError::Sealed("encryption failed".into()))?;
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Opens what [`seal_with`] sealed.
pub(crate) fn open_with(key: &[u8; 32], aad: &str, sealed: &[u8]) -> Result<Vec<u8>> {
    if sealed.len() < NONCE_LEN + 16 {
        return Err(StoreError::Sealed("sealed data too short".into()));
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    XChaCha20Poly1305::new(key.into())
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ct,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| StoreError::Sealed("wrong key or altered data".into()))
}

/// Argon2id (64 MiB, 3 passes, 1 lane) into `out`.
pub(crate) fn argon2_kdf(passphrase: &[u8], salt: &[u8], out: &mut [u8]) -> Result<()> {
    let params = argon2::Params::new(64 * 1024, 3, 1, Some(out.len()))
        .map_err(|e| StoreError::Invalid(format!("argon2 parameters: {e}")))?;
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(passphrase, salt, out)
        .map_err(|e| StoreError::Invalid(format!("argon2: {e}")))
}

/// Writes a file readable by its owner only (keys, letters).
pub(crate) fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let io = |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::OsRng;

    #[test]
    fn personal_data_opens_only_with_its_key_and_right() {
        let master = MasterKey::generate(&mut OsRng);
        let dk = DataKey::generate(&mut OsRng);
        let wrapped = master.wrap(&mut OsRng, "181", &dk).unwrap();
        let dk2 = master.unwrap("181", &wrapped).unwrap();
        assert!(
            master.unwrap("182", &wrapped).is_err(),
            "bound to the chamber"
        );
        let sealed = dk
            .seal_personal(&mut OsRng, "1810000000001", b"DUPONT")
            .unwrap();
        assert_eq!(
            dk2.open_personal("1810000000001", &sealed).unwrap(),
            b"DUPONT"
        );
        assert!(
            dk2.open_personal("1810000000002", &sealed).is_err(),
            "bound to the right"
        );
        let other = DataKey::generate(&mut OsRng);
        assert!(other.open_personal("1810000000001", &sealed).is_err());
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(dk.open_personal("1810000000001", &tampered).is_err());
        // Another purpose is another associated data: an addressee is not personal data.
        assert!(dk.open_addressee("1810000000001", &sealed).is_err());
        let addressee = dk
            .seal_addressee(&mut OsRng, "1810000000001", b"Anne DUPONT")
            .unwrap();
        assert_eq!(
            dk2.open_addressee("1810000000001", &addressee).unwrap(),
            b"Anne DUPONT"
        );
        assert!(dk.open_personal("1810000000001", &addressee).is_err());
        assert!(dk.open_addressee("1810000000002", &addressee).is_err());
    }

    #[test]
    fn birth_check_is_keyed_and_exact() {
        let dk = DataKey::generate(&mut OsRng);
        let stored = dk.birth_check("1810000000001", "02031970");
        assert!(dk.birth_matches("1810000000001", "02031970", &stored));
        assert!(!dk.birth_matches("1810000000001", "02031971", &stored));
        assert!(!dk.birth_matches("1810000000002", "02031970", &stored));
        assert!(!DataKey::generate(&mut OsRng).birth_matches("1810000000001", "02031970", &stored));
    }
}
