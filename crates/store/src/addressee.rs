//! What a letter prints of its voter (R-31): civility, name, company, postal address and
//! email, sealed apart from the voter's record.
//!
//! The credential generation writes two million letters. Reading each from the whole
//! sealed voter record (≈ 700 bytes of JSON, forty fields) cost the database the sending of
//! 1.4 GB and the generation its largest share outside the key derivation: opening and
//! parsing every record. So each right gets, at import, this small second record under
//! the same chamber data key (destroying the key destroys both, R-83), holding the
//! letter's sort fields and its printed fields already serialised as JSON object members.
//! The generation opens it and copies the members into the letter's line.
//!
//! Sealed plaintext: `u16(len) ‖ postcode ‖ u16(len) ‖ surname ‖ u16(len) ‖ first name ‖
//! members`, lengths big-endian, the three sort fields in UTF-8 and the members as
//! `"civility":…,"name":…,"company":…,"address":[…],"postcode":…,"email":…` (a JSON
//! object's members without its braces, in the letter's own field order). Rights imported
//! before this record existed have none: their addressee is read from their record.

use std::ops::Range;

use rand_core::{CryptoRng, RngCore};
use scrutin_election::voters::Address;
use scrutin_election::{Civility, VoterRecord};
use serde::Deserialize;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::electors::SealedRight;
use crate::error::{Result, StoreError};
use crate::letters::{LetterAddressee, LetterHead, LetterRef, SecretLines};
use crate::sealing::DataKey;

/// What a letter shows of a voter's record, read from it: serde skips the other fields.
#[derive(Deserialize)]
struct RecordForLetter {
    civility: Option<Civility>,
    usage_name: String,
    first_name: Option<String>,
    company_name: Option<String>,
    mailing: Address<String>,
    email: Option<String>,
}

/// A letter's recipient as printed.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct Addressee {
    #[zeroize(skip)]
    civility: &'static str,
    /// First name, then the usage name in capitals.
    name: String,
    /// Where the usage name starts in `name` (letters are sorted by it, then first name).
    surname_at: usize,
    company: String,
    /// Address lines, recipient first, then `postcode city`, then the country abroad.
    address: Vec<String>,
    postcode: String,
    email: Option<String>,
}

impl Addressee {
    /// Reads the addressee of a voter record (its JSON, as sealed in `personal`).
    pub(crate) fn from_record(right_id: &str, record: &[u8]) -> Result<Self> {
        let record: RecordForLetter = serde_json::from_slice(record)
            .map_err(|e| StoreError::corrupt(format!("right {right_id}: {e}")))?;
        Ok(Self::new(record))
    }

    /// The addressee of a voter-file row being imported.
    pub(crate) fn of_voter(voter: &VoterRecord) -> Self {
        Self::new(RecordForLetter {
            civility: voter.civility,
            usage_name: voter.usage_name.clone(),
            first_name: voter.first_name.clone(),
            company_name: voter.company_name.clone(),
            mailing: voter.mailing.clone(),
            email: voter.email.clone(),
        })
    }

    fn new(record: RecordForLetter) -> Self {
        let m = record.mailing;
        let mut address = Vec::with_capacity(4);
        address.push(m.recipient);
        address.extend(
            [m.complement1, m.complement2, m.street, m.place]
                .into_iter()
                .flatten(),
        );
        address.push(match &m.postcode {
            Some(pc) => format!("{pc} {}", m.city),
            None => m.city,
        });
        address.extend(m.country);
        let usage = record.usage_name.to_uppercase();
        let (name, surname_at) = match record.first_name {
            Some(first) => (format!("{first} {usage}"), first.len() + 1),
            None => (usage, 0),
        };
        Addressee {
            civility: record.civility.map(Civility::as_str).unwrap_or_default(),
            name,
            surname_at,
            company: record.company_name.unwrap_or_default(),
            address,
            postcode: m.postcode.unwrap_or_default(),
            email: record.email,
        }
    }

    /// Opens a right's sealed record and reads its addressee.
    pub(crate) fn open_record(key: &DataKey, right_id: &str, sealed: &[u8]) -> Result<Self> {
        let plain = Zeroizing::new(key.open_personal(right_id, sealed)?);
        Self::from_record(right_id, &plain)
    }

    fn surname(&self) -> &str {
        &self.name[self.surname_at..]
    }

