//! The voter file of a chamber (annex §7.1.3; R-11): one row per voting right, 37
//! columns, every column rule of the annex with its outcome.
//!
//! The file streams: each accepted row is handed to a callback as a [`VoterRow`] that
//! borrows the parser's buffer (no allocation per row), and only what the checks need is
//! kept (voter ids for uniqueness, the normalised lines of the control list). A person
//! with several qualities has several rows, hence several rights, each with its own
//! elector number: they are never merged.
//!
//! Rows reach the callback as they are read; the file may still turn out not loadable
//! (a duplicate later on). A store must load inside a transaction and commit only when
//! [`ImportReport::is_loadable`] holds.

use std::collections::HashMap;
use std::io::Read;
use std::ops::ControlFlow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::control::{ControlBuilder, ControlList};
use crate::error::ImportError;
use crate::fields::{self, Col, RowIssues};
use crate::ids::{ChamberCode, VoterId};
use crate::input::{CsvSource, ReadOptions};
use crate::report::{FileKind, ImportReport, Outcome, Rule};
use crate::structure::{Resolution, Structure};

const fn col(index: u16, name: &'static str, max: usize) -> Col {
    Col { index, name, max }
}

/// Columns of the voter file (1-based, as in the annex).
pub(crate) const COLUMNS: [Col; 37] = [
    col(1, "CODE CCI", 3),
    col(2, "CODE DELEGATION", 3),
    col(3, "CODE CATEGORIE", 1),
    col(4, "CODE SOUS CATEGORIE", 2),
    col(5, "NUMERO ELECTEUR", 10),
    col(6, "CLE INTERNE CCI", 20),
    col(7, "CIVILITE", 4),
    col(8, "NOM D'USAGE", 34),
    col(9, "PRENOM", 30),
    col(10, "DATE DE NAISSANCE", 8),
    // The annex's format column says 34 and its rule text 30; 34 (the format, equal to
    // NOM D'USAGE which may hold a copy of it) is used. See specs/csv-formats.md.
    col(11, "NOM DE FAMILLE", 34),
    col(12, "TYPE ELECTEUR", 3),
    col(13, "CODE GREFFE", 5),
    col(14, "NUMERO SIREN", 9),
    col(15, "NUMERO NIC", 5),
    col(16, "RAISON SOCIALE", 38),
    col(17, "ENSEIGNE", 38),
    col(18, "NAF", 5),
    col(19, "TYPE FORME JURIDIQUE", 1),
    col(20, "ADRACH DESTINATAIRE", 38),
    col(21, "ADRACH COMPLEMENT1", 38),
    col(22, "ADRACH COMPLEMENT2", 38),
    col(23, "ADRACH VOIE", 38),
    col(24, "ADRACH LIEU DIT", 38),
    col(25, "ADRACH CODE POSTAL", 5),
    col(26, "ADRACH LOCALITE", 32),
    col(27, "ADRACH PAYS", 38),
    col(28, "ADRJUR DESTINATAIRE", 38),
    col(29, "ADRJUR COMPLEMENT1", 38),
    col(30, "ADRJUR COMPLEMENT2", 38),
    col(31, "ADRJUR VOIE", 38),
    col(32, "ADRJUR LIEU DIT", 38),
    col(33, "ADRJUR CODE POSTAL", 5),
    col(34, "ADRJUR LOCALITE", 32),
    col(35, "ADRJUR PAYS", 38),
    col(36, "EMAIL", 255),
    col(37, "TELEPHONE", 50),
];

/// The expected header names.
pub fn header() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.name).collect()
}

/// Civility (column 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Civility {
    /// `M.`
    #[serde(rename = "M.")]
    M,
    /// `MR`
    #[serde(rename = "MR")]
    Mr,
    /// `MME`
    #[serde(rename = "MME")]
    Mme,
    /// `MLLE`
    #[serde(rename = "MLLE")]
    Mlle,
}

