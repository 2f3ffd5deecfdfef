//! Voting credentials: per voting right, a random **identifier** and a
//! **secret code**, from which the browser derives two Ed25519 keys.
//!
//! * The identifier is 11 random digits and a Damm check digit, shown `1234-5678-9012`.
//!   It is not secret; it names the right at login.
//! * The secret code is 17 random characters from a 31-character alphabet without
//!   look-alikes (no `0 O 1 I L`), i.e. 84.2 bits, plus one check character; shown in six
//!   groups of three, `ABC-DEF-…`. The check character catches every single-character
//!   typo and every swap of two adjacent characters, before anything is sent.
//! * The **login key** is bound to the election and the identifier; the **voting key** to
//!   the election and the scrutin (ballot box). Both are SHA-512 of a domain-separated
//!   canonical string, truncated to an Ed25519 seed (`specs/protocol.md` §2).
//!
//! Codes zeroize on drop and never print through `Debug`.

use core::fmt;

use curve25519_dalek_5::EdwardsPoint;
use ed25519_dalek::SigningKey;
use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha512};
use thiserror::Error;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The secret code alphabet: digits 2–9 and the Latin capitals without `I`, `L`, `O`.
/// Its size, 31, is prime, which makes the weighted check character detect every single
/// substitution and every adjacent transposition.
pub const CODE_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Random characters in a secret code (17 × log2(31) ≈ 84.2 bits).
pub const CODE_RANDOM_CHARS: usize = 17;
/// Characters in a secret code, check character included.
pub const CODE_CHARS: usize = CODE_RANDOM_CHARS + 1;
/// Characters per displayed group of a secret code.
pub const CODE_GROUP: usize = 3;
/// Random digits in an identifier.
pub const IDENTIFIER_RANDOM_DIGITS: usize = 11;
/// Digits in an identifier, check digit included.
pub const IDENTIFIER_DIGITS: usize = IDENTIFIER_RANDOM_DIGITS + 1;

const ALPHABET_SIZE: u32 = 31;
const LOGIN_KEY_TAG: &str = "scrutin/credential/login-key/v1";
const VOTING_KEY_TAG: &str = "scrutin/credential/voting-key/v1";

/// Why a typed identifier or secret code was refused. Positions count from 1 among the
/// significant characters (separators and spaces are not counted), so the page can point
/// at the character to fix; the characters themselves are never repeated.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CredentialError {
    /// Too few or too many significant characters.
    #[error("wrong length: expected {expected} characters, found {found}")]
    WrongLength {
        /// Characters expected (separators excluded).
        expected: usize,
        /// Characters found (separators excluded).
        found: usize,
    },
    /// A character outside the alphabet.
    #[error("character {position} is not allowed")]
    BadCharacter {
        /// Its position, from 1, separators excluded.
        position: usize,
    },
    /// Every character is allowed but the check character does not match: a typo.
    #[error("check character mismatch: a character is mistyped")]
    CheckMismatch,
}

/// Removes the separators a person may type (spaces, dashes) and upper-cases the rest.
/// Returns the significant characters; the caller zeroizes them.
fn normalize(input: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(input.len()));
    for c in input.chars() {
        if c.is_whitespace() || matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}') {
            continue;
        }
        // Non-ASCII characters stay as a marker byte that no alphabet contains.
        let b = if c.is_ascii() { c as u8 } else { 0xff };
        out.push(b.to_ascii_uppercase());
    }
    out
}

// ---------------------------------------------------------------------------------------
// Identifier
// ---------------------------------------------------------------------------------------

/// Damm's quasigroup of order 10 (weakly totally anti-symmetric): a check digit computed
/// with it detects all single-digit errors and all adjacent transpositions.
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

fn damm(digits: &[u8]) -> u8 {
    digits
        .iter()
        .fold(0u8, |interim, &d| DAMM[interim as usize][d as usize])
}

/// The identifier of a voting right: 12 digits, the last a Damm check digit. Random, so it
/// reveals nothing about the elector (it is not the elector number). Unique per election:
/// the generation step redraws on collision (≈ 20 expected among 2,000,000 draws).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identifier([u8; IDENTIFIER_DIGITS]);

impl Identifier {
    /// Parses a typed identifier: spaces and dashes are ignored.
    pub fn parse(input: &str) -> Result<Self, CredentialError> {
        let chars = normalize(input);
        if chars.len() != IDENTIFIER_DIGITS {
            return Err(CredentialError::WrongLength {
                expected: IDENTIFIER_DIGITS,
                found: chars.len(),
            });
        }
        let mut digits = [0u8; IDENTIFIER_DIGITS];
        for (i, &c) in chars.iter().enumerate() {
            if !c.is_ascii_digit() {
                return Err(CredentialError::BadCharacter { position: i + 1 });
            }
            digits[i] = c - b'0';
        }
        if damm(&digits) != 0 {
            return Err(CredentialError::CheckMismatch);
        }
        Ok(Identifier(digits.map(|d| d + b'0')))
    }

