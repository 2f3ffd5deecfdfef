//! Identifiers of the election domain: chamber, category and sub-category codes, scrutins,
//! contests, candidates (options) and the system-wide voter id.
//!
//! Every id is a validated newtype so that an id built from a file can be used as a key
//! (and inside other ids) without ambiguity: codes are restricted to ASCII letters and
//! digits, which keeps the separators `-`, `/` and `#` of composed ids unambiguous.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::IdError;

fn is_code(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A chamber (CCI) code: exactly three digits, department number plus one digit (Telefirm
/// norm), e.g. `011` for the CCI de l'Ain.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ChamberCode(String);

impl ChamberCode {
    /// Parses a chamber code (exactly three ASCII digits).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        if s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(ChamberCode(s.to_owned()))
        } else {
            Err(IdError::Chamber(s.to_owned()))
        }
    }

    /// The three digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code as a number (0..=999).
    pub fn number(&self) -> u64 {
        self.0.parse().unwrap_or(0)
    }
}

/// A category code: one ASCII letter or digit (`C`, `I`, `S`, or a chamber-specific code).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CategoryCode(String);

impl CategoryCode {
    /// Parses a category code (one ASCII letter or digit).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        if is_code(s, 1) {
            Ok(CategoryCode(s.to_owned()))
        } else {
            Err(IdError::Category(s.to_owned()))
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A sub-category code: one or two ASCII letters or digits (`C1`, `S2`…), chosen by each
/// regional chamber.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SubCategoryCode(String);

impl SubCategoryCode {
    /// Parses a sub-category code (one or two ASCII letters or digits).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        if is_code(s, 2) {
            Ok(SubCategoryCode(s.to_owned()))
        } else {
            Err(IdError::SubCategory(s.to_owned()))
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One scrutin (ballot box of the voter list): chamber × category × optional sub-category,
/// written `011-C` or `381-C-C1`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ScrutinId(String);

impl ScrutinId {
    /// The scrutin of a chamber, category and optional sub-category.
    pub fn new(
        chamber: &ChamberCode,
        category: &CategoryCode,
        sub_category: Option<&SubCategoryCode>,
    ) -> Self {
        match sub_category {
            Some(sub) => ScrutinId(format!("{}-{}-{}", chamber.0, category.0, sub.0)),
            None => ScrutinId(format!("{}-{}", chamber.0, category.0)),
        }
    }

    /// Parses `CCC-K` or `CCC-K-SS`.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let bad = || IdError::Scrutin(s.to_owned());
        let mut parts = s.split('-');
        let chamber = ChamberCode::parse(parts.next().ok_or_else(bad)?).map_err(|_| bad())?;
        let category = CategoryCode::parse(parts.next().ok_or_else(bad)?).map_err(|_| bad())?;
        let sub = parts
            .next()
            .map(SubCategoryCode::parse)
            .transpose()
            .map_err(|_| bad())?;
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(ScrutinId::new(&chamber, &category, sub.as_ref()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The chamber code (first three characters).
    pub fn chamber(&self) -> &str {
        &self.0[..3]
    }
}

/// Which of the two elections held in one voting operation a contest is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ContestKind {
    /// Election of members of the regional chamber (CCIR), who also sit in the territorial
    /// chamber; candidates stand with a suppléant. Ballot title 1.
    #[serde(rename = "CCIR")]
    Ccir,
    /// Election of members of the territorial chamber only (CCIT, CCIL, CCID). Ballot title 2.
    #[serde(rename = "CCIT")]
    Ccit,
}

impl ContestKind {
    /// `CCIR` or `CCIT`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContestKind::Ccir => "CCIR",
            ContestKind::Ccit => "CCIT",
        }
    }
}

impl fmt::Display for ContestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One election (contest): the unit of ballot and tally. Written `011-C/CCIR`,
/// `381-C-C1/CCIT`, or `381-C/CCIR` for a CCIR election pooling the sub-categories of a
/// category.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContestId(String);

impl ContestId {
    /// The contest of a given kind over a scope (`011-C`, `381-C-C1`…).
    pub fn new(scope: &str, kind: ContestKind) -> Self {
        ContestId(format!("{scope}/{}", kind.as_str()))
    }

    /// Parses `SCOPE/CCIR` or `SCOPE/CCIT` where SCOPE is a scrutin id.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let bad = || IdError::Contest(s.to_owned());
        let (scope, kind) = s.split_once('/').ok_or_else(bad)?;
        if kind != "CCIR" && kind != "CCIT" {
            return Err(bad());
        }
        ScrutinId::parse(scope).map_err(|_| bad())?;
        Ok(ContestId(s.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// CCIR or CCIT.
    pub fn kind(&self) -> ContestKind {
        if self.0.ends_with("/CCIR") {
            ContestKind::Ccir
        } else {
            ContestKind::Ccit
        }
    }
}

/// The system-wide voter id of a voting right: chamber code followed by the ten-digit
/// elector number, 13 digits in all (annex §7.1.3, column 5). Unique across the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VoterId(u64);

impl VoterId {
    /// Largest elector number plus one (ten digits).
    const NUMBER_SPAN: u64 = 10_000_000_000;

    /// Builds the id from a chamber code and a ten-digit elector number.
    pub fn from_parts(chamber: &ChamberCode, elector_number: u64) -> Result<Self, IdError> {
        if elector_number >= Self::NUMBER_SPAN {
            return Err(IdError::Voter(format!("{}{elector_number}", chamber.0)));
        }
        Ok(VoterId(
            chamber.number() * Self::NUMBER_SPAN + elector_number,
        ))
    }

    /// Wraps a value already known to be below 10^13.
    pub(crate) const fn from_value(value: u64) -> Self {
        VoterId(value)
    }

    /// Parses the 13-digit form.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        if s.len() == 13 && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse()
                .map(VoterId)
                .map_err(|_| IdError::Voter(s.to_owned()))
        } else {
            Err(IdError::Voter(s.to_owned()))
        }
    }

    /// The id as a number (< 10^13).
    pub fn value(self) -> u64 {
        self.0
    }

    /// The chamber code part.
    pub fn chamber(self) -> ChamberCode {
        ChamberCode(format!("{:03}", self.0 / Self::NUMBER_SPAN))
    }

    /// The elector number part (within the chamber).
    pub fn elector_number(self) -> u64 {
        self.0 % Self::NUMBER_SPAN
    }
}

/// A candidate's option id inside its contest (ballot order position is separate): the id
/// given in the candidate file, or `01`, `02`… by ballot order when none is given.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OptionId(String);

impl OptionId {
    /// Parses an option id: 1 to 32 ASCII letters, digits, `-` or `_`.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        if !s.is_empty()
            && s.len() <= 32
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            Ok(OptionId(s.to_owned()))
        } else {
            Err(IdError::Option(s.to_owned()))
        }
    }

    /// The default id of the candidate at a 1-based ballot position.
    pub fn from_position(position: usize) -> Self {
        OptionId(format!("{position:02}"))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_id_impls {
    ($($t:ident),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // `pad` so that width and alignment work in reports.
                f.pad(&self.0)
            }
        }
        impl TryFrom<String> for $t {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                $t::parse(&s)
            }
        }
        impl From<$t> for String {
            fn from(id: $t) -> String {
                id.0
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    )*};
}
string_id_impls!(
    ChamberCode,
    CategoryCode,
    SubCategoryCode,
    ScrutinId,
    ContestId,
    OptionId
);