impl Civility {
    /// Parses one of the four values of the annex, exactly.
    pub fn parse(s: &str) -> Option<Civility> {
        match s {
            "M." => Some(Civility::M),
            "MR" => Some(Civility::Mr),
            "MME" => Some(Civility::Mme),
            "MLLE" => Some(Civility::Mlle),
            _ => None,
        }
    }

    /// The value as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Civility::M => "M.",
            Civility::Mr => "MR",
            Civility::Mme => "MME",
            Civility::Mlle => "MLLE",
        }
    }

    /// True for `MME` and `MLLE`: used to compare the sexes of a candidate and their
    /// suppléant.
    pub fn is_female(self) -> bool {
        matches!(self, Civility::Mme | Civility::Mlle)
    }
}

/// The birth date used as the login challenge (column 10; R-40).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BirthDate {
    /// `01011901`: unknown, no check at login.
    Unknown,
    /// A known date.
    Known(NaiveDate),
}

impl BirthDate {
    /// The JJMMAAAA value that means "unknown".
    pub const UNKNOWN: &'static str = "01011901";

    /// Parses JJMMAAAA. Errors say which rule fails.
    pub fn parse(s: &str) -> Result<BirthDate, Rule> {
        if s == Self::UNKNOWN {
            return Ok(BirthDate::Unknown);
        }
        if s.len() != 8 || !fields::all_digits(s) {
            return Err(Rule::BirthDate);
        }
        let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
        let (d, m, y) = (num(0..2), num(2..4), num(4..8));
        let date = NaiveDate::from_ymd_opt(y as i32, m, d).ok_or(Rule::BirthDate)?;
        if y < 1900 {
            return Err(Rule::BirthYear);
        }
        Ok(BirthDate::Known(date))
    }

    /// Whether a date typed at login passes the challenge (always, when unknown).
    pub fn challenge_matches(self, typed: NaiveDate) -> bool {
        match self {
            BirthDate::Unknown => true,
            BirthDate::Known(d) => d == typed,
        }
    }

    /// JJMMAAAA.
    pub fn to_jjmmaaaa(self) -> String {
        match self {
            BirthDate::Unknown => Self::UNKNOWN.to_owned(),
            BirthDate::Known(d) => d.format("%d%m%Y").to_string(),
        }
    }
}

/// A postal address block (columns 20–27 for mailing, 28–35 for the legal address).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address<S> {
    /// DESTINATAIRE.
    pub recipient: S,
    /// COMPLEMENT1 (inside the building).
    pub complement1: Option<S>,
    /// COMPLEMENT2 (outside the building).
    pub complement2: Option<S>,
    /// VOIE.
    pub street: Option<S>,
    /// LIEU DIT.
    pub place: Option<S>,
    /// CODE POSTAL (5 characters for France; as given abroad).
    pub postcode: Option<S>,
    /// LOCALITE.
    pub city: S,
    /// PAYS (empty: France).
    pub country: Option<S>,
}

/// One voting right as read from the voter file, after the annex rules (values trimmed
/// and truncated). `S` is `&str` while streaming ([`VoterRow`]) and `String` when kept
/// ([`VoterRecord`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voter<S> {
    /// Line of the file where the row starts.
    pub line: u64,
    /// System-wide voter id: chamber code + elector number (13 digits).
    pub voter_id: VoterId,
    /// The scrutin (`011-C`, `381-C-C1`) the right votes in.
    pub scrutin: S,
    /// 1 CODE CCI.
    pub chamber: S,
    /// 2 CODE DELEGATION (territorial delegation, shown when present).
    pub delegation: Option<S>,
    /// 3 CODE CATEGORIE.
    pub category: S,
    /// 4 CODE SOUS CATEGORIE (`None` for a category without sub-categories).
    pub sub_category: Option<S>,
    /// 5 NUMERO ELECTEUR (10 digits).
    pub elector_number: S,
    /// 6 CLE INTERNE CCI.
    pub internal_key: Option<S>,
    /// 7 CIVILITE.
    pub civility: Option<Civility>,
    /// 8 NOM D'USAGE.
    pub usage_name: S,
    /// 9 PRENOM.
    pub first_name: Option<S>,
    /// 10 DATE DE NAISSANCE.
    pub birth_date: BirthDate,
    /// 11 NOM DE FAMILLE.
    pub family_name: Option<S>,
    /// 12 TYPE ELECTEUR.
    pub elector_type: Option<S>,
    /// 13 CODE GREFFE.
    pub registry_code: Option<S>,
    /// 14 NUMERO SIREN (9 digits).
    pub siren: S,
    /// 15 NUMERO NIC (5 digits).
    pub nic: S,
    /// 16 RAISON SOCIALE.
    pub company_name: Option<S>,
    /// 17 ENSEIGNE.
    pub trade_name: Option<S>,
    /// 18 NAF.
    pub naf: Option<S>,
    /// 19 TYPE FORME JURIDIQUE (`A` natural person, `B` legal person).
    pub legal_form: Option<S>,
    /// 20–27 mailing address (ADRACH).
    pub mailing: Address<S>,
    /// 28–35 legal address (ADRJUR).
    pub legal: Address<S>,
    /// 36 EMAIL.
    pub email: Option<S>,
    /// 37 TELEPHONE (mobile, for SMS).
    pub phone: Option<S>,
}