    /// The 12 digits without separators: the canonical form, used in key derivation and
    /// in files.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The grouped form printed on letters: `1234-5678-9012`.
    pub fn display(&self) -> String {
        // Pushed piece by piece: `format!` cost more than the rest of a letter's line.
        let s = self.as_str();
        let mut out = String::with_capacity(IDENTIFIER_DIGITS + 2);
        out.push_str(&s[0..4]);
        out.push('-');
        out.push_str(&s[4..8]);
        out.push('-');
        out.push_str(&s[8..12]);
        out
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl fmt::Debug for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Identifier({})", self.display())
    }
}

impl core::str::FromStr for Identifier {
    type Err = CredentialError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Identifier::parse(s)
    }
}

/// Draws a fresh random identifier (uniform digits, then the check digit).
pub fn generate_identifier<R: RngCore + CryptoRng>(rng: &mut R) -> Identifier {
    let mut digits = [0u8; IDENTIFIER_DIGITS];
    for d in digits.iter_mut().take(IDENTIFIER_RANDOM_DIGITS) {
        *d = uniform_below(rng, 10);
    }
    digits[IDENTIFIER_RANDOM_DIGITS] = damm_check_digit(&digits[..IDENTIFIER_RANDOM_DIGITS]);
    Identifier(digits.map(|d| d + b'0'))
}

/// The digit `c` such that `damm(digits ‖ c) = 0`: the final interim digit itself, since
/// the table's diagonal is zero.
fn damm_check_digit(digits: &[u8]) -> u8 {
    damm(digits)
}

/// A uniform value in `0..n` (n ≤ 256) by rejection sampling on single bytes.
fn uniform_below<R: RngCore>(rng: &mut R, n: u32) -> u8 {
    let limit = 256 - 256 % n;
    loop {
        let mut b = [0u8; 1];
        rng.fill_bytes(&mut b);
        let v = u32::from(b[0]);
        if v < limit {
            return (v % n) as u8;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Secret code
// ---------------------------------------------------------------------------------------

/// Index of a character in [`CODE_ALPHABET`], if it belongs to it.
fn code_index(c: u8) -> Option<u32> {
    CODE_ALPHABET.iter().position(|&a| a == c).map(|i| i as u32)
}

/// The check value `x_18` with `Σ_{i=1}^{18} i·x_i ≡ 0 (mod 31)`, where `x_i` are the
/// alphabet indices. Weights 1..18 are distinct and non-zero modulo the prime 31, so a
/// substitution at `i` shifts the sum by `i·δ ≢ 0` and an adjacent swap by `x_i − x_{i+1} ≢ 0`.
fn code_check_index(indices: &[u32; CODE_RANDOM_CHARS]) -> u32 {
    let sum: u32 = indices
        .iter()
        .enumerate()
        .map(|(i, &x)| (i as u32 + 1) * x)
        .sum::<u32>()
        % ALPHABET_SIZE;
    // x_18 = −sum · 18⁻¹ mod 31; 18·19 = 342 = 11·31 + 1, so 18⁻¹ = 19.
    ((ALPHABET_SIZE - sum) % ALPHABET_SIZE) * 19 % ALPHABET_SIZE
}

/// A secret code: 18 characters of [`CODE_ALPHABET`], the last a check character. It
/// exists only on the voter's letter and in the voter's browser; it is zeroized on drop and
/// its `Debug` form shows nothing.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretCode {
    chars: [u8; CODE_CHARS],
}

impl SecretCode {
    /// Draws a fresh code: 17 uniform characters and the check character.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut indices = Zeroizing::new([0u32; CODE_RANDOM_CHARS]);
        for x in indices.iter_mut() {
            *x = u32::from(uniform_below(rng, ALPHABET_SIZE));
        }
        let check = code_check_index(&indices);
        let mut chars = [0u8; CODE_CHARS];
        for (c, &x) in chars.iter_mut().zip(indices.iter()) {
            *c = CODE_ALPHABET[x as usize];
        }
        chars[CODE_RANDOM_CHARS] = CODE_ALPHABET[check as usize];
        SecretCode { chars }
    }

    /// Parses a typed code: spaces and dashes are ignored, lower case is accepted.
    pub fn parse(input: &str) -> Result<Self, CredentialError> {
        let normalized = normalize(input);
        if normalized.len() != CODE_CHARS {
            return Err(CredentialError::WrongLength {
                expected: CODE_CHARS,
                found: normalized.len(),
            });
        }
        let mut indices = Zeroizing::new([0u32; CODE_CHARS]);
        for (i, &c) in normalized.iter().enumerate() {
            indices[i] = code_index(c).ok_or(CredentialError::BadCharacter { position: i + 1 })?;
        }
        let weighted: u32 = indices
            .iter()
            .enumerate()
            .map(|(i, &x)| (i as u32 + 1) * x)
            .sum();
        if !weighted.is_multiple_of(ALPHABET_SIZE) {
            return Err(CredentialError::CheckMismatch);
        }
        let mut chars = [0u8; CODE_CHARS];
        chars.copy_from_slice(&normalized);
        Ok(SecretCode { chars })
    }

    /// The canonical form: 18 upper-case characters, no separators.
    pub fn canonical(&self) -> Zeroizing<String> {
        Zeroizing::new(self.chars.iter().map(|&c| c as char).collect())
    }

    /// The grouped form printed on letters: `ABC-DEF-GHJ-KMN-PQR-STU`.
    pub fn display(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::with_capacity(CODE_CHARS + CODE_CHARS / CODE_GROUP));
        for (i, &c) in self.chars.iter().enumerate() {
            if i > 0 && i % CODE_GROUP == 0 {
                s.push('-');
            }
            s.push(c as char);
        }
        s
    }

    /// The login key of this code for `identifier` in `election_id` (R-40, step 1).
    pub fn login_signing_key(&self, election_id: &str, identifier: &Identifier) -> SigningKey {
        login_signing_key(election_id, identifier, self)
    }

    /// The voting key of this code for the ballot box `scrutin_id` of `election_id`.
    pub fn voting_signing_key(&self, election_id: &str, scrutin_id: &str) -> SigningKey {
        voting_signing_key(election_id, scrutin_id, self)
    }
}

