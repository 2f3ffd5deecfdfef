//! The credential generation's letters, serialised on the worker that opened the right's
//! record and held until the whole scrutin is drawn, then written in the order of R-31:
//! postcode, surname, first name, and the rights' order among equals.
//!
//! Each letter keeps its sort key as bytes next to its JSON line, and the first sixteen
//! bytes of that key inline: sorting two million letters then compares integers, not
//! strings scattered over the heap (2 s of the generation's tail when it did).

use std::io::Write;

use rayon::prelude::*;

use crate::addressee::PrintedAddressee;
use crate::error::Result;
use crate::letters::{LetterHead, LettersWriter, SecretLines};

/// What orders a letter, with where its bytes end in its batch (they start where the
/// previous letter's end).
struct Entry {
    /// The sort key's first 16 bytes, big-endian, zero-padded.
    prefix: u128,
    key_end: u32,
    line_end: u32,
}

/// The letters of one batch of rights, in the rights' order. Names and codes are in it:
/// both buffers are zeroized on drop.
pub(crate) struct DrawnLetters {
    lines: SecretLines,
    keys: SecretLines,
    entries: Vec<Entry>,
}

/// Bytes reserved per letter: a typical line is about 310.
const LINE_BYTES: usize = 512;

impl DrawnLetters {
    /// Room for `letters` letters.
    pub fn with_capacity(letters: usize) -> Self {
        DrawnLetters {
            lines: SecretLines::with_capacity(letters * LINE_BYTES),
            keys: SecretLines::with_capacity(letters * 32),
            entries: Vec::with_capacity(letters),
        }
    }

    /// Writes one letter's line and records its place in the order.
    pub fn push(
        &mut self,
        head: &LetterHead<'_>,
        addressee: &PrintedAddressee,
        material: i64,
    ) -> Result<()> {
        self.lines
            .push_letter(head, addressee.members(), material)?;
        let start = self.keys.as_bytes().len();
        push_key(&mut self.keys, &addressee.sort_fields());
        let mut head = [0u8; 16];
        let key = &self.keys.as_bytes()[start..];
        let n = key.len().min(16);
        head[..n].copy_from_slice(&key[..n]);
        self.entries.push(Entry {
            prefix: u128::from_be_bytes(head),
            key_end: offset(self.keys.as_bytes().len())?,
            line_end: offset(self.lines.as_bytes().len())?,
        });
        Ok(())
    }

    /// Letters in this batch.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    fn key(&self, i: usize) -> &[u8] {
        let start = if i == 0 {
            0
        } else {
            self.entries[i - 1].key_end
        };
        &self.keys.as_bytes()[start as usize..self.entries[i].key_end as usize]
    }

    fn line(&self, i: usize) -> &[u8] {
        let start = if i == 0 {
            0
        } else {
            self.entries[i - 1].line_end
        };
        &self.lines.as_bytes()[start as usize..self.entries[i].line_end as usize]
    }
}

fn offset(n: usize) -> Result<u32> {
    u32::try_from(n)
        .map_err(|_| crate::error::StoreError::Invalid("letters batch over 4 GB".into()))
}

/// Appends the fields so that comparing keys as bytes compares the fields in turn: each
/// byte is shifted up by one (UTF-8 never uses 0xFF, so nothing overflows) and a zero ends
/// each field, which puts a field before any longer one it begins.
fn push_key(out: &mut SecretLines, fields: &[&[u8]]) {
    for field in fields {
        out.extend_mapped(field, |b| b + 1);
        out.extend(&[0]);
    }
}