/// A voting right borrowed from the parser's buffer while streaming.
pub type VoterRow<'a> = Voter<&'a str>;
/// A voting right owned, to keep.
pub type VoterRecord = Voter<String>;

fn own(s: &str) -> String {
    s.to_owned()
}
fn own_opt(s: &Option<&str>) -> Option<String> {
    s.map(str::to_owned)
}

impl Address<&str> {
    fn to_owned_address(&self) -> Address<String> {
        Address {
            recipient: own(self.recipient),
            complement1: own_opt(&self.complement1),
            complement2: own_opt(&self.complement2),
            street: own_opt(&self.street),
            place: own_opt(&self.place),
            postcode: own_opt(&self.postcode),
            city: own(self.city),
            country: own_opt(&self.country),
        }
    }
}

impl VoterRow<'_> {
    /// An owned copy to keep.
    pub fn to_record(&self) -> VoterRecord {
        Voter {
            line: self.line,
            voter_id: self.voter_id,
            scrutin: own(self.scrutin),
            chamber: own(self.chamber),
            delegation: own_opt(&self.delegation),
            category: own(self.category),
            sub_category: own_opt(&self.sub_category),
            elector_number: own(self.elector_number),
            internal_key: own_opt(&self.internal_key),
            civility: self.civility,
            usage_name: own(self.usage_name),
            first_name: own_opt(&self.first_name),
            birth_date: self.birth_date,
            family_name: own_opt(&self.family_name),
            elector_type: own_opt(&self.elector_type),
            registry_code: own_opt(&self.registry_code),
            siren: own(self.siren),
            nic: own(self.nic),
            company_name: own_opt(&self.company_name),
            trade_name: own_opt(&self.trade_name),
            naf: own_opt(&self.naf),
            legal_form: own_opt(&self.legal_form),
            mailing: self.mailing.to_owned_address(),
            legal: self.legal.to_owned_address(),
            email: own_opt(&self.email),
            phone: own_opt(&self.phone),
        }
    }
}

/// The result of reading a voter file.
#[derive(Clone, Debug)]
pub struct VoterImport {
    /// Every issue, counts per rule and per scrutin.
    pub report: ImportReport,
    /// One control list per chamber present in the file, over accepted rows.
    pub control: Vec<ControlList>,
}

/// Fast lookup of a row's scrutin, with the same answers as [`Structure::resolve`].
struct ScrutinIndex<'s> {
    chambers: HashMap<&'s str, HashMap<&'s str, CategoryEntry<'s>>>,
    ids: Vec<String>,
}

#[derive(Default)]
struct CategoryEntry<'s> {
    plain: Option<usize>,
    subs: HashMap<&'s str, usize>,
}

