//! The letters file (R-30, R-31), also used for a commission's export of its voter list
//! (R-83): what the printing service (or the mailer) needs to send
//! each voter its material — identifier, secret code, names, address, chamber,
//! instructions — written **encrypted**, since it holds the secret codes.
//!
//! Format (version 2; version 1 is still read), documented in `docs/operations.md`:
//! ```text
//! "SCRUTIN-LETTERS-2\n"
//! header: one JSON line {"kdf":"argon2id","m_kib":65536,"t":3,"p":1,"salt":hex16,"nonce_prefix":hex16}
//! chunks: u32 BE length ‖ XChaCha20-Poly1305 ciphertext
//! ```
//! The key is Argon2id(passphrase, salt). Chunk `i` (plaintext ≤ 1 MiB) uses the nonce
//! `nonce_prefix ‖ u64 BE i` and the associated data `"scrutin-letters-v2" ‖ header line ‖
//! u8(last)`, so chunks cannot be reordered, dropped, truncated or moved to another file
//! (the STREAM construction). The plaintext is JSON Lines, one [`Letter`] per line,
//! sorted by scrutin, postcode and surname (R-31). A line `{"sheet":{…}}` ([`ScrutinSheet`])
//! gives once what every letter of a scrutin shares (chamber, labels, instructions); a
//! letter after it leaves those four fields out and takes them from its scrutin's sheet.
//! Version 1 (`SCRUTIN-LETTERS-1`, `"scrutin-letters-v1"`) had no sheets.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

use chacha20poly1305::aead::{Aead, AeadInPlace, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Result, StoreError};
use crate::sealing::argon2_kdf;

const MAGIC: &[u8] = b"SCRUTIN-LETTERS-2\n";
const AAD: &[u8] = b"scrutin-letters-v2";
/// Version 1: the same but for the sheets, which it did not have.
const MAGIC_V1: &[u8] = b"SCRUTIN-LETTERS-1\n";
const AAD_V1: &[u8] = b"scrutin-letters-v1";
const CHUNK: usize = 1 << 20;

/// One voter's letter. Holds a secret code: zeroized on drop, never printed by `Debug`.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct Letter {
    /// The right (chamber code + elector number): the voter's reference on the letter.
    pub right_id: String,
    /// Scrutin (ballot box).
    pub scrutin: String,
    /// Chamber code (from the scrutin's sheet when the line leaves it out).
    #[serde(default)]
    pub chamber_code: String,
    /// Chamber label (idem).
    #[serde(default)]
    pub chamber_label: String,
    /// Scrutin label (category, sub-category) (idem).
    #[serde(default)]
    pub scrutin_label: String,
    /// Login identifier, grouped (`1234-5678-9012`).
    pub identifier: String,
    /// Secret code, grouped (`ABC-DEF-…`).
    pub code: String,
    /// Civility.
    pub civility: String,
    /// Names as printed.
    pub name: String,
    /// Company.
    pub company: String,
    /// Address lines (recipient first).
    pub address: Vec<String>,
    /// Postcode (for sorting and mailing).
    pub postcode: String,
    /// Email, when the voter file gives one (email delivery, R-31).
    pub email: Option<String>,
    /// Instructions for the voter, in French (idem).
    #[serde(default)]
    pub instructions: String,
    /// Material generation: 0 for the first letter, then one more per resend (R-32).
    pub material: i64,
}

impl std::fmt::Debug for Letter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Letter")
            .field("scrutin", &self.scrutin)
            .field("identifier", &self.identifier)
            .field("code", &"***")
            .finish_non_exhaustive()
    }
}

/// What every letter of a scrutin shares, written once before its letters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScrutinSheet {
    /// Scrutin (ballot box).
    pub scrutin: String,
    /// Chamber code.
    pub chamber_code: String,
    /// Chamber label.
    pub chamber_label: String,
    /// Scrutin label (category, sub-category).
    pub scrutin_label: String,
    /// Instructions for the voter, in French.
    pub instructions: String,
}

/// The line that carries a sheet.
#[derive(Serialize, Deserialize)]
struct SheetLine<S> {
    sheet: S,
}

/// A letter borrowed from the generation's buffers, without what its scrutin's sheet
/// gives: with the sheet, it reads back as [`LetterRef::to_letter`]. The generation
/// writes two million of these; the owned form is for the one-off resend.
#[derive(Serialize)]
pub(crate) struct LetterRef<'a> {
    #[serde(flatten)]
    pub head: LetterHead<'a>,
    #[serde(flatten)]
    pub addressee: LetterAddressee<'a>,
    pub material: i64,
}