    fn first_name(&self) -> &str {
        self.name[..self.surname_at].trim_end()
    }

    /// What its letters print, as their lines name the fields.
    fn printed(&self) -> LetterAddressee<'_> {
        LetterAddressee {
            civility: self.civility,
            name: &self.name,
            company: &self.company,
            address: &self.address,
            postcode: &self.postcode,
            email: self.email.as_deref(),
        }
    }

    /// This addressee's letter for the given credential (`head`, in the grouped forms as
    /// printed) and material, without what its scrutin's sheet gives.
    pub(crate) fn letter<'a>(&'a self, head: LetterHead<'a>, material: i64) -> LetterRef<'a> {
        LetterRef {
            head,
            addressee: self.printed(),
            material,
        }
    }

    /// The sealed plaintext (module documentation).
    fn encode(&self) -> Result<Zeroizing<Vec<u8>>> {
        // Serialised apart, in a buffer that zeroizes what it outgrows, then copied into
        // one of the exact size.
        let mut json = SecretLines::with_capacity(512);
        serde_json::to_writer(&mut json, &self.printed())
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        // `{…}` → its members; JSON strings escape every brace they hold.
        let members = &json.as_bytes()[1..json.as_bytes().len() - 1];
        let fields = [self.postcode.as_str(), self.surname(), self.first_name()];
        let size = fields.iter().map(|f| 2 + f.len()).sum::<usize>() + members.len();
        let mut out = Zeroizing::new(Vec::with_capacity(size));
        for field in fields {
            let len = u16::try_from(field.len())
                .map_err(|_| StoreError::Invalid("an address field over 64 KiB".into()))?;
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(field.as_bytes());
        }
        out.extend_from_slice(members);
        Ok(out)
    }

    /// Seals this addressee for `right_id` under its chamber's data key.
    pub(crate) fn seal<R: RngCore + CryptoRng>(
        &self,
        key: &DataKey,
        rng: &mut R,
        right_id: &str,
    ) -> Result<Vec<u8>> {
        key.seal_addressee(rng, right_id, &self.encode()?)
    }
}

/// An addressee as the generation reads it: its sort fields and its printed members.
pub(crate) struct PrintedAddressee {
    plain: Zeroizing<Vec<u8>>,
    fields: [Range<usize>; 3],
    members: usize,
}

impl PrintedAddressee {
    /// A right's addressee: its sealed one, or for a right imported before those
    /// existed, the one read from its sealed record.
    pub(crate) fn of_right(key: &DataKey, right: &SealedRight) -> Result<Self> {
        let corrupt = |what: &str| StoreError::corrupt(format!("right {}: {what}", right.right_id));
        let plain = match (&right.addressee, &right.personal) {
            (Some(sealed), _) => Zeroizing::new(key.open_addressee(&right.right_id, sealed)?),
            (None, Some(personal)) => {
                Addressee::open_record(key, &right.right_id, personal)?.encode()?
            }
            (None, None) => return Err(corrupt("neither an addressee nor a record")),
        };
        Self::decode(plain).ok_or_else(|| corrupt("malformed addressee"))
    }

    fn decode(plain: Zeroizing<Vec<u8>>) -> Option<Self> {
        let mut at = 0;
        let mut fields = [0..0, 0..0, 0..0];
        for field in &mut fields {
            let len = plain.get(at..at + 2)?;
            let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
            *field = at + 2..at + 2 + len;
            std::str::from_utf8(plain.get(field.clone())?).ok()?;
            at = field.end;
        }
        Some(PrintedAddressee {
            plain,
            fields,
            members: at,
        })
    }

    /// Postcode, surname and first name: what orders the letters (R-31).
    pub(crate) fn sort_fields(&self) -> [&[u8]; 3] {
        self.fields.clone().map(|r| &self.plain[r])
    }

