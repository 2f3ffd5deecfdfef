//! A trustee's ceremony state saved between steps, under its password
//! (`specs/protocol.md` §8.1).
//!
//! The trustees of a COE rarely run the four steps of the ceremony in one sitting: each
//! step waits for the others' messages, which may take hours. The CLI therefore runs one
//! step per invocation and keeps the trustee's state ([`Registered`], [`Dealt`] or
//! [`Checked`]) in a file between steps. The state holds secrets (the transport secret, the
//! shares received), so the file is sealed like a key-share file: Argon2id from the
//! password, XChaCha20-Poly1305, the public header and the KDF parameters as associated
//! data. Changing the header (say, the step) or any byte of the ciphertext makes opening
//! fail like a wrong password.
//!
//! The state also keeps the message the trustee published at its last step, so a step
//! whose upload failed can be sent again without drawing new secrets.

use std::collections::BTreeMap;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use curve25519_dalek::scalar::Scalar;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::{
    Checked, Complaint, Dealing, Dealt, DkgParameters, Registered, TransportKeyAnnouncement,
};
use crate::encoding::{CanonicalWriter, decode_hex, decode_scalar};
use crate::keyfile::{
    ARGON2_VERSION, CIPHER_ALGORITHM, CipherSection, KDF_ALGORITHM, KdfParams, KdfSection,
    KeyFileError, NONCE_LEN, SALT_LEN, check_algorithms, derive_key,
};

/// The `format` field of a saved state.
pub const STATE_FORMAT: &str = "scrutin-dkg-state";
/// The current `version`.
pub const STATE_VERSION: u32 = 1;
/// Domain tag of the associated data.
pub const STATE_AAD_DOMAIN: &str = "scrutin-dkg-state-v1";
/// Largest plaintext accepted when opening (a ceremony of 255 trustees fits easily).
const MAX_PLAINTEXT: usize = 64 << 20;

/// Which step the saved trustee has done last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DkgStep {
    /// Step 1 done: transport key announced.
    Registered,
    /// Step 2 done: dealing published.
    Dealt,
    /// Step 3 done: dealings checked, complaints (if any) published.
    Checked,
}

impl DkgStep {
    /// The name written in the file.
    pub fn name(self) -> &'static str {
        match self {
            DkgStep::Registered => "registered",
            DkgStep::Dealt => "dealt",
            DkgStep::Checked => "checked",
        }
    }
}

/// A trustee's state, whichever step it is at.
pub enum SavedState {
    /// After step 1.
    Registered(Registered),
    /// After step 2.
    Dealt(Dealt),
    /// After step 3.
    Checked(Checked),
}

impl core::fmt::Debug for SavedState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SavedState")
            .field("step", &self.step())
            .field("parameters", self.parameters())
            .field("trustee", &self.trustee())
            .finish_non_exhaustive()
    }
}

impl SavedState {
    /// The step done last.
    pub fn step(&self) -> DkgStep {
        match self {
            SavedState::Registered(_) => DkgStep::Registered,
            SavedState::Dealt(_) => DkgStep::Dealt,
            SavedState::Checked(_) => DkgStep::Checked,
        }
    }

    /// The ceremony's parameters.
    pub fn parameters(&self) -> &DkgParameters {
        match self {
            SavedState::Registered(s) => &s.params,
            SavedState::Dealt(s) => &s.params,
            SavedState::Checked(s) => &s.params,
        }
    }

    /// The trustee's index.
    pub fn trustee(&self) -> u32 {
        match self {
            SavedState::Registered(s) => s.index,
            SavedState::Dealt(s) => s.index,
            SavedState::Checked(s) => s.index,
        }
    }