impl LetterRef<'_> {
    /// The whole letter: this one's own fields and its scrutin's shared ones.
    pub fn to_letter(&self, sheet: &ScrutinSheet) -> Letter {
        let (head, addressee) = (&self.head, &self.addressee);
        Letter {
            right_id: head.right_id.to_owned(),
            scrutin: head.scrutin.to_owned(),
            chamber_code: sheet.chamber_code.clone(),
            chamber_label: sheet.chamber_label.clone(),
            scrutin_label: sheet.scrutin_label.clone(),
            identifier: head.identifier.to_owned(),
            code: head.code.to_owned(),
            civility: addressee.civility.to_owned(),
            name: addressee.name.to_owned(),
            company: addressee.company.to_owned(),
            address: addressee.address.to_vec(),
            postcode: addressee.postcode.to_owned(),
            email: addressee.email.map(str::to_owned),
            instructions: sheet.instructions.clone(),
            material: self.material,
        }
    }
}

/// The fields of a letter's line that come before what it prints of its addressee: the
/// generation writes these, then the addressee's sealed members (`crate::addressee`).
#[derive(Clone, Copy, Serialize)]
pub(crate) struct LetterHead<'a> {
    pub right_id: &'a str,
    pub scrutin: &'a str,
    pub identifier: &'a str,
    pub code: &'a str,
}

/// What a letter prints of its addressee, named and ordered as in its line (the sealed
/// addressee holds these serialised).
#[derive(Serialize)]
pub(crate) struct LetterAddressee<'a> {
    pub civility: &'a str,
    pub name: &'a str,
    pub company: &'a str,
    pub address: &'a [String],
    pub postcode: &'a str,
    pub email: Option<&'a str>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    kdf: String,
    m_kib: u32,
    t: u32,
    p: u32,
    salt: String,
    nonce_prefix: String,
}

/// Writes an encrypted letters file.
pub struct LettersWriter<W: Write> {
    out: W,
    cipher: XChaCha20Poly1305,
    header_line: Vec<u8>,
    nonce_prefix: [u8; 16],
    counter: u64,
    buf: Zeroizing<Vec<u8>>,
    letters: u64,
    aad_label: &'static [u8],
}

impl<W: Write> LettersWriter<W> {
    /// Starts a file protected by `passphrase` (Argon2id, 64 MiB, 3 passes).
    pub fn new<R: RngCore + CryptoRng>(out: W, passphrase: &[u8], rng: &mut R) -> Result<Self> {
        Self::start(out, passphrase, rng, MAGIC, AAD)
    }

    /// A version 1 file, as earlier releases wrote them (to test that they still read).
    #[cfg(test)]
    fn new_v1<R: RngCore + CryptoRng>(out: W, passphrase: &[u8], rng: &mut R) -> Result<Self> {
        Self::start(out, passphrase, rng, MAGIC_V1, AAD_V1)
    }

    fn start<R: RngCore + CryptoRng>(
        mut out: W,
        passphrase: &[u8],
        rng: &mut R,
        magic: &[u8],
        aad_label: &'static [u8],
    ) -> Result<Self> {
        if passphrase.len() < 12 {
            return Err(StoreError::Invalid(
                "the letters passphrase must have at least 12 characters".into(),
            ));
        }
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        let mut nonce_prefix = [0u8; 16];
        rng.fill_bytes(&mut nonce_prefix);
        let header = Header {
            kdf: "argon2id".into(),
            m_kib: 64 * 1024,
            t: 3,
            p: 1,
            salt: hex::encode(salt),
            nonce_prefix: hex::encode(nonce_prefix),
        };
        let mut header_line =
            serde_json::to_vec(&header).map_err(|e| StoreError::Invalid(e.to_string()))?;
        header_line.push(b'\n');
        let mut key = Zeroizing::new([0u8; 32]);
        argon2_kdf(passphrase, &salt, &mut key[..])?;
        let io = |source| StoreError::Io {
            path: "letters file".into(),
            source,
        };
        out.write_all(magic).map_err(io)?;
        out.write_all(&header_line).map_err(io)?;
        Ok(LettersWriter {
            out,
            cipher: XChaCha20Poly1305::new((&*key).into()),
            header_line,
            nonce_prefix,
            counter: 0,
            buf: Zeroizing::new(Vec::with_capacity(CHUNK + 4096)),
            letters: 0,
            aad_label,
        })
    }