impl fmt::Display for VoterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:013}", self.0)
    }
}

impl TryFrom<String> for VoterId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        VoterId::parse(&s)
    }
}

impl From<VoterId> for String {
    fn from(id: VoterId) -> String {
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voter_id_is_chamber_code_then_ten_digits() {
        let chamber = ChamberCode::parse("011").unwrap();
        let id = VoterId::from_parts(&chamber, 42).unwrap();
        assert_eq!(id.to_string(), "0110000000042");
        assert_eq!(id.chamber(), chamber);
        assert_eq!(id.elector_number(), 42);
        assert_eq!(VoterId::parse("0110000000042").unwrap(), id);
        assert!(VoterId::parse("011000000004").is_err());
        assert!(VoterId::from_parts(&chamber, 10_000_000_000).is_err());
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"0110000000042\"");
    }

    #[test]
    fn codes_reject_separators_and_wrong_lengths() {
        assert!(ChamberCode::parse("11").is_err());
        assert!(ChamberCode::parse("01A").is_err());
        assert!(CategoryCode::parse("CI").is_err());
        assert!(CategoryCode::parse("-").is_err());
        assert!(SubCategoryCode::parse("C/").is_err());
        assert!(SubCategoryCode::parse("C12").is_err());
        assert!(SubCategoryCode::parse("C1").is_ok());
    }

    #[test]
    fn scrutin_and_contest_ids_round_trip() {
        let s = ScrutinId::parse("381-C-C1").unwrap();
        assert_eq!(s.chamber(), "381");
        assert!(ScrutinId::parse("381-C-C1-X").is_err());
        let c = ContestId::new(s.as_str(), ContestKind::Ccit);
        assert_eq!(c.as_str(), "381-C-C1/CCIT");
        assert_eq!(ContestId::parse("381-C-C1/CCIT").unwrap(), c);
        assert_eq!(c.kind(), ContestKind::Ccit);
        assert!(ContestId::parse("381-C/CCIX").is_err());
        assert!(serde_json::from_str::<ContestId>("\"bad\"").is_err());
    }
}
