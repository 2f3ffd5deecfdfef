//! The import report: every problem found in a CCI file, with its line, column, rule,
//! value and outcome (annex §7.1.3: blocking error or non-blocking error with truncation),
//! counts per rule and per scrutin, as text for people and CSV/JSON for tools.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// What happens to a row because of an issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Erreur bloquante: the row is refused and the file cannot be loaded until fixed.
    Blocking,
    /// Erreur non bloquante: the value is truncated at import and the row is kept.
    Truncated,
    /// Avertissement: the value is kept as is and the row is kept; someone should look.
    Warning,
}

impl Outcome {
    /// French label used in the text and CSV reports.
    pub fn label_fr(self) -> &'static str {
        match self {
            Outcome::Blocking => "erreur bloquante",
            Outcome::Truncated => "erreur non bloquante (valeur tronquée)",
            Outcome::Warning => "avertissement",
        }
    }
}

/// The rule an issue breaks. The code (`rule` in CSV/JSON) is stable; each rule is
/// described in `specs/csv-formats.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A mandatory value is missing.
    Required,
    /// The value is longer than the column allows.
    MaxLength,
    /// The value must have exactly N characters (French postcode).
    ExactLength,
    /// The value must be made of N digits.
    Digits,
    /// The number has fewer digits than required (SIREN, NIC).
    TooFewDigits,
    /// A text field holds bytes that are not valid in the file's encoding.
    Encoding,
    /// The row does not have the expected number of columns.
    ColumnCount,
    /// The header names differ from the expected ones (columns are read by position).
    Header,
    /// The chamber code is not in the election structure.
    UnknownChamber,
    /// The category code is not one of the chamber's in the structure.
    UnknownCategory,
    /// The sub-category code is not one of the chamber's category's in the structure.
    UnknownSubCategory,
    /// The chamber's category has sub-categories and the row gives none.
    SubCategoryRequired,
    /// The elector number (hence the system-wide voter id) appears twice.
    DuplicateVoter,
    /// Civility other than `M.`, `MR`, `MME`, `MLLE`.
    Civility,
    /// Birth date not in the JJMMAAAA form or not a calendar date.
    BirthDate,
    /// Birth year before 1900.
    BirthYear,
    /// Legal form other than `A` or `B`.
    LegalForm,
    /// E-mail address not of the required form.
    Email,
    /// Phone number that does not look like a mobile number (SMS may fail).
    MobilePhone,
    /// Seat count not a number of at most two digits.
    Seats,
    /// Neither a CCIR nor a CCIT seat: nothing to elect.
    NoSeats,
    /// A CCIR election needs its ballot title (column P).
    BallotTitleRequired,
    /// R731-8 flag other than `true` or `false`.
    Flag,
    /// The same chamber × category × sub-category appears twice.
    DuplicateScrutin,
    /// A category mixes rows with and without a sub-category.
    SubCategoryMix,
    /// Rows of one category disagree on the R731-8 flag.
    FlagMismatch,
    /// Rows of a pooled category disagree on the CCIR seats.
    PooledSeats,
    /// Rows of one chamber or category disagree on a label (the first is kept).
    LabelMismatch,
    /// The R731-8 flag is set on a category without sub-categories (no effect).
    FlagWithoutSubCategories,
    /// Perimeter neither `NATIONAL` nor a comma-separated list of chamber codes.
    Perimeter,
    /// The same e-mail address appears twice in the users file.
    DuplicateEmail,
}

impl Rule {
    /// The stable code written in CSV and JSON reports.
    pub fn code(self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::MaxLength => "max_length",
            Rule::ExactLength => "exact_length",
            Rule::Digits => "digits",
            Rule::TooFewDigits => "too_few_digits",
            Rule::Encoding => "encoding",
            Rule::ColumnCount => "column_count",
            Rule::Header => "header",
            Rule::UnknownChamber => "unknown_chamber",
            Rule::UnknownCategory => "unknown_category",
            Rule::UnknownSubCategory => "unknown_sub_category",
            Rule::SubCategoryRequired => "sub_category_required",
            Rule::DuplicateVoter => "duplicate_voter",
            Rule::Civility => "civility",
            Rule::BirthDate => "birth_date",
            Rule::BirthYear => "birth_year",
            Rule::LegalForm => "legal_form",
            Rule::Email => "email",
            Rule::MobilePhone => "mobile_phone",
            Rule::Seats => "seats",
            Rule::NoSeats => "no_seats",
            Rule::BallotTitleRequired => "ballot_title_required",
            Rule::Flag => "flag",
            Rule::DuplicateScrutin => "duplicate_scrutin",
            Rule::SubCategoryMix => "sub_category_mix",
            Rule::FlagMismatch => "flag_mismatch",
            Rule::PooledSeats => "pooled_seats",
            Rule::LabelMismatch => "label_mismatch",
            Rule::FlagWithoutSubCategories => "flag_without_sub_categories",
            Rule::Perimeter => "perimeter",
            Rule::DuplicateEmail => "duplicate_email",
        }
    }
}