    /// Seals the state under `password` (not empty).
    pub fn seal<R: RngCore + CryptoRng>(
        &self,
        password: &str,
        kdf: KdfParams,
        rng: &mut R,
    ) -> Result<SavedStateFile, KeyFileError> {
        if password.is_empty() {
            return Err(KeyFileError::Parameters("the password is empty".into()));
        }
        let argon2 = kdf.argon2()?;
        let mut salt = vec![0u8; SALT_LEN];
        rng.fill_bytes(&mut salt);
        let mut nonce = vec![0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let p = self.parameters();
        let mut file = SavedStateFile {
            format: STATE_FORMAT.into(),
            version: STATE_VERSION,
            public: SavedStatePublic {
                election_id: p.election_id.clone(),
                key_id: p.key_id.clone(),
                trustees: p.trustees,
                threshold: p.threshold,
                trustee: self.trustee(),
                step: self.step(),
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
        let plain = self.plaintext()?;
        let key = derive_key(&argon2, password, &file.kdf.salt)?;
        let cipher = XChaCha20Poly1305::new(key.as_slice().into());
        let aad = file.associated_data();
        file.cipher.ciphertext = cipher
            .encrypt(
                XNonce::from_slice(&file.cipher.nonce),
                Payload {
                    msg: &plain,
                    aad: &aad,
                },
            )
            .map_err(|_| KeyFileError::Format("encryption failed".into()))?;
        Ok(file)
    }

    fn plaintext(&self) -> Result<Zeroizing<Vec<u8>>, KeyFileError> {
        let body = match self {
            SavedState::Registered(s) => StateBody {
                params: s.params.clone(),
                trustee: s.index,
                step: DkgStep::Registered,
                transport_secret: Some(SecretHex::of(&s.transport_secret)),
                announcement: Some(s.announcement.clone()),
                roster: Vec::new(),
                own_dealing: None,
                own_share: None,
                shares: BTreeMap::new(),
                seen: Vec::new(),
                complaints: Vec::new(),
            },
            SavedState::Dealt(s) => StateBody {
                params: s.params.clone(),
                trustee: s.index,
                step: DkgStep::Dealt,
                transport_secret: Some(SecretHex::of(&s.transport_secret)),
                announcement: None,
                roster: s.roster.clone(),
                own_dealing: Some(s.own_dealing.clone()),
                own_share: Some(SecretHex::of(&s.own_share)),
                shares: BTreeMap::new(),
                seen: Vec::new(),
                complaints: Vec::new(),
            },
            SavedState::Checked(s) => StateBody {
                params: s.params.clone(),
                trustee: s.index,
                step: DkgStep::Checked,
                transport_secret: None,
                announcement: None,
                roster: s.roster.clone(),
                own_dealing: Some(s.own_dealing.clone()),
                own_share: None,
                shares: s
                    .shares
                    .iter()
                    .map(|(k, v)| (*k, SecretHex::of(v)))
                    .collect(),
                seen: s.seen.values().cloned().collect(),
                complaints: s.complaints.clone(),
            },
        };
        // Reserve enough up front so the buffer holding secrets is never reallocated
        // (a reallocation would leave an unzeroized copy behind).
        let n = body.params.trustees as usize;
        let t = body.params.threshold as usize;
        let estimate = 16 * 1024 + n * (1024 + t * 160 + n * 400);
        let mut out = Zeroizing::new(Vec::with_capacity(estimate));
        serde_json::to_writer(&mut *out, &body)
            .map_err(|e| KeyFileError::Format(format!("state encoding: {e}")))?;
        Ok(out)
    }
}

/// A secret scalar as lowercase hex, wiped on drop.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(transparent)]
struct SecretHex(String);

impl SecretHex {
    fn of(x: &Scalar) -> SecretHex {
        SecretHex(hex::encode(x.as_bytes()))
    }

    fn scalar(&self, what: &str) -> Result<Zeroizing<Scalar>, KeyFileError> {
        let bytes = Zeroizing::new(
            decode_hex(&self.0, 32, "scalar")
                .map_err(|e| KeyFileError::Inconsistent(format!("{what}: {e}")))?,
        );
        Ok(Zeroizing::new(decode_scalar(&bytes).map_err(|e| {
            KeyFileError::Inconsistent(format!("{what}: {e}"))
        })?))
    }
}

/// What the ciphertext holds (JSON).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateBody {
    params: DkgParameters,
    trustee: u32,
    step: DkgStep,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    transport_secret: Option<SecretHex>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    announcement: Option<TransportKeyAnnouncement>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    roster: Vec<TransportKeyAnnouncement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    own_dealing: Option<Dealing>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    own_share: Option<SecretHex>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    shares: BTreeMap<u32, SecretHex>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    seen: Vec<Dealing>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    complaints: Vec<Complaint>,
}

impl StateBody {
    fn into_state(self) -> Result<SavedState, KeyFileError> {
        let missing = |what: &str| KeyFileError::Inconsistent(format!("the state lacks {what}"));
        let params = self.params.clone();
        params
            .validate()
            .map_err(|e| KeyFileError::Inconsistent(e.to_string()))?;
        params
            .check_trustee(self.trustee)
            .map_err(|e| KeyFileError::Inconsistent(e.to_string()))?;
        let index = self.trustee;
        let roster_ok = |roster: &[TransportKeyAnnouncement]| {
            super::messages::check_roster(&params, roster)
                .map_err(|e| KeyFileError::Inconsistent(format!("roster: {e}")))
        };
        Ok(match self.step {
            DkgStep::Registered => {
                let secret = self
                    .transport_secret
                    .as_ref()
                    .ok_or_else(|| missing("the transport secret"))?
                    .scalar("transport secret")?;
                let announcement = self
                    .announcement
                    .clone()
                    .ok_or_else(|| missing("the announcement"))?;
                if announcement.trustee != index
                    || announcement.transport_key != crate::elgamal::base_mul(&secret)
                {
                    return Err(KeyFileError::Inconsistent(
                        "the announcement does not match the transport secret".into(),
                    ));
                }
                SavedState::Registered(Registered {
                    params,
                    index,
                    transport_secret: secret,
                    announcement,
                })
            }
            DkgStep::Dealt => {
                let secret = self
                    .transport_secret
                    .as_ref()
                    .ok_or_else(|| missing("the transport secret"))?
                    .scalar("transport secret")?;
                let own_share = self
                    .own_share
                    .as_ref()
                    .ok_or_else(|| missing("the trustee's own share"))?
                    .scalar("own share")?;
                let own_dealing = self
                    .own_dealing
                    .clone()
                    .ok_or_else(|| missing("the trustee's dealing"))?;
                roster_ok(&self.roster)?;
                if self.roster[index as usize - 1].transport_key
                    != crate::elgamal::base_mul(&secret)
                {
                    return Err(KeyFileError::Inconsistent(
                        "the roster does not hold this trustee's transport key".into(),
                    ));
                }
                if own_dealing.dealer != index || !own_dealing.share_matches(index, &own_share) {
                    return Err(KeyFileError::Inconsistent(
                        "the trustee's own share does not match its dealing".into(),
                    ));
                }
                SavedState::Dealt(Dealt {
                    params,
                    index,
                    transport_secret: secret,
                    roster: self.roster.clone(),
                    own_dealing,
                    own_share,
                })
            }
            DkgStep::Checked => {
                roster_ok(&self.roster)?;
                let own_dealing = self
                    .own_dealing
                    .clone()
                    .ok_or_else(|| missing("the trustee's dealing"))?;
                let mut shares = BTreeMap::new();
                for (dealer, value) in &self.shares {
                    shares.insert(*dealer, value.scalar("received share")?);
                }
                if !shares.contains_key(&index) {
                    return Err(missing("the trustee's own share"));
                }
                let mut seen = BTreeMap::new();
                for d in &self.seen {
                    if seen.insert(d.dealer, d.clone()).is_some() {
                        return Err(KeyFileError::Inconsistent(format!(
                            "two dealings of trustee {}",
                            d.dealer
                        )));
                    }
                }
                SavedState::Checked(Checked {
                    params,
                    index,
                    roster: self.roster.clone(),
                    own_dealing,
                    shares,
                    seen,
                    complaints: self.complaints.clone(),
                })
            }
        })
    }
}

/// The public header of a saved state: which trustee of which ceremony, at which step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedStatePublic {
    /// The election's identifier.
    pub election_id: String,
    /// The key's identifier.
    pub key_id: String,
    /// Number of trustees.
    pub trustees: u32,
    /// Threshold.
    pub threshold: u32,
    /// This trustee's index.
    pub trustee: u32,
    /// The step done last.
    pub step: DkgStep,
}

/// A password-protected saved state (JSON, like a key-share file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedStateFile {
    /// Always `scrutin-dkg-state`.
    pub format: String,
    /// Format version (1).
    pub version: u32,
    /// Which trustee, which ceremony, which step.
    pub public: SavedStatePublic,
    /// How the key is derived from the password.
    pub kdf: KdfSection,
    /// The sealed state.
    pub cipher: CipherSection,
}