impl<'s> ScrutinIndex<'s> {
    fn new(structure: &'s Structure) -> Self {
        let mut chambers: HashMap<&str, HashMap<&str, CategoryEntry<'_>>> = HashMap::new();
        for (i, s) in structure.scrutins().iter().enumerate() {
            let entry = chambers
                .entry(s.chamber.as_str())
                .or_default()
                .entry(s.category.as_str())
                .or_default();
            match &s.sub_category {
                None => {
                    entry.plain.get_or_insert(i);
                }
                Some(sub) => {
                    entry.subs.entry(sub.as_str()).or_insert(i);
                }
            }
        }
        let ids = structure
            .scrutins()
            .iter()
            .map(|s| s.id().to_string())
            .collect();
        ScrutinIndex { chambers, ids }
    }

    fn resolve(&self, chamber: &str, category: &str, sub: &str) -> Resolution {
        let Some(categories) = self.chambers.get(chamber) else {
            return Resolution::UnknownChamber;
        };
        let Some(entry) = categories.get(category) else {
            return Resolution::UnknownCategory;
        };
        if let Some(i) = entry.plain {
            return Resolution::Scrutin(i);
        }
        match entry.subs.get(sub) {
            Some(&i) => Resolution::Scrutin(i),
            None if sub.is_empty() => Resolution::SubCategoryRequired,
            None => Resolution::UnknownSubCategory,
        }
    }
}