/// One problem in one cell (or row, or file) of a CCI file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// Physical line of the file where the row starts (1 = first line, header included);
    /// 0 for a problem about the whole file.
    pub line: u64,
    /// Column number in the annex (1-based), if the issue is about one column.
    pub column: Option<u16>,
    /// Column name as in the annex (`NUMERO ELECTEUR`…).
    pub column_name: Option<String>,
    /// The rule broken.
    pub rule: Rule,
    /// The value as read (trimmed).
    pub value: String,
    /// The value kept after truncation, for truncated values.
    pub kept: Option<String>,
    /// What happens to the row.
    pub outcome: Outcome,
    /// A French sentence saying what is wrong and what to do.
    pub message: String,
}

/// Issue counts by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeCounts {
    /// Blocking errors.
    pub blocking: u64,
    /// Truncated values.
    pub truncated: u64,
    /// Warnings.
    pub warning: u64,
}

impl OutcomeCounts {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Blocking => self.blocking += 1,
            Outcome::Truncated => self.truncated += 1,
            Outcome::Warning => self.warning += 1,
        }
    }
}

/// Rows per scrutin: accepted and refused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowCounts {
    /// Rows loaded (possibly with truncations or warnings).
    pub accepted: u64,
    /// Rows refused by a blocking error.
    pub refused: u64,
}

/// Which CCI file a report is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// Election structure (§7.1.2).
    Structure,
    /// Voter file of a chamber (§7.1.3).
    Voters,
    /// Authorised users (§7.1.4).
    Users,
}

impl FileKind {
    /// French name of the file.
    pub fn label_fr(self) -> &'static str {
        match self {
            FileKind::Structure => "fichier de structure électorale",
            FileKind::Voters => "fichier des électeurs",
            FileKind::Users => "fichier des personnes habilitées",
        }
    }
}

/// The outcome of reading one CCI file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// What the file is.
    pub file_kind: FileKind,
    /// The encoding used to read it (`UTF-8`, `UTF-8 (BOM)`, `Windows-1252`).
    pub encoding: String,
    /// The field delimiter used.
    pub delimiter: char,
    /// Whether the first line was a header row.
    pub header: bool,
    /// Data rows read (header excluded).
    pub rows: u64,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows refused.
    pub refused: u64,
    /// Issue counts by outcome (all issues, listed or not).
    pub counts: OutcomeCounts,
    /// Issue counts by rule code (all issues, listed or not).
    pub by_rule: BTreeMap<String, OutcomeCounts>,
    /// Rows per scrutin (voter file: by the row's chamber × category × sub-category;
    /// rows whose scrutin cannot be told are under `?`).
    pub by_scrutin: BTreeMap<String, RowCounts>,
    /// The issues, in file order, up to the listing limit.
    pub issues: Vec<Issue>,
    /// Issues counted but not listed (beyond the limit, to keep memory bounded).
    pub unlisted: u64,
}

impl ImportReport {
    /// An empty report.
    pub fn new(file_kind: FileKind, encoding: String, delimiter: char, header: bool) -> Self {
        ImportReport {
            file_kind,
            encoding,
            delimiter,
            header,
            rows: 0,
            accepted: 0,
            refused: 0,
            counts: OutcomeCounts::default(),
            by_rule: BTreeMap::new(),
            by_scrutin: BTreeMap::new(),
            issues: Vec::new(),
            unlisted: 0,
        }
    }

    /// True when no blocking error was found: the file may be loaded.
    pub fn is_loadable(&self) -> bool {
        self.counts.blocking == 0
    }

    /// Records an issue, listing it if under `limit` listed issues.
    pub fn push(&mut self, issue: Issue, limit: usize) {
        self.counts.add(issue.outcome);
        self.by_rule
            .entry(issue.rule.code().to_owned())
            .or_default()
            .add(issue.outcome);
        if self.issues.len() < limit {
            self.issues.push(issue);
        } else {
            self.unlisted += 1;
        }
    }

    /// Counts a row for its scrutin (`None`: scrutin unknown).
    pub fn count_row(&mut self, scrutin: Option<&str>, accepted: bool) {
        self.rows += 1;
        let key = scrutin.unwrap_or("?");
        // Look up before inserting: no allocation per row for scrutins already seen.
        if !self.by_scrutin.contains_key(key) {
            self.by_scrutin.insert(key.to_owned(), RowCounts::default());
        }
        let Some(counts) = self.by_scrutin.get_mut(key) else {
            return;
        };
        if accepted {
            self.accepted += 1;
            counts.accepted += 1;
        } else {
            self.refused += 1;
            counts.refused += 1;
        }
    }

