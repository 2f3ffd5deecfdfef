//! The platform's secret keys, kept in files outside every database:
//! * `platform.key` — Ed25519 key that signs receipts, epoch heads, journal checkpoints
//!   and seals (its public key is published);
//! * `session.key` — HMAC key shared by the voting servers for their stateless session
//!   tokens;
//! * `master.key` — the master key that wraps the chambers' data keys.
//!
//! Each file holds 64 hex characters and is readable by its owner only.

use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroize;

use crate::error::{Result, StoreError};
use crate::sealing::{MasterKey, write_private};

/// The platform's keys.
#[derive(Clone)]
pub struct PlatformKeys {
    /// Signs receipts, epoch heads, checkpoints, seals.
    pub platform: SigningKey,
    /// Session token key.
    pub session: [u8; 32],
    /// Wraps the chambers' data keys.
    pub master: MasterKey,
}

impl std::fmt::Debug for PlatformKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformKeys")
            .field(
                "platform_public",
                &hex::encode(self.platform.verifying_key().as_bytes()),
            )
            .finish_non_exhaustive()
    }
}

impl Drop for PlatformKeys {
    fn drop(&mut self) {
        self.session.zeroize();
    }
}

fn paths(dir: &Path) -> [PathBuf; 3] {
    [
        dir.join("platform.key"),
        dir.join("session.key"),
        dir.join("master.key"),
    ]
}

fn read32(path: &Path) -> Result<[u8; 32]> {
    let text = std::fs::read_to_string(path).map_err(|source| StoreError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let mut bytes = hex::decode(text.trim())
        .map_err(|e| StoreError::Invalid(format!("key file {}: {e}", path.display())))?;
    let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
        StoreError::Invalid(format!("key file {}: expected 32 bytes", path.display()))
    })?;
    bytes.zeroize();
    Ok(key)
}

impl PlatformKeys {
    /// Fresh random keys.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> PlatformKeys {
        let mut session = [0u8; 32];
        rng.fill_bytes(&mut session);
        PlatformKeys {
            platform: SigningKey::generate(rng),
            session,
            master: MasterKey::generate(rng),
        }
    }

    /// The public key that checks receipts and board heads.
    pub fn platform_public(&self) -> VerifyingKey {
        self.platform.verifying_key()
    }

    /// Writes the three key files into `dir` (created if needed); refuses to overwrite.
    pub fn write(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let [p, s, m] = paths(dir);
        for path in [&p, &s, &m] {
            if path.exists() {
                return Err(StoreError::Conflict(format!(
                    "{} exists: keys are never overwritten",
                    path.display()
                )));
            }
        }
        write_private(&p, hex::encode(self.platform.to_bytes()).as_bytes())?;
        write_private(&s, hex::encode(self.session).as_bytes())?;
        self.master.write_file(&m)
    }

    /// Reads the three key files of `dir`.
    pub fn load(dir: &Path) -> Result<PlatformKeys> {
        let [p, s, m] = paths(dir);
        let mut platform = read32(&p)?;
        let keys = PlatformKeys {
            platform: SigningKey::from_bytes(&platform),
            session: read32(&s)?,
            master: MasterKey::read_file(&m)?,
        };
        platform.zeroize();
        Ok(keys)
    }

    /// Loads the keys of `dir`, creating them first if none exist (demo, tests).
    pub fn load_or_create(dir: &Path) -> Result<PlatformKeys> {
        if paths(dir).iter().all(|p| !p.exists()) {
            PlatformKeys::generate(&mut rand::rngs::OsRng).write(dir)?;
        }
        PlatformKeys::load(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let keys = PlatformKeys::load_or_create(dir.path()).unwrap();
        let again = PlatformKeys::load(dir.path()).unwrap();
        assert_eq!(keys.platform.to_bytes(), again.platform.to_bytes());
        assert_eq!(keys.session, again.session);
        assert_eq!(keys.master.to_bytes(), again.master.to_bytes());
        assert!(
            PlatformKeys::generate(&mut rand::rngs::OsRng)
                .write(dir.path())
                .is_err()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("master.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