/// Reads and validates a voter file against the structure, streaming. `on_row` receives
/// every accepted row; returning `ControlFlow::Break` stops the import with
/// [`ImportError::Interrupted`].
pub fn read_voters<R, F>(
    structure: &Structure,
    input: R,
    options: &ReadOptions,
    mut on_row: F,
) -> Result<VoterImport, ImportError>
where
    R: Read,
    F: FnMut(&VoterRow<'_>) -> ControlFlow<()>,
{
    let mut source = CsvSource::open(input, options)?;
    let limit = options.max_listed_issues;
    let index = ScrutinIndex::new(structure);
    let mut report = ImportReport::new(
        FileKind::Voters,
        String::new(),
        char::from(source.delimiter()),
        false,
    );
    let mut record = csv::ByteRecord::new();
    let mut seen: HashMap<u64, u64> = HashMap::new();
    let mut control = ControlBuilder::default();
    let mut first = true;
    while let Some(line) = source.next(&mut record)? {
        let n = fields::effective_len(&record, COLUMNS.len());
        if first {
            first = false;
            let head = fields::field(&record[0]).unwrap_or("");
            let is_header = !(head.len() == 3 && fields::all_digits(head))
                && head.chars().any(char::is_alphabetic);
            if n != COLUMNS.len() && (is_header || n < 10) {
                return Err(ImportError::WrongFileKind {
                    kind: FileKind::Voters.label_fr(),
                    found: n,
                    expected: COLUMNS.len(),
                });
            }
            if is_header {
                report.header = true;
                let names: Vec<&str> = (0..n)
                    .map(|i| fields::field(&record[i]).unwrap_or(""))
                    .collect();
                if let Some(issue) = fields::header_issue(line, &names, &header()) {
                    report.push(issue, limit);
                }
                continue;
            }
        }
        let mut issues = RowIssues::new(line);
        let checked = check_row(&record, n, line, &index, &mut issues);
        let (row, scrutin_index, birth_raw) = match checked {
            Some((row, i, b)) => (Some(row), i, b),
            None => (None, 0, ""),
        };
        let scrutin = row.as_ref().map(|r| r.scrutin);
        let mut accepted = !issues.blocking;
        if let Some(row) = &row {
            // Uniqueness of the system-wide voter id (column 5).
            if let Some(&first_line) = seen.get(&row.voter_id.value()) {
                issues.push(
                    Some(&COLUMNS[4]),
                    Rule::DuplicateVoter,
                    Outcome::Blocking,
                    row.elector_number,
                    None,
                    format!(
                        "numéro d'électeur déjà utilisé ligne {first_line} (identifiant {})",
                        row.voter_id
                    ),
                );
                accepted = false;
            } else {
                seen.insert(row.voter_id.value(), line);
            }
        }
        report.count_row(scrutin, accepted && row.is_some());
        issues.drain_into(&mut report, limit);
        if let (Some(row), true) = (row, accepted) {
            control.add(
                row.voter_id,
                scrutin_index,
                &[
                    row.category,
                    row.sub_category.unwrap_or(""),
                    row.delegation.unwrap_or(""),
                    birth_raw,
                    row.usage_name,
                ],
            );
            if on_row(&row).is_break() {
                return Err(ImportError::Interrupted);
            }
        }
    }
    report.encoding = source.encoding().label().to_owned();
    let control = control.finish(structure);
    tracing::debug!(
        rows = report.rows,
        accepted = report.accepted,
        blocking = report.counts.blocking,
        "voter file read"
    );
    Ok(VoterImport { report, control })
}

/// Validates a voter file without keeping its rows.
pub fn validate_voters<R: Read>(
    structure: &Structure,
    input: R,
    options: &ReadOptions,
) -> Result<VoterImport, ImportError> {
    read_voters(structure, input, options, |_| ControlFlow::Continue(()))
}

/// Reads a (small) voter file and keeps its accepted rows.
pub fn read_voter_records<R: Read>(
    structure: &Structure,
    input: R,
    options: &ReadOptions,
) -> Result<(Vec<VoterRecord>, VoterImport), ImportError> {
    let mut rows = Vec::new();
    let import = read_voters(structure, input, options, |row| {
        rows.push(row.to_record());
        ControlFlow::Continue(())
    })?;
    Ok((rows, import))
}

/// True for a plausible mobile number: French `06`/`07` + 8 digits, `+33 6/7` + 8
/// digits, or any other international number in E.164 form (`+` and 7 to 15 digits).
/// Spaces, dots, dashes and parentheses are ignored.
pub fn looks_like_mobile(s: &str) -> bool {
    let mut digits = String::with_capacity(s.len());
    let mut plus = false;
    for (i, c) in s.chars().enumerate() {
        match c {
            '+' if i == 0 => plus = true,
            ' ' | '.' | '-' | '(' | ')' => {}
            c if c.is_ascii_digit() => digits.push(c),
            _ => return false,
        }
    }
    if !plus && let Some(rest) = digits.strip_prefix("00") {
        digits = rest.to_owned();
        plus = true;
    }
    if plus {
        if let Some(national) = digits.strip_prefix("33") {
            return national.len() == 9 && (national.starts_with('6') || national.starts_with('7'));
        }
        (7..=15).contains(&digits.len()) && !digits.starts_with('0')
    } else {
        digits.len() == 10 && (digits.starts_with("06") || digits.starts_with("07"))
    }
}

/// Checks one row; returns the row, its scrutin's index in the structure and the raw
/// birth date (JJMMAAAA as validated) when nothing blocks.
fn check_row<'r>(
    record: &'r csv::ByteRecord,
    n: usize,
    line: u64,
    index: &'r ScrutinIndex<'_>,
    issues: &mut RowIssues,
) -> Option<(VoterRow<'r>, usize, &'r str)> {
    if n != COLUMNS.len() {
        fields::column_count_issue(issues, n, COLUMNS.len());
        return None;
    }
    let mut v: [&str; 37] = [""; 37];
    if let Err((i, lossy)) = fields::cells(record, COLUMNS.len(), &mut v) {
        fields::encoding_issue(issues, &COLUMNS[i], &lossy);
        return None;
    }
    let c = &COLUMNS;

    // 1, 3, 4: chamber, category, sub-category against the structure (blocking).
    let chamber = issues.required(&c[0], v[0]);
    let category = issues.required(&c[2], v[2]);
    let mut scrutin = None;
    let mut sub_category = None;
    if let (Some(ch), Some(cat)) = (chamber, category) {
        match index.resolve(ch, cat, v[3]) {
            Resolution::Scrutin(i) => {
                scrutin = Some(i);
                // Ignored for a category without sub-categories (annex, column 4).
                sub_category = index.ids[i].splitn(3, '-').nth(2).map(|_| v[3]);
            }
            Resolution::UnknownChamber => issues.push(
                Some(&c[0]),
                Rule::UnknownChamber,
                Outcome::Blocking,
                ch,
                None,
                format!("le code CCI {ch} ne figure pas dans la structure électorale"),
            ),
            Resolution::UnknownCategory => issues.push(
                Some(&c[2]),
                Rule::UnknownCategory,
                Outcome::Blocking,
                cat,
                None,
                format!("la catégorie {cat} n'existe pas pour la CCI {ch} dans la structure électorale"),
            ),
            Resolution::SubCategoryRequired => issues.push(
                Some(&c[3]),
                Rule::SubCategoryRequired,
                Outcome::Blocking,
                "",
                None,
                format!("la catégorie {cat} de la CCI {ch} a des sous-catégories : le code sous-catégorie est obligatoire"),
            ),
            Resolution::UnknownSubCategory => issues.push(
                Some(&c[3]),
                Rule::UnknownSubCategory,
                Outcome::Blocking,
                v[3],
                None,
                format!("la sous-catégorie {} n'existe pas pour la catégorie {cat} de la CCI {ch}", v[3]),
            ),
        }
    }

    // 2: delegation, truncated.
    let delegation = RowIssues::optional(v[1]).map(|s| issues.truncate(&c[1], s));

    // 5: elector number, 10 digits (blocking); uniqueness is checked by the caller.
    let mut voter_id = None;
    if let Some(num) = issues.required(&c[4], v[4]) {
        if num.len() == 10 && fields::all_digits(num) {
            if let Some(ch) = chamber.and_then(|ch| ChamberCode::parse(ch).ok()) {
                voter_id = num
                    .parse::<u64>()
                    .ok()
                    .and_then(|n| VoterId::from_parts(&ch, n).ok());
            }
        } else {
            let hint = if fields::all_digits(num) && num.len() < 10 {
                " (zéros à gauche perdus ?)"
            } else {
                ""
            };
            issues.push(
                Some(&c[4]),
                Rule::Digits,
                Outcome::Blocking,
                num,
                None,
                format!("le numéro d'électeur doit compter exactement 10 chiffres{hint}"),
            );
        }
    }

    // 6: internal key, truncated.
    let internal_key = RowIssues::optional(v[5]).map(|s| issues.truncate(&c[5], s));

    // 7: civility, one of four values (blocking).
    let civility = match RowIssues::optional(v[6]) {
        None => None,
        Some(s) => match Civility::parse(s) {
            Some(civ) => Some(civ),
            None => {
                issues.push(
                    Some(&c[6]),
                    Rule::Civility,
                    Outcome::Blocking,
                    s,
                    None,
                    "civilité : « M. », « MR », « MME » ou « MLLE » attendu".to_owned(),
                );
                None
            }
        },
    };

    // 8: usage name, required (blocking) and truncated.
    let usage_name = issues
        .required(&c[7], v[7])
        .map(|s| issues.truncate(&c[7], s));
    // 9: first name, truncated.
    let first_name = RowIssues::optional(v[8]).map(|s| issues.truncate(&c[8], s));

    // 10: birth date JJMMAAAA, 01011901 = unknown (blocking).
    let birth_date = match issues.required(&c[9], v[9]) {
        None => None,
        Some(s) => match BirthDate::parse(s) {
            Ok(d) => Some(d),
            Err(rule) => {
                let msg = if rule == Rule::BirthYear {
                    "année de naissance antérieure à 1900 (01011901 si la date n'est pas connue)"
                        .to_owned()
                } else if s.len() == 7 && fields::all_digits(s) {
                    "date de naissance au format JJMMAAAA (8 chiffres) : zéro initial perdu ?"
                        .to_owned()
                } else {
                    "date de naissance au format JJMMAAAA attendue, date réelle (01011901 si inconnue)"
                        .to_owned()
                };
                issues.push(Some(&c[9]), rule, Outcome::Blocking, s, None, msg);
                None
            }
        },
    };

    // 11–13: truncated.
    let family_name = RowIssues::optional(v[10]).map(|s| issues.truncate(&c[10], s));
    let elector_type = RowIssues::optional(v[11]).map(|s| issues.truncate(&c[11], s));
    let registry_code = RowIssues::optional(v[12]).map(|s| issues.truncate(&c[12], s));

    // 14, 15: SIREN (9) and NIC (5): missing, non-numeric or short is blocking; longer is
    // truncated.
    let siren = digits_field(issues, &c[13], v[13]);
    let nic = digits_field(issues, &c[14], v[14]);

    // 16–18: truncated.
    let company_name = RowIssues::optional(v[15]).map(|s| issues.truncate(&c[15], s));
    let trade_name = RowIssues::optional(v[16]).map(|s| issues.truncate(&c[16], s));
    let naf = RowIssues::optional(v[17]).map(|s| issues.truncate(&c[17], s));

    // 19: legal form A or B; longer is truncated; another letter is kept with a warning.
    let legal_form = RowIssues::optional(v[18]).map(|s| {
        let kept = issues.truncate(&c[18], s);
        if kept != "A" && kept != "B" {
            issues.push(
                Some(&c[18]),
                Rule::LegalForm,
                Outcome::Warning,
                kept,
                None,
                "type de forme juridique : « A » (personne physique) ou « B » (personne morale) attendu".to_owned(),
            );
        }
        kept
    });

    let mailing = address(issues, &v[19..27], &c[19..27]);
    let legal = address(issues, &v[27..35], &c[27..35]);

    // 36: e-mail, form a@a.a (blocking).
    let email = RowIssues::optional(v[35]).and_then(|s| {
        if fields::email_is_valid(s) {
            Some(s)
        } else {
            issues.push(
                Some(&c[35]),
                Rule::Email,
                Outcome::Blocking,
                s,
                None,
                "adresse électronique invalide : forme a@a.a, un seul @, lettres, chiffres et _ . + - seulement".to_owned(),
            );
            None
        }
    });

    // 37: mobile phone: truncated beyond 50; a non-mobile number is kept with a warning.
    let phone = RowIssues::optional(v[36]).map(|s| {
        let kept = issues.truncate(&c[36], s);
        if !looks_like_mobile(kept) {
            issues.push(
                Some(&c[36]),
                Rule::MobilePhone,
                Outcome::Warning,
                kept,
                None,
                "ce numéro ne ressemble pas à un mobile (06/07, +33 6/7 ou format international E.164) : l'envoi par SMS risque d'échouer".to_owned(),
            );
        }
        kept
    });

    if issues.blocking {
        return None;
    }
    let scrutin_index = scrutin?;
    let scrutin = index.ids.get(scrutin_index)?.as_str();
    let row = Voter {
        line,
        voter_id: voter_id?,
        scrutin,
        chamber: chamber?,
        delegation,
        category: category?,
        sub_category,
        elector_number: v[4],
        internal_key,
        civility,
        usage_name: usage_name?,
        first_name,
        birth_date: birth_date?,
        family_name,
        elector_type,
        registry_code,
        siren: siren?,
        nic: nic?,
        company_name,
        trade_name,
        naf,
        legal_form,
        mailing: mailing?,
        legal: legal?,
        email,
        phone,
    };
    Some((row, scrutin_index, v[9]))
}