impl fmt::Debug for SecretCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretCode(<redacted>)")
    }
}

impl PartialEq for SecretCode {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.chars.ct_eq(&other.chars).into()
    }
}

impl Eq for SecretCode {}

/// Feeds `u32(len) ‖ bytes` into a hash, as `CanonicalWriter::bytes` would, without copying
/// the secret into an intermediate buffer.
fn absorb(h: &mut Sha512, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    h.update(len.to_be_bytes());
    h.update(bytes);
}

/// The Ed25519 seed of one key: SHA-512 of the domain-separated parts and the code,
/// truncated to 32 bytes.
fn derive_seed(parts: &[&[u8]], code: &SecretCode) -> Zeroizing<[u8; 32]> {
    let mut h = Sha512::new();
    for p in parts {
        absorb(&mut h, p);
    }
    absorb(&mut h, &code.chars);
    let mut digest = h.finalize();
    let mut seed = Zeroizing::new([0u8; 32]);
    seed.copy_from_slice(&digest[..32]);
    digest.as_mut_slice().zeroize();
    seed
}

fn login_seed(
    election_id: &str,
    identifier: &Identifier,
    code: &SecretCode,
) -> Zeroizing<[u8; 32]> {
    derive_seed(
        &[
            LOGIN_KEY_TAG.as_bytes(),
            election_id.as_bytes(),
            identifier.as_str().as_bytes(),
        ],
        code,
    )
}

fn voting_seed(election_id: &str, scrutin_id: &str, code: &SecretCode) -> Zeroizing<[u8; 32]> {
    derive_seed(
        &[
            VOTING_KEY_TAG.as_bytes(),
            election_id.as_bytes(),
            scrutin_id.as_bytes(),
        ],
        code,
    )
}

/// The login key: seed = SHA-512(str("scrutin/credential/login-key/v1") ‖ str(election) ‖
/// str(identifier) ‖ str(code))[0..32]. The electors store keeps its public key per right.
pub fn login_signing_key(
    election_id: &str,
    identifier: &Identifier,
    code: &SecretCode,
) -> SigningKey {
    SigningKey::from_bytes(&login_seed(election_id, identifier, code))
}

/// The voting key: seed = SHA-512(str("scrutin/credential/voting-key/v1") ‖ str(election) ‖
/// str(scrutin) ‖ str(code))[0..32]. The ballots store keeps its public key in the scrutin's
/// unordered set; nothing links it to the identifier.
pub fn voting_signing_key(election_id: &str, scrutin_id: &str, code: &SecretCode) -> SigningKey {
    SigningKey::from_bytes(&voting_seed(election_id, scrutin_id, code))
}

/// Domain tag of the login message (§2.4 of `specs/protocol.md`).
pub const LOGIN_MESSAGE_DOMAIN: &str = "scrutin-login-v1";