    /// The printed fields as JSON object members, to go into the letter's line.
    pub(crate) fn members(&self) -> &[u8] {
        &self.plain[self.members..]
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A voter record with what letters read of it (the rest of a record is skipped).
    pub(crate) fn record(usage_name: &str, first_name: Option<&str>, postcode: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "civility": "MME",
            "usage_name": usage_name,
            "first_name": first_name,
            "company_name": "SARL \"Exemple\" {et} fils",
            "mailing": {
                "recipient": "Direction", "complement1": null, "complement2": "Bâtiment B",
                "street": "1 rue de la Paix", "place": null, "postcode": postcode,
                "city": "BOURG", "country": null
            },
            "email": "anne@example.fr",
            "siret": "ignored",
        }))
        .unwrap()
    }

    /// The line built from the sealed members is the one serde writes for the letter.
    #[test]
    fn a_sealed_addressee_gives_the_same_line_as_the_record() {
        let key = DataKey::generate(&mut rand::rngs::OsRng);
        for (usage, first) in [("Dupont-Lévêque", Some("Anne Zoé")), ("Martin", None)] {
            let plain = record(usage, first, "01000");
            let addressee = Addressee::from_record("r1", &plain).unwrap();
            let right = SealedRight {
                right_id: "r1".into(),
                addressee: Some(addressee.seal(&key, &mut rand::rngs::OsRng, "r1").unwrap()),
                personal: None,
            };
            let printed = PrintedAddressee::of_right(&key, &right).unwrap();
            let upper = usage.to_uppercase();
            let expected: [&[u8]; 3] = [b"01000", upper.as_bytes(), first.unwrap_or("").as_bytes()];
            assert_eq!(printed.sort_fields(), expected);

            let mut spliced = SecretLines::with_capacity(0);
            let head = LetterHead {
                right_id: "r1",
                scrutin: "181-C",
                identifier: "1234-5678-9012",
                code: "ABCD-EFGH",
            };
            spliced.push_letter(&head, printed.members(), 3).unwrap();
            let mut whole = SecretLines::with_capacity(0);
            whole.push(&addressee.letter(head, 3)).unwrap();
            assert_eq!(spliced.as_bytes(), whole.as_bytes());

            // A right imported before addressees existed: the same, from its record.
            let legacy = SealedRight {
                right_id: "r1".into(),
                addressee: None,
                personal: Some(
                    key.seal_personal(&mut rand::rngs::OsRng, "r1", &plain)
                        .unwrap(),
                ),
            };
            let from_record = PrintedAddressee::of_right(&key, &legacy).unwrap();
            assert_eq!(from_record.plain, printed.plain);
        }
    }

    /// Import builds the addressee from the row, a right imported earlier from its sealed
    /// JSON: both read the same, on the generator's varied rows.
    #[test]
    fn the_row_and_its_json_give_the_same_addressee() {
        let (_, voters) = crate::testing::typical_election("E", 300, 11).unwrap();
        for voter in &voters {
            let json = serde_json::to_vec(voter).unwrap();
            let read = Addressee::from_record("r", &json)
                .unwrap()
                .encode()
                .unwrap();
            assert_eq!(Addressee::of_voter(voter).encode().unwrap(), read);
        }
    }

    #[test]
    fn an_addressee_opens_only_as_its_right_s() {
        let key = DataKey::generate(&mut rand::rngs::OsRng);
        let addressee = Addressee::from_record("r1", &record("Martin", None, "01000")).unwrap();
        let sealed = addressee.seal(&key, &mut rand::rngs::OsRng, "r1").unwrap();
        let moved = SealedRight {
            right_id: "r2".into(),
            addressee: Some(sealed.clone()),
            personal: None,
        };
        assert!(PrintedAddressee::of_right(&key, &moved).is_err());
        let other_key = DataKey::generate(&mut rand::rngs::OsRng);
        let right = SealedRight {
            right_id: "r1".into(),
            addressee: Some(sealed),
            personal: None,
        };
        assert!(PrintedAddressee::of_right(&other_key, &right).is_err());
        let neither = SealedRight {
            right_id: "r1".into(),
            addressee: None,
            personal: None,
        };
        assert!(matches!(
            PrintedAddressee::of_right(&key, &neither),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[test]
    fn a_truncated_plaintext_is_refused() {
        let addressee =
            Addressee::from_record("r1", &record("Martin", Some("Jean"), "01000")).unwrap();
        let plain = addressee.encode().unwrap();
        // Cut inside each length and each field: never a field past the end.
        for cut in 0..20 {
            assert!(
                PrintedAddressee::decode(Zeroizing::new(plain[..cut].to_vec())).is_none(),
                "{cut}"
            );
        }
        assert!(PrintedAddressee::decode(plain).is_some());
    }
}