    /// Appends one record (a letter, or a voter record of an export).
    pub fn write<T: Serialize>(&mut self, record: &T) -> Result<()> {
        let mut line = SecretLines::with_capacity(1024);
        line.push(record)?;
        self.write_lines(line.as_bytes(), 1)
    }

    /// Gives what the following letters of `sheet.scrutin` share (they leave it out).
    pub fn write_sheet(&mut self, sheet: &ScrutinSheet) -> Result<()> {
        let mut line = SecretLines::with_capacity(1024);
        line.push(&SheetLine { sheet })?;
        self.write_lines(line.as_bytes(), 0)
    }

    /// Appends `count` records already serialised as JSON lines, each ending in `\n` (the
    /// credential generation serialises its letters on every core).
    pub fn write_lines(&mut self, lines: &[u8], count: u64) -> Result<()> {
        // Filled up to CHUNK and sealed, never grown: a reallocation would leave a copy
        // of the plaintext behind, unzeroized.
        let mut rest = lines;
        while !rest.is_empty() {
            let take = (CHUNK - self.buf.len()).min(rest.len());
            self.buf.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.buf.len() == CHUNK {
                self.seal_chunk(false)?;
            }
        }
        self.letters += count;
        Ok(())
    }

    fn seal_chunk(&mut self, last: bool) -> Result<()> {
        let mut nonce = [0u8; 24];
        nonce[..16].copy_from_slice(&self.nonce_prefix);
        nonce[16..].copy_from_slice(&self.counter.to_be_bytes());
        let mut aad = self.aad_label.to_vec();
        aad.extend_from_slice(&self.header_line);
        aad.push(u8::from(last));
        // In place, the tag apart: no fresh megabyte per chunk for the ciphertext (the
        // generation seals 600 of them in its tail).
        let tag = self
            .cipher
            .encrypt_in_place_detached(XNonce::from_slice(&nonce), &aad, &mut self.buf)
            .map_err(|_| StoreError::Sealed("letters encryption failed".into()))?;
        self.counter += 1;
        let io = |source| StoreError::Io {
            path: "letters file".into(),
            source,
        };
        let len = u32::try_from(self.buf.len() + tag.len())
            .map_err(|_| StoreError::Invalid("chunk too large".into()))?;
        self.out.write_all(&len.to_be_bytes()).map_err(io)?;
        self.out.write_all(&self.buf).map_err(io)?;
        self.out.write_all(&tag).map_err(io)?;
        // Ciphertext now: nothing secret left to zeroize.
        self.buf.clear();
        Ok(())
    }

    /// Seals the last chunk and returns the output and the number of letters.
    pub fn finish(mut self) -> Result<(W, u64)> {
        self.seal_chunk(true)?;
        self.out.flush().map_err(|source| StoreError::Io {
            path: "letters file".into(),
            source,
        })?;
        Ok((self.out, self.letters))
    }
}

/// JSON lines holding secrets (codes, personal data): when the buffer grows, the old
/// storage is zeroized instead of being left to the allocator.
pub struct SecretLines(Zeroizing<Vec<u8>>);

impl SecretLines {
    /// An empty buffer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        SecretLines(Zeroizing::new(Vec::with_capacity(capacity)))
    }

    /// Appends one record as a JSON line.
    pub fn push<T: Serialize>(&mut self, record: &T) -> Result<()> {
        serde_json::to_writer(&mut *self, record)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.extend(b"\n");
        Ok(())
    }

    /// Appends one letter as a JSON line from its head, its addressee's printed fields as
    /// JSON object members and its material: the line [`LetterRef`] gives for the same
    /// letter, field for field.
    pub(crate) fn push_letter(
        &mut self,
        head: &LetterHead<'_>,
        addressee_members: &[u8],
        material: i64,
    ) -> Result<()> {
        serde_json::to_writer(&mut *self, head).map_err(|e| StoreError::Invalid(e.to_string()))?;
        // The head's object goes on: its closing brace comes after the material.
        self.0.pop();
        self.extend(b",");
        self.extend(addressee_members);
        writeln!(self, ",\"material\":{material}}}")
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        Ok(())
    }

    /// The lines written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Appends raw bytes.
    #[inline]
    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        self.reserve(bytes.len());
        self.0.extend_from_slice(bytes);
    }

    /// Appends `bytes`, each one passed through `map` (the letters' sort keys).
    #[inline]
    pub(crate) fn extend_mapped(&mut self, bytes: &[u8], map: impl Fn(u8) -> u8) {
        self.reserve(bytes.len());
        self.0.extend(bytes.iter().map(|&b| map(b)));
    }

    /// Room for `additional` more bytes, grown by hand: a reallocation by `Vec` would
    /// leave the old storage behind, unzeroized.
    #[inline]
    fn reserve(&mut self, additional: usize) {
        if self.0.capacity() - self.0.len() < additional {
            let wanted = (self.0.len() + additional).max(2 * self.0.capacity());
            let mut bigger = Zeroizing::new(Vec::with_capacity(wanted));
            bigger.extend_from_slice(&self.0);
            // The old storage drops here, zeroized.
            self.0 = bigger;
        }
    }
}