/// The bytes the login key signs at login step 1b, binding the election, the right's
/// identifier and the server's nonce (`specs/protocol.md` §2.4):
/// `str("scrutin-login-v1") ‖ str(election id) ‖ str(identifier, 12 digits) ‖ raw(nonce)`.
/// The voting server and the voter's browser both call this one function.
pub fn login_message(election_id: &str, identifier: &Identifier, nonce: &[u8; 32]) -> Vec<u8> {
    let mut w = crate::encoding::CanonicalWriter::new(LOGIN_MESSAGE_DOMAIN);
    w.str(election_id).str(identifier.as_str()).raw(nonce);
    w.finish()
}

/// What the generation step keeps of one voting right: the identifier and the two public
/// keys. The code goes to the letter and is then forgotten.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicCredential {
    /// The right's identifier.
    pub identifier: Identifier,
    /// The login public key (electors store).
    pub login_key: [u8; 32],
    /// The voting public key (the scrutin's set in the ballots store).
    pub voting_key: [u8; 32],
}

/// Draws one credential for a voting right of `scrutin_id`: a fresh identifier and code, and
/// the public keys derived from them. Costs two Ed25519 key generations.
pub fn generate_credential<R: RngCore + CryptoRng>(
    election_id: &str,
    scrutin_id: &str,
    rng: &mut R,
) -> (PublicCredential, SecretCode) {
    let mut one = generate_credentials(election_id, scrutin_id, 1, rng);
    one.pop()
        .unwrap_or_else(|| unreachable!("one credential was drawn"))
}

/// Credentials drawn per [`generate_credentials`] call by the generation step: enough that
/// the shared inversion costs nothing per key (one for 1,024 points), small enough that
/// the cores finish a page of rights together (with 2,048 one core waited up to 35 ms for
/// the other at the end of every page).
pub const CREDENTIAL_BATCH: usize = 512;

/// Draws `count` credentials for voting rights of `scrutin_id`, each as
/// [`generate_credential`] would, drawing from `rng` in the same order (identifier, then
/// code, credential after credential).
///
/// The public keys are those of [`SigningKey::from_bytes`] on the same seeds (RFC 8032
/// §5.1.5: the clamped first half of SHA-512(seed) times the base point), but the points of
/// the whole batch are compressed together: their projective `Z` coordinates share one
/// field inversion (Montgomery's trick) instead of one inversion per key, about a fifth of
/// the cost of a key. curve25519-dalek 4 has no batch compression of Edwards points, so
/// this one step uses curve25519-dalek 5 (its constant-time base-point table and batch
/// inversion; no randomness goes through it).
pub fn generate_credentials<R: RngCore + CryptoRng>(
    election_id: &str,
    scrutin_id: &str,
    count: usize,
    rng: &mut R,
) -> Vec<(PublicCredential, SecretCode)> {
    let drawn: Vec<(Identifier, SecretCode)> = (0..count)
        .map(|_| {
            let identifier = generate_identifier(rng);
            (identifier, SecretCode::generate(rng))
        })
        .collect();
    let points: Vec<EdwardsPoint> = drawn
        .iter()
        .flat_map(|(identifier, code)| {
            [
                login_seed(election_id, identifier, code),
                voting_seed(election_id, scrutin_id, code),
            ]
        })
        .map(|seed| public_point(&seed))
        .collect();
    let compressed = EdwardsPoint::compress_batch_alloc(&points);
    drawn
        .into_iter()
        .zip(compressed.chunks_exact(2))
        .map(|((identifier, code), keys)| {
            (
                PublicCredential {
                    identifier,
                    login_key: keys[0].to_bytes(),
                    voting_key: keys[1].to_bytes(),
                },
                code,
            )
        })
        .collect()
}

/// `A = s·B` for an Ed25519 seed, with `s` the clamped first half of SHA-512(seed); the
/// expanded secret is zeroized.
fn public_point(seed: &[u8; 32]) -> EdwardsPoint {
    let mut digest = Sha512::digest(seed);
    let mut scalar = Zeroizing::new([0u8; 32]);
    scalar.copy_from_slice(&digest[..32]);
    digest.as_mut_slice().zeroize();
    EdwardsPoint::mul_base_clamped(*scalar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damm_table_is_a_weakly_antisymmetric_quasigroup() {
        for a in 0..10 {
            let mut row = [false; 10];
            let mut col = [false; 10];
            for b in 0..10 {
                row[DAMM[a][b] as usize] = true;
                col[DAMM[b][a] as usize] = true;
            }
            assert!(row.iter().all(|&x| x) && col.iter().all(|&x| x));
            assert_eq!(DAMM[a][a], 0);
        }
        for c in 0..10 {
            for x in 0..10 {
                for y in 0..10 {
                    if x != y {
                        assert_ne!(DAMM[DAMM[c][x] as usize][y], DAMM[DAMM[c][y] as usize][x]);
                    }
                }
            }
        }
    }

    #[test]
    fn inverse_of_18_mod_31() {
        assert_eq!(18 * 19 % 31, 1);
    }
}