impl SavedStateFile {
    /// Opens the file with its password.
    pub fn open(&self, password: &str) -> Result<SavedState, KeyFileError> {
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
        let body: StateBody = serde_json::from_slice(&plain)
            .map_err(|e| KeyFileError::Inconsistent(format!("state content: {e}")))?;
        let p = &self.public;
        if body.params.election_id != p.election_id
            || body.params.key_id != p.key_id
            || body.params.trustees != p.trustees
            || body.params.threshold != p.threshold
            || body.trustee != p.trustee
            || body.step != p.step
        {
            return Err(KeyFileError::Inconsistent(
                "the sealed state does not match the file's header".into(),
            ));
        }
        body.into_state()
    }

    /// The file's JSON text (pretty-printed).
    pub fn to_json(&self) -> String {
        // Serializing plain strings, integers and hex cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a file's JSON text, refusing unknown fields and malformed sections.
    pub fn from_json(text: &str) -> Result<SavedStateFile, KeyFileError> {
        let file: SavedStateFile =
            serde_json::from_str(text).map_err(|e| KeyFileError::Format(e.to_string()))?;
        file.check_form()?;
        Ok(file)
    }

    fn check_form(&self) -> Result<(), KeyFileError> {
        if self.format != STATE_FORMAT {
            return Err(KeyFileError::Format(format!(
                "format is {:?}, expected {STATE_FORMAT:?}",
                self.format
            )));
        }
        if self.version != STATE_VERSION {
            return Err(KeyFileError::UnsupportedVersion(self.version));
        }
        check_algorithms(&self.kdf, &self.cipher)?;
        if self.kdf.salt.len() != SALT_LEN || self.cipher.nonce.len() != NONCE_LEN {
            return Err(KeyFileError::Format(format!(
                "salt of {} bytes and nonce of {} bytes, expected {SALT_LEN} and {NONCE_LEN}",
                self.kdf.salt.len(),
                self.cipher.nonce.len()
            )));
        }
        if self.cipher.ciphertext.len() < 16 || self.cipher.ciphertext.len() > MAX_PLAINTEXT {
            return Err(KeyFileError::Format(format!(
                "ciphertext of {} bytes",
                self.cipher.ciphertext.len()
            )));
        }
        let p = &self.public;
        DkgParameters::new(&p.election_id, &p.key_id, p.trustees, p.threshold)
            .and_then(|params| params.check_trustee(p.trustee))
            .map_err(|e| KeyFileError::Format(e.to_string()))
    }

    /// The associated data: the header, the KDF parameters and the nonce.
    pub fn associated_data(&self) -> Vec<u8> {
        let p = &self.public;
        let k = &self.kdf;
        let mut w = CanonicalWriter::new(STATE_AAD_DOMAIN);
        w.str(&self.format)
            .u32(self.version)
            .str(&p.election_id)
            .str(&p.key_id)
            .u32(p.trustees)
            .u32(p.threshold)
            .u32(p.trustee)
            .str(p.step.name())
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

impl Registered {
    /// The announcement this trustee published at step 1 (to send again if needed).
    pub fn announcement(&self) -> &TransportKeyAnnouncement {
        &self.announcement
    }

    /// The ceremony's parameters.
    pub fn parameters(&self) -> &DkgParameters {
        &self.params
    }
}

impl Dealt {
    /// The dealing this trustee published at step 2 (to send again if needed).
    pub fn dealing(&self) -> &Dealing {
        &self.own_dealing
    }

    /// The roster this trustee dealt to.
    pub fn roster(&self) -> &[TransportKeyAnnouncement] {
        &self.roster
    }

    /// The ceremony's parameters.
    pub fn parameters(&self) -> &DkgParameters {
        &self.params
    }
}

impl Checked {
    /// The complaints this trustee published at step 3 (usually none).
    pub fn complaints(&self) -> &[Complaint] {
        &self.complaints
    }

    /// The ceremony's parameters.
    pub fn parameters(&self) -> &DkgParameters {
        &self.params
    }
}

#[cfg(test)]
mod tests {
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    use super::*;
    use crate::dkg::DkgTranscript;
    use crate::keyfile::MAX_MEMORY_KIB;

    const CHEAP: KdfParams = KdfParams {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };

    fn round_trip(state: SavedState, password: &str, rng: &mut ChaCha20Rng) -> SavedState {
        let file = state.seal(password, CHEAP, rng).unwrap();
        let text = file.to_json();
        let back = SavedStateFile::from_json(&text).unwrap();
        assert_eq!(back.public.step, state.step());
        back.open(password).unwrap()
    }

    /// Every trustee saves and reopens its state after each step, as the CLI does between
    /// invocations; the resumed ceremony ends with the same key as a local one would.
    #[test]
    fn a_ceremony_resumed_from_saved_states_at_every_step_completes() {
        let mut rng = ChaCha20Rng::seed_from_u64(41);
        let params = DkgParameters::new("cci-2026", "coe-011", 3, 2).unwrap();
        let mut states = Vec::new();
        let mut roster = Vec::new();
        for i in 1..=3 {
            let (s, a) = Registered::new(params.clone(), i, &mut rng).unwrap();
            let back = round_trip(SavedState::Registered(s), "mot de passe 1", &mut rng);
            let SavedState::Registered(back) = back else {
                panic!("wrong step")
            };
            assert_eq!(back.announcement(), &a);
            states.push(back);
            roster.push(a);
        }
        let mut dealt = Vec::new();
        let mut dealings = Vec::new();
        for s in states {
            let (s, d) = s.deal(&roster, &mut rng).unwrap();
            let SavedState::Dealt(back) = round_trip(SavedState::Dealt(s), "pw", &mut rng) else {
                panic!("wrong step")
            };
            assert_eq!(back.dealing(), &d);
            dealt.push(back);
            dealings.push(d);
        }
        let mut checked = Vec::new();
        for s in dealt {
            let (s, complaints) = s.check_dealings(&dealings, &mut rng).unwrap();
            assert!(complaints.is_empty());
            let SavedState::Checked(back) = round_trip(SavedState::Checked(s), "pw", &mut rng)
            else {
                panic!("wrong step")
            };
            checked.push(back);
        }
        let transcript = DkgTranscript::assemble(params, roster, dealings, Vec::new());
        let outcome = transcript.verify().unwrap();
        for s in checked {
            let share = s.finalize(&transcript).unwrap();
            assert_eq!(share.public_key(), outcome.public_key);
        }
    }

    #[test]
    fn a_wrong_password_or_an_altered_byte_is_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(42);
        let params = DkgParameters::new("cci-2026", "coe-011", 3, 2).unwrap();
        let (s, _) = Registered::new(params, 2, &mut rng).unwrap();
        let file = SavedState::Registered(s)
            .seal("correct horse", CHEAP, &mut rng)
            .unwrap();
        assert_eq!(
            file.open("wrong horse").unwrap_err(),
            KeyFileError::WrongPasswordOrAltered
        );
        let mut altered = file.clone();
        altered.cipher.ciphertext[3] ^= 1;
        assert_eq!(
            altered.open("correct horse").unwrap_err(),
            KeyFileError::WrongPasswordOrAltered
        );
        let mut restepped = file.clone();
        restepped.public.step = DkgStep::Dealt;
        assert_eq!(
            restepped.open("correct horse").unwrap_err(),
            KeyFileError::WrongPasswordOrAltered
        );
        let mut reindexed = file.clone();
        reindexed.public.trustee = 1;
        assert_eq!(
            reindexed.open("correct horse").unwrap_err(),
            KeyFileError::WrongPasswordOrAltered
        );
        let mut cheaper = file.clone();
        cheaper.kdf.iterations = 2;
        assert_eq!(
            cheaper.open("correct horse").unwrap_err(),
            KeyFileError::WrongPasswordOrAltered
        );
        assert!(file.open("correct horse").is_ok());
    }

    #[test]
    fn malformed_files_and_empty_passwords_are_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(43);
        let params = DkgParameters::new("cci-2026", "coe-011", 3, 2).unwrap();
        let (s, _) = Registered::new(params, 1, &mut rng).unwrap();
        let state = SavedState::Registered(s);
        assert!(matches!(
            state.seal("", CHEAP, &mut rng),
            Err(KeyFileError::Parameters(_))
        ));
        let file = state.seal("pw", CHEAP, &mut rng).unwrap();
        let text = file.to_json();
        assert!(matches!(
            SavedStateFile::from_json(&text.replace("scrutin-dkg-state", "scrutin-key-share")),
            Err(KeyFileError::Format(_))
        ));
        assert!(matches!(
            SavedStateFile::from_json(&text.replacen("\"version\": 1", "\"version\": 2", 1)),
            Err(KeyFileError::UnsupportedVersion(2))
        ));
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["extra"] = serde_json::json!(1);
        assert!(SavedStateFile::from_json(&v.to_string()).is_err());
        let mut greedy = file.clone();
        greedy.kdf.memory_kib = MAX_MEMORY_KIB + 1;
        assert!(matches!(
            greedy.open("pw"),
            Err(KeyFileError::Parameters(_))
        ));
        // A key-share file is not a saved state.
        assert!(SavedStateFile::from_json("{\"format\":\"scrutin-key-share\"}").is_err());
    }

    #[test]
    fn the_file_shows_no_secret_and_debug_redacts() {
        let mut rng = ChaCha20Rng::seed_from_u64(44);
        let params = DkgParameters::new("cci-2026", "coe-011", 2, 2).unwrap();
        let (s, _) = Registered::new(params, 1, &mut rng).unwrap();
        let secret_hex = hex::encode(s.transport_secret.as_bytes());
        let state = SavedState::Registered(s);
        assert!(!format!("{state:?}").contains(&secret_hex));
        let text = state.seal("pw", CHEAP, &mut rng).unwrap().to_json();
        assert!(!text.contains(&secret_hex));
    }
}