/// SIREN / NIC rule: required, digits only, fewer digits blocking, more digits truncated.
fn digits_field<'a>(issues: &mut RowIssues, col: &Col, v: &'a str) -> Option<&'a str> {
    let s = issues.required(col, v)?;
    if !fields::all_digits(s) {
        issues.push(
            Some(col),
            Rule::Digits,
            Outcome::Blocking,
            s,
            None,
            format!("{} : {} chiffres attendus", col.name, col.max),
        );
        return None;
    }
    if s.len() < col.max {
        issues.push(
            Some(col),
            Rule::TooFewDigits,
            Outcome::Blocking,
            s,
            None,
            format!(
                "{} : {} chiffres exactement, complétés par des 0 à gauche (valeur {s})",
                col.name, col.max
            ),
        );
        return None;
    }
    Some(issues.truncate(col, s))
}

/// One address block: recipient and locality required (blocking) and truncated; the
/// French postcode rule when the country is empty or FRANCE.
fn address<'a>(issues: &mut RowIssues, v: &[&'a str], c: &[Col]) -> Option<Address<&'a str>> {
    let recipient = issues
        .required(&c[0], v[0])
        .map(|s| issues.truncate(&c[0], s));
    let complement1 = RowIssues::optional(v[1]).map(|s| issues.truncate(&c[1], s));
    let complement2 = RowIssues::optional(v[2]).map(|s| issues.truncate(&c[2], s));
    let street = RowIssues::optional(v[3]).map(|s| issues.truncate(&c[3], s));
    let place = RowIssues::optional(v[4]).map(|s| issues.truncate(&c[4], s));
    let country = RowIssues::optional(v[7]).map(|s| issues.truncate(&c[7], s));
    let in_france = country.is_none_or(|p| p.eq_ignore_ascii_case("FRANCE"));
    let postcode = if in_france {
        match issues.required(&c[5], v[5]) {
            Some(pc) if fields::char_len(pc) == 5 => Some(pc),
            Some(pc) => {
                issues.push(
                    Some(&c[5]),
                    Rule::ExactLength,
                    Outcome::Blocking,
                    pc,
                    None,
                    "code postal français : exactement 5 caractères".to_owned(),
                );
                None
            }
            None => None,
        }
    } else {
        RowIssues::optional(v[5])
    };
    let city = issues
        .required(&c[6], v[6])
        .map(|s| issues.truncate(&c[6], s));
    Some(Address {
        recipient: recipient?,
        complement1,
        complement2,
        street,
        place,
        postcode,
        city: city?,
        country,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::structure::tests::row;

    #[test]
    fn index_agrees_with_structure_resolve() {
        let s = Structure::new(vec![
            row("011", "C", None, 2, 8, false),
            row("381", "S", Some("S1"), 1, 5, false),
            row("381", "S", Some("S2"), 1, 5, false),
        ])
        .unwrap();
        let idx = ScrutinIndex::new(&s);
        for (ch, cat, sub) in [
            ("011", "C", ""),
            ("011", "C", "X"),
            ("011", "I", ""),
            ("381", "S", ""),
            ("381", "S", "S2"),
            ("381", "S", "S3"),
            ("999", "S", "S3"),
        ] {
            assert_eq!(
                idx.resolve(ch, cat, sub),
                s.resolve(ch, cat, sub),
                "{ch} {cat} {sub}"
            );
        }
    }

    #[test]
    fn birth_date_rules() {
        assert_eq!(BirthDate::parse("01011901"), Ok(BirthDate::Unknown));
        assert_eq!(
            BirthDate::parse("29021964"),
            Ok(BirthDate::Known(
                NaiveDate::from_ymd_opt(1964, 2, 29).unwrap()
            ))
        );
        assert_eq!(BirthDate::parse("29021963"), Err(Rule::BirthDate));
        assert_eq!(BirthDate::parse("1011970"), Err(Rule::BirthDate));
        assert_eq!(BirthDate::parse("1970-01-01"), Err(Rule::BirthDate));
        assert_eq!(BirthDate::parse("31121899"), Err(Rule::BirthYear));
        assert_eq!(
            BirthDate::parse("01011900").map(|d| d.to_jjmmaaaa()),
            Ok("01011900".to_owned())
        );
        let d = NaiveDate::from_ymd_opt(1970, 5, 12).unwrap();
        assert!(BirthDate::Unknown.challenge_matches(d));
        assert!(BirthDate::Known(d).challenge_matches(d));
        assert!(!BirthDate::Known(d).challenge_matches(d.succ_opt().unwrap()));
    }

    #[test]
    fn mobile_numbers() {
        for ok in [
            "0607080910",
            "06 07 08 09 10",
            "+33607080910",
            "+33 7 12 34 56 78",
            "+32451234567",
            "0032451234567",
            "0690123456",
        ] {
            assert!(looks_like_mobile(ok), "{ok}");
        }
        for bad in [
            "0102030405",
            "+33102030405",
            "607080910",
            "06070809",
            "tel 0607080910",
            "+0607080910",
        ] {
            assert!(!looks_like_mobile(bad), "{bad}");
        }
    }
}