    /// The report as French text for people.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Rapport de contrôle — {}", self.file_kind.label_fr());
        let _ = writeln!(
            out,
            "Encodage : {} ; séparateur : « {} » ; ligne d'en-tête : {}",
            self.encoding,
            if self.delimiter == '\t' {
                "tabulation".to_owned()
            } else {
                self.delimiter.to_string()
            },
            if self.header { "oui" } else { "non" }
        );
        let _ = writeln!(
            out,
            "Lignes lues : {} ; acceptées : {} ; refusées : {}",
            self.rows, self.accepted, self.refused
        );
        let _ = writeln!(
            out,
            "Erreurs bloquantes : {} ; valeurs tronquées : {} ; avertissements : {}",
            self.counts.blocking, self.counts.truncated, self.counts.warning
        );
        let _ = writeln!(
            out,
            "{}",
            if self.is_loadable() {
                "Résultat : fichier chargeable."
            } else {
                "Résultat : FICHIER NON CHARGEABLE — corrigez les erreurs bloquantes puis déposez-le à nouveau."
            }
        );
        if !self.by_scrutin.is_empty() {
            let _ = writeln!(out, "\nLignes par scrutin :");
            for (scrutin, c) in &self.by_scrutin {
                let _ = writeln!(
                    out,
                    "  {scrutin:<12} acceptées {:>9}  refusées {:>9}",
                    c.accepted, c.refused
                );
            }
        }
        if !self.issues.is_empty() {
            let _ = writeln!(out, "\nAnomalies :");
            for i in &self.issues {
                let col = match (&i.column, &i.column_name) {
                    (Some(n), Some(name)) => format!("colonne {n} {name}"),
                    (None, Some(name)) => format!("colonne {name}"),
                    _ => "ligne entière".to_owned(),
                };
                let _ = write!(
                    out,
                    "  ligne {} — {} — {} [{}] : {}",
                    i.line,
                    col,
                    i.outcome.label_fr(),
                    i.rule.code(),
                    i.message
                );
                if !i.value.is_empty() {
                    let _ = write!(out, " (valeur : « {} »", i.value);
                    if let Some(kept) = &i.kept {
                        let _ = write!(out, " ; conservée : « {kept} »");
                    }
                    out.push(')');
                }
                out.push('\n');
            }
        }
        if self.unlisted > 0 {
            let _ = writeln!(
                out,
                "  … et {} autres anomalies non listées (voir les comptes par règle).",
                self.unlisted
            );
        }
        if !self.by_rule.is_empty() {
            let _ = writeln!(out, "\nComptes par règle :");
            for (rule, c) in &self.by_rule {
                let _ = writeln!(
                    out,
                    "  {rule:<28} bloquantes {:>9}  tronquées {:>9}  avertissements {:>9}",
                    c.blocking, c.truncated, c.warning
                );
            }
        }
        out
    }

    /// The listed issues as CSV (`;`-separated, UTF-8, header row) for tools and
    /// spreadsheets.
    pub fn to_csv(&self) -> String {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(Vec::new());
        let _ = w.write_record([
            "ligne",
            "colonne",
            "nom_colonne",
            "regle",
            "gravite",
            "valeur",
            "valeur_conservee",
            "message",
        ]);
        for i in &self.issues {
            let line = i.line.to_string();
            let col = i.column.map(|c| c.to_string()).unwrap_or_default();
            let _ = w.write_record([
                line.as_str(),
                col.as_str(),
                i.column_name.as_deref().unwrap_or(""),
                i.rule.code(),
                match i.outcome {
                    Outcome::Blocking => "bloquante",
                    Outcome::Truncated => "tronquee",
                    Outcome::Warning => "avertissement",
                },
                i.value.as_str(),
                i.kept.as_deref().unwrap_or(""),
                i.message.as_str(),
            ]);
        }
        let bytes = w.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// The whole report as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(outcome: Outcome) -> Issue {
        Issue {
            line: 3,
            column: Some(8),
            column_name: Some("NOM D'USAGE".into()),
            rule: Rule::MaxLength,
            value: "x;y".into(),
            kept: Some("x".into()),
            outcome,
            message: "trop long".into(),
        }
    }

    #[test]
    fn listing_limit_keeps_counting() {
        let mut r = ImportReport::new(FileKind::Voters, "UTF-8".into(), ';', true);
        r.push(issue(Outcome::Truncated), 1);
        r.push(issue(Outcome::Blocking), 1);
        assert_eq!(r.issues.len(), 1);
        assert_eq!(r.unlisted, 1);
        assert_eq!(r.counts.blocking, 1);
        assert_eq!(r.by_rule["max_length"].truncated, 1);
        assert!(!r.is_loadable());
        assert!(r.to_text().contains("1 autres anomalies"));
    }

    #[test]
    fn csv_report_quotes_values_with_delimiters() {
        let mut r = ImportReport::new(FileKind::Voters, "UTF-8".into(), ';', true);
        r.push(issue(Outcome::Truncated), 10);
        let csv = r.to_csv();
        let mut rd = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(csv.as_bytes());
        let row = rd.records().next().unwrap().unwrap();
        assert_eq!(&row[0], "3");
        assert_eq!(&row[3], "max_length");
        assert_eq!(&row[5], "x;y");
        let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(json["issues"][0]["rule"], "max_length");
        assert_eq!(json["issues"][0]["outcome"], "truncated");
    }
}