impl Write for SecretLines {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.extend(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Reads and decrypts a whole letters file (printing tool, tests): every letter whole,
/// with what its scrutin's sheet gives.
pub fn read_letters<R: Read>(input: R, passphrase: &[u8]) -> Result<Vec<Letter>> {
    let plain = decrypt(input, passphrase)?;
    let mut sheets: HashMap<String, ScrutinSheet> = HashMap::new();
    let mut letters = Vec::new();
    for (n, line) in lines(&plain).enumerate() {
        let bad = |why: String| StoreError::Sealed(format!("letters file, line {}: {why}", n + 1));
        if line.starts_with(SHEET_PREFIX) {
            let SheetLine { sheet } = serde_json::from_slice::<SheetLine<ScrutinSheet>>(line)
                .map_err(|e| bad(format!("bad scrutin sheet: {e}")))?;
            sheets.insert(sheet.scrutin.clone(), sheet);
            continue;
        }
        let mut letter: Letter =
            serde_json::from_slice(line).map_err(|e| bad(format!("bad letter: {e}")))?;
        if letter.instructions.is_empty() {
            let sheet = sheets.get(&letter.scrutin).ok_or_else(|| {
                bad(format!(
                    "a letter of scrutin {} before that scrutin's sheet",
                    letter.scrutin
                ))
            })?;
            letter.chamber_code.clone_from(&sheet.chamber_code);
            letter.chamber_label.clone_from(&sheet.chamber_label);
            letter.scrutin_label.clone_from(&sheet.scrutin_label);
            letter.instructions.clone_from(&sheet.instructions);
        }
        letters.push(letter);
    }
    Ok(letters)
}

/// How a sheet line starts, as [`LettersWriter::write_sheet`] writes it.
const SHEET_PREFIX: &[u8] = b"{\"sheet\":";

/// Reads and decrypts a whole file of this format, whatever its records.
pub fn read_records<T: serde::de::DeserializeOwned, R: Read>(
    input: R,
    passphrase: &[u8],
) -> Result<Vec<T>> {
    let plain = decrypt(input, passphrase)?;
    lines(&plain)
        .map(|l| {
            serde_json::from_slice(l)
                .map_err(|_| StoreError::Sealed("letters file: bad record".into()))
        })
        .collect()
}

fn lines(plain: &[u8]) -> impl Iterator<Item = &[u8]> {
    plain.split(|&b| b == b'\n').filter(|l| !l.is_empty())
}

/// The plaintext of a whole file, checked chunk by chunk.
fn decrypt<R: Read>(mut input: R, passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let mut all = Vec::new();
    input
        .read_to_end(&mut all)
        .map_err(|source| StoreError::Io {
            path: "letters file".into(),
            source,
        })?;
    let bad = |why: &str| StoreError::Sealed(format!("letters file: {why}"));
    let (rest, aad_label) = if let Some(rest) = all.strip_prefix(MAGIC) {
        (rest, AAD)
    } else if let Some(rest) = all.strip_prefix(MAGIC_V1) {
        (rest, AAD_V1)
    } else {
        return Err(bad("not a letters file"));
    };
    let nl = rest
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| bad("no header"))?;
    let header_line = &rest[..=nl];
    let header: Header = serde_json::from_slice(header_line).map_err(|_| bad("bad header"))?;
    if header.kdf != "argon2id" || header.m_kib != 64 * 1024 || header.t != 3 || header.p != 1 {
        return Err(bad("unknown key derivation"));
    }
    let salt = hex::decode(&header.salt).map_err(|_| bad("bad salt"))?;
    let prefix: [u8; 16] = hex::decode(&header.nonce_prefix)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| bad("bad nonce prefix"))?;
    let mut key = Zeroizing::new([0u8; 32]);
    argon2_kdf(passphrase, &salt, &mut key[..])?;
    let cipher = XChaCha20Poly1305::new((&*key).into());
    let mut pos = nl + 1;
    let mut counter = 0u64;
    // The plaintext is shorter than the ciphertext: never reallocated, so no copy of it
    // is left behind unzeroized.
    let mut plain = Zeroizing::new(Vec::with_capacity(rest.len()));
    let mut finished = false;
    while pos < rest.len() {
        if finished {
            return Err(bad("data after the last chunk"));
        }
        let len_bytes: [u8; 4] = rest
            .get(pos..pos + 4)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad("truncated"))?;
        let len = u32::from_be_bytes(len_bytes) as usize;
        let ct = rest
            .get(pos + 4..pos + 4 + len)
            .ok_or_else(|| bad("truncated"))?;
        pos += 4 + len;
        let mut nonce = [0u8; 24];
        nonce[..16].copy_from_slice(&prefix);
        nonce[16..].copy_from_slice(&counter.to_be_bytes());
        counter += 1;
        let last = pos >= rest.len();
        let mut aad = aad_label.to_vec();
        aad.extend_from_slice(header_line);
        aad.push(u8::from(last));
        let chunk = cipher
            .decrypt(XNonce::from_slice(&nonce), Payload { msg: ct, aad: &aad })
            .map_err(|_| bad("wrong passphrase, or the file was altered or truncated"))?;
        plain.extend_from_slice(&chunk);
        let mut chunk = chunk;
        chunk.zeroize();
        finished = last;
    }
    if !finished {
        return Err(bad("truncated"));
    }
    Ok(plain)
}