/// Writes every letter of `batches` (given in the rights' order) sorted by postcode,
/// surname and first name; equal ones keep the rights' order.
pub(crate) fn write_sorted<W: Write>(
    out: &mut LettersWriter<W>,
    batches: &[DrawnLetters],
) -> Result<()> {
    let mut order: Vec<(u128, u32, u32)> =
        Vec::with_capacity(batches.iter().map(|b| b.len()).sum());
    for (b, batch) in batches.iter().enumerate() {
        order.extend(
            batch
                .entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.prefix, b as u32, i as u32)),
        );
    }
    // The prefix decides almost always; the whole key, then the rights' order, otherwise.
    order.par_sort_unstable_by(|x, y| {
        x.0.cmp(&y.0)
            .then_with(|| {
                batches[x.1 as usize]
                    .key(x.2 as usize)
                    .cmp(batches[y.1 as usize].key(y.2 as usize))
            })
            .then_with(|| (x.1, x.2).cmp(&(y.1, y.2)))
    });
    for &(_, b, i) in &order {
        out.write_lines(batches[b as usize].line(i as usize), 1)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(fields: &[&str]) -> Vec<u8> {
        let mut out = SecretLines::with_capacity(0);
        let fields: Vec<&[u8]> = fields.iter().map(|f| f.as_bytes()).collect();
        push_key(&mut out, &fields);
        out.as_bytes().to_vec()
    }

    #[test]
    fn keys_compare_as_their_fields_in_turn() {
        let fields: Vec<[&str; 3]> = vec![
            ["01000", "DUPONT", "Anne"],
            ["01000", "DUPONT", ""],
            ["01000", "DUPON", "Zoé"],
            ["0100", "ZOLA", "Émile"],
            ["01000", "DUPONTEL", "Albert"],
            ["", "MARTIN", "Jean"],
            ["97100", "Ñ", "\u{10FFFF}"],
            ["97100", "N", "a"],
        ];
        for a in &fields {
            for b in &fields {
                assert_eq!(key(a).cmp(&key(b)), a.cmp(b), "{a:?} against {b:?}");
            }
        }
    }

    /// A right's addressee as the generation reads it, sealed from a record.
    fn addressee(right: &str, postcode: &str, surname: &str, first: &str) -> PrintedAddressee {
        let key = crate::sealing::DataKey::generate(&mut rand::rngs::OsRng);
        let record = crate::addressee::tests::record(surname, Some(first), postcode);
        let right = crate::electors::SealedRight {
            right_id: right.into(),
            addressee: None,
            personal: Some(
                key.seal_personal(&mut rand::rngs::OsRng, right, &record)
                    .unwrap(),
            ),
        };
        PrintedAddressee::of_right(&key, &right).unwrap()
    }

    #[test]
    fn letters_come_out_sorted_and_equal_ones_in_the_rights_order() {
        // Surnames sharing far more than the 16 inline bytes; the same person twice.
        let long = "DE LA TOUR DU PIN CHAMBLY DE LA CHARCE";
        let rights = [
            ("r1", "75015", long, "Marie"),
            ("r2", "75015", long, "Anne"),
            ("r3", "01000", "MARTIN", "Jean"),
            ("r4", "75015", "DE LA TOUR DU PIN CHAMBLY", "Zoé"),
            ("r5", "75015", long, "Anne"),
            ("r6", "7501", "ZOLA", "Émile"),
        ];
        let mut batches = Vec::new();
        for pair in rights.chunks(2) {
            let mut batch = DrawnLetters::with_capacity(1);
            for &(right, postcode, surname, first) in pair {
                let head = LetterHead {
                    right_id: right,
                    scrutin: "S",
                    identifier: "1234-5678-9012",
                    code: "ABC-DEF-GHJ-KMN-PQR-STU",
                };
                batch
                    .push(&head, &addressee(right, postcode, surname, first), 0)
                    .unwrap();
            }
            batches.push(batch);
        }
        let mut out =
            LettersWriter::new(Vec::new(), b"a long passphrase", &mut rand::rngs::OsRng).unwrap();
        out.write_sheet(&crate::letters::ScrutinSheet {
            scrutin: "S".into(),
            chamber_code: "C".into(),
            chamber_label: "Chambre".into(),
            scrutin_label: "Scrutin".into(),
            instructions: String::new(),
        })
        .unwrap();
        write_sorted(&mut out, &batches).unwrap();
        let (bytes, count) = out.finish().unwrap();
        assert_eq!(count, 6);
        let read = crate::letters::read_letters(&bytes[..], b"a long passphrase").unwrap();
        let order: Vec<&str> = read.iter().map(|l| l.right_id.as_str()).collect();
        assert_eq!(order, ["r3", "r6", "r4", "r2", "r5", "r1"]);
    }
}