/// Creates a letters file readable by its owner only.
pub fn create_file(path: &Path) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|source| StoreError::Io {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSPHRASE: &[u8] = b"correct horse battery";

    fn writer() -> LettersWriter<Vec<u8>> {
        LettersWriter::new(Vec::new(), PASSPHRASE, &mut rand::rngs::OsRng).unwrap()
    }

    fn letter(i: usize) -> Letter {
        Letter {
            right_id: "1810000000001".into(),
            scrutin: "181-C".into(),
            chamber_code: "181".into(),
            chamber_label: "CCI".into(),
            scrutin_label: "Commerce".into(),
            identifier: format!("0000-0000-{i:04}"),
            code: "ABC-DEF-GHJ-KMN-PQR-STU".into(),
            civility: "MME".into(),
            name: "Jeanne DUPONT".into(),
            company: "SARL".into(),
            address: vec!["1 rue".into()],
            postcode: "75001".into(),
            email: None,
            instructions: "Votez".into(),
            material: 0,
        }
    }

    #[test]
    fn letters_round_trip_and_resist_tampering() {
        let mut w = writer();
        // Enough letters for several chunks.
        for i in 0..6000 {
            w.write(&letter(i)).unwrap();
        }
        let (bytes, n) = w.finish().unwrap();
        assert_eq!(n, 6000);
        assert!(
            !bytes.windows(7).any(|w| w == b"ABC-DEF"),
            "codes never in clear"
        );
        let back = read_letters(&bytes[..], PASSPHRASE).unwrap();
        assert_eq!(back.len(), 6000);
        assert_eq!(back[42], letter(42));
        assert!(read_letters(&bytes[..], b"wrong passphrase!!").is_err());
        // Truncation after a whole chunk is detected (the last flag).
        let first_len = u32::from_be_bytes(
            bytes[MAGIC.len()
                + bytes[MAGIC.len()..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .unwrap()
                + 1..][..4]
                .try_into()
                .unwrap(),
        ) as usize;
        let header_end = MAGIC.len()
            + bytes[MAGIC.len()..]
                .iter()
                .position(|&b| b == b'\n')
                .unwrap()
            + 1;
        let truncated = &bytes[..header_end + 4 + first_len];
        assert!(read_letters(truncated, PASSPHRASE).is_err());
        let mut flipped = bytes.clone();
        let i = flipped.len() - 3;
        flipped[i] ^= 1;
        assert!(read_letters(&flipped[..], PASSPHRASE).is_err());
    }

    fn sheet(scrutin: &str) -> ScrutinSheet {
        ScrutinSheet {
            scrutin: scrutin.into(),
            chamber_code: "181".into(),
            chamber_label: "CCI Paris".into(),
            scrutin_label: format!("Catégorie {scrutin}"),
            instructions: format!("Votez dans {scrutin} \"vite\""),
        }
    }

    /// Letters written as the generation writes them (a sheet, then letters without what
    /// it gives), for two scrutins, read back whole: each as its owned form with its own
    /// scrutin's sheet. A field added to `Letter` and not to `LetterRef` or the sheet fails
    /// here.
    #[test]
    fn letters_after_a_sheet_read_back_whole() {
        let address = vec!["Jeanne DUPONT".to_string(), "75001 PARIS".to_string()];
        let mut w = writer();
        let mut expected = Vec::new();
        for (scrutin, email) in [("181-C", None), ("181-S", Some("j@exemple.fr"))] {
            let r = LetterRef {
                head: LetterHead {
                    right_id: "1810000000001",
                    scrutin,
                    identifier: "1234-5678-9012",
                    code: "ABC-DEF-GHJ-KMN-PQR-STU",
                },
                addressee: LetterAddressee {
                    civility: "MME",
                    name: "Jeanne DUPONT",
                    company: "SARL \"Les quais\"",
                    address: &address,
                    postcode: "75001",
                    email,
                },
                material: 2,
            };
            w.write_sheet(&sheet(scrutin)).unwrap();
            w.write(&r).unwrap();
            expected.push(r.to_letter(&sheet(scrutin)));
        }
        // A whole letter (the resend's) needs no sheet.
        w.write(&letter(7)).unwrap();
        expected.push(letter(7));
        let (bytes, n) = w.finish().unwrap();
        assert_eq!(n, 3, "sheets are not letters");
        let back = read_letters(&bytes[..], PASSPHRASE).unwrap();
        assert_eq!(back, expected);
        assert_eq!(back[1].instructions, "Votez dans 181-S \"vite\"");
        assert_eq!(back[1].email.as_deref(), Some("j@exemple.fr"));
    }

    #[test]
    fn a_letter_before_its_sheet_is_refused_with_its_line() {
        let mut w = writer();
        w.write_sheet(&sheet("181-C")).unwrap();
        let mut l = letter(1);
        l.scrutin = "181-S".into();
        l.instructions.clear();
        w.write(&l).unwrap();
        let (bytes, _) = w.finish().unwrap();
        let e = read_letters(&bytes[..], PASSPHRASE).unwrap_err();
        assert!(
            e.to_string()
                .contains("line 2: a letter of scrutin 181-S before that scrutin's sheet"),
            "{e}"
        );
    }

    /// Files of version 1 (earlier releases: no sheets, another label in the associated
    /// data) still read; one relabelled as version 2 does not.
    #[test]
    fn version_1_files_still_read() {
        let mut w = LettersWriter::new_v1(Vec::new(), PASSPHRASE, &mut rand::rngs::OsRng).unwrap();
        w.write(&letter(3)).unwrap();
        let (bytes, _) = w.finish().unwrap();
        assert!(bytes.starts_with(b"SCRUTIN-LETTERS-1\n"));
        assert_eq!(read_letters(&bytes[..], PASSPHRASE).unwrap(), [letter(3)]);
        let mut relabelled = bytes.clone();
        relabelled[16] = b'2';
        assert!(relabelled.starts_with(MAGIC));
        assert!(read_letters(&relabelled[..], PASSPHRASE).is_err());
    }

    /// Blocks of serialised lines larger than a chunk (the credential generation writes
    /// 1,024 letters at a time) read back whole and in order, mixed with single writes.
    #[test]
    fn blocks_of_lines_cross_chunks_in_order() {
        let mut w = writer();
        w.write(&letter(0)).unwrap();
        let mut next = 1;
        for _ in 0..3 {
            // Starts small: the buffer grows (zeroizing its old storage) many times.
            let mut block = SecretLines::with_capacity(16);
            for _ in 0..5000 {
                block.push(&letter(next)).unwrap();
                next += 1;
            }
            assert!(block.as_bytes().len() > CHUNK);
            w.write_lines(block.as_bytes(), 5000).unwrap();
        }
        w.write(&letter(next)).unwrap();
        let (bytes, n) = w.finish().unwrap();
        assert_eq!(n, 15_002);
        let back = read_letters(&bytes[..], PASSPHRASE).unwrap();
        assert_eq!(back.len(), 15_002);
        for (i, l) in back.iter().enumerate() {
            assert_eq!(*l, letter(i), "letter {i}");
        }
    }
}
