//! The election structure file (annex §7.1.2; R-10): one national file, one row per
//! scrutin, 22 columns A–V.
//!
//! The annex gives formats and lengths but no outcomes for this file. Codes, seats and the
//! flag are checked strictly (blocking). Labels are printed on ballots, so they are never
//! truncated: a label over its length is a warning and kept whole (the annex's own
//! example for column P is 108 characters for a limit of 100). A missing mandatory label
//! is blocking; rows that disagree on a label get a warning and the first is kept.

use std::io::Read;

use crate::error::ImportError;
use crate::fields::{self, Col, RowIssues};
use crate::ids::{CategoryCode, ChamberCode, SubCategoryCode};
use crate::input::{CsvSource, ReadOptions};
use crate::report::{FileKind, ImportReport, Outcome, Rule};
use crate::structure::{ScrutinDefinition, Structure};

const fn col(index: u16, name: &'static str, max: usize) -> Col {
    Col { index, name, max }
}

/// Columns of the structure file, in order (A = 1).
pub(crate) const COLUMNS: [Col; 22] = [
    col(1, "CODE CCI", 3),
    col(2, "LIBELLE CCI", 100),
    col(3, "CODE CATEGORIE", 1),
    col(4, "LIBELLE CATEGORIE", 45),
    col(5, "CODE SOUS CATEGORIE", 2),
    col(6, "LIBELLE SOUS CATEGORIE", 45),
    col(7, "NB SIEGES CCIR", 2),
    col(8, "NB SIEGES CCIT", 2),
    col(9, "TITRE SITE DE VOTE", 100),
    col(10, "BULLETIN DE VOTE LIBELLE CCIR", 100),
    col(11, "BULLETIN DE VOTE LIBELLE CCIT", 100),
    col(12, "BULLETIN DE VOTE LIBELLE TYPE CATEGORIE", 15),
    col(13, "BULLETIN DE VOTE LIBELLE SIEGE 1", 100),
    col(14, "BULLETIN DE VOTE LIBELLE SIEGE 2", 100),
    col(15, "BULLETIN DE VOTE LIBELLE SIEGE 3", 100),
    col(16, "BULLETIN DE VOTE TITRE BULLETIN 1", 100),
    col(17, "BULLETIN DE VOTE TITRE BULLETIN 2", 100),
    col(18, "MESSAGE ASSISTANCE", 256),
    col(19, "TELEPHONE CCI", 100),
    col(20, "EMAIL CCI", 100),
    col(21, "URL SITE CCI PF", 100),
    col(22, "R731-8", 10),
];

/// The expected header names.
pub fn header() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.name).collect()
}

/// The result of reading a structure file.
#[derive(Clone, Debug)]
pub struct StructureImport {
    /// Every issue found.
    pub report: ImportReport,
    /// The structure, when the file has no blocking error.
    pub structure: Option<Structure>,
}

/// Reads and validates a structure file.
pub fn read_structure<R: Read>(
    input: R,
    options: &ReadOptions,
) -> Result<StructureImport, ImportError> {
    let mut source = CsvSource::open(input, options)?;
    let limit = options.max_listed_issues;
    let mut record = csv::ByteRecord::new();
    let mut report = ImportReport::new(
        FileKind::Structure,
        String::new(),
        char::from(source.delimiter()),
        false,
    );
    let mut rows: Vec<ScrutinDefinition> = Vec::new();
    let mut row_lines: Vec<u64> = Vec::new();
    let mut first = true;
    while let Some(line) = source.next(&mut record)? {
        let n = fields::effective_len(&record, COLUMNS.len());
        if first {
            first = false;
            if n != COLUMNS.len() {
                return Err(ImportError::WrongFileKind {
                    kind: FileKind::Structure.label_fr(),
                    found: n,
                    expected: COLUMNS.len(),
                });
            }
            let head = fields::field(&record[0]).unwrap_or("");
            if is_header(head) {
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
        let parsed = parse_row(&record, n, &mut issues);
        let accepted = !issues.blocking;
        let scrutin = parsed.as_ref().map(|r| r.id().to_string());
        report.count_row(scrutin.as_deref(), accepted);
        issues.drain_into(&mut report, limit);
        if let (Some(row), true) = (parsed, accepted) {
            rows.push(row);
            row_lines.push(line);
        }
    }
    report.encoding = source.encoding().label().to_owned();

    let (structure, problems) = Structure::build(rows);
    for p in problems {
        let line = row_lines.get(p.row).copied().unwrap_or(0);
        let mut issues = RowIssues::new(line);
        issues.push(None, p.rule, p.outcome, "", None, p.message);
        issues.drain_into(&mut report, limit);
        if p.outcome == Outcome::Blocking {
            report.accepted = report.accepted.saturating_sub(1);
            report.refused += 1;
        }
    }
    if report.rows == 0 {
        let mut issues = RowIssues::new(0);
        issues.push(
            None,
            Rule::Required,
            Outcome::Blocking,
            "",
            None,
            "le fichier ne contient aucun scrutin".to_owned(),
        );
        issues.drain_into(&mut report, limit);
    }
    let structure = report.is_loadable().then_some(structure);
    Ok(StructureImport { report, structure })
}

fn is_header(first: &str) -> bool {
    !(first.len() == 3 && first.bytes().all(|b| b.is_ascii_digit()))
        && first.chars().any(char::is_alphabetic)
}

fn parse_row(
    record: &csv::ByteRecord,
    n: usize,
    issues: &mut RowIssues,
) -> Option<ScrutinDefinition> {
    if n != COLUMNS.len() {
        fields::column_count_issue(issues, n, COLUMNS.len());
        return None;
    }
    let mut v: Vec<&str> = Vec::with_capacity(COLUMNS.len());
    for (i, c) in COLUMNS.iter().enumerate() {
        match fields::field(&record[i]) {
            Ok(s) => v.push(s),
            Err(lossy) => {
                fields::encoding_issue(issues, c, &lossy);
                return None;
            }
        }
    }
    let required = |issues: &mut RowIssues, i: usize| -> String {
        let c = &COLUMNS[i];
        issues
            .required(c, v[i])
            .map(|s| issues.max_warning(c, s).to_owned())
            .unwrap_or_default()
    };
    let optional = |issues: &mut RowIssues, i: usize| -> Option<String> {
        RowIssues::optional(v[i]).map(|s| issues.max_warning(&COLUMNS[i], s).to_owned())
    };

    let chamber = issues.required(&COLUMNS[0], v[0]).and_then(|s| {
        ChamberCode::parse(s)
            .map_err(|e| {
                issues.push(
                    Some(&COLUMNS[0]),
                    Rule::Digits,
                    Outcome::Blocking,
                    s,
                    None,
                    e.to_string(),
                )
            })
            .ok()
    });
    let chamber_label = required(issues, 1);
    let category = issues.required(&COLUMNS[2], v[2]).and_then(|s| {
        CategoryCode::parse(s)
            .map_err(|e| {
                issues.push(
                    Some(&COLUMNS[2]),
                    Rule::MaxLength,
                    Outcome::Blocking,
                    s,
                    None,
                    e.to_string(),
                )
            })
            .ok()
    });
    let category_label = required(issues, 3);
    let sub_category = RowIssues::optional(v[4]).and_then(|s| {
        SubCategoryCode::parse(s)
            .map_err(|e| {
                issues.push(
                    Some(&COLUMNS[4]),
                    Rule::MaxLength,
                    Outcome::Blocking,
                    s,
                    None,
                    e.to_string(),
                )
            })
            .ok()
    });
    let sub_category_label = optional(issues, 5);
    let sub_category_label = match (&sub_category, sub_category_label) {
        (Some(code), None) => {
            issues.push(
                Some(&COLUMNS[5]),
                Rule::Required,
                Outcome::Warning,
                "",
                None,
                format!(
                    "libellé de la sous-catégorie {code} absent : le code est affiché à la place"
                ),
            );
            Some(code.to_string())
        }
        (_, label) => label,
    };
    let seats = |issues: &mut RowIssues, i: usize| -> u32 {
        let c = &COLUMNS[i];
        match issues.required(c, v[i]) {
            Some(s) if s.len() <= 2 && fields::all_digits(s) => s.parse().unwrap_or(0),
            Some(s) => {
                issues.push(
                    Some(c),
                    Rule::Seats,
                    Outcome::Blocking,
                    s,
                    None,
                    format!("{} : nombre de 0 à 99 attendu", c.name),
                );
                0
            }
            None => 0,
        }
    };
    let seats_ccir = seats(issues, 6);
    let seats_ccit = seats(issues, 7);
    if seats_ccir == 0 && seats_ccit == 0 && !v[6].is_empty() && !v[7].is_empty() {
        issues.push(
            Some(&COLUMNS[7]),
            Rule::NoSeats,
            Outcome::Blocking,
            "0",
            None,
            "aucun siège CCIR ni CCIT : ce scrutin n'a rien à élire".to_owned(),
        );
    }
    let site_title = required(issues, 8);
    let label_ccir = optional(issues, 9);
    let label_ccit = optional(issues, 10);
    let category_type_label = required(issues, 11);
    let seat_label_1 = optional(issues, 12);
    let seat_label_2 = required(issues, 13);
    let seat_label_3 = required(issues, 14);
    let ballot_title_ccir = optional(issues, 15);
    if seats_ccir > 0 && ballot_title_ccir.is_none() {
        issues.push(
            Some(&COLUMNS[15]),
            Rule::BallotTitleRequired,
            Outcome::Blocking,
            "",
            None,
            "des sièges CCIR sont à pourvoir : le titre du bulletin 1 (élection CCIR) est obligatoire".to_owned(),
        );
    }
    let ballot_title_ccit = required(issues, 16);
    let assistance_message = optional(issues, 17);
    let phone = optional(issues, 18);
    let email = optional(issues, 19);
    if let Some(e) = &email
        && !fields::email_is_valid(e)
    {
        issues.push(
            Some(&COLUMNS[19]),
            Rule::Email,
            Outcome::Blocking,
            e,
            None,
            "adresse électronique de la CCI de forme invalide (a@a.a attendu)".to_owned(),
        );
    }
    let statements_url = required(issues, 20);
    let r731_8 = match issues.required(&COLUMNS[21], v[21]) {
        Some(s) if s.eq_ignore_ascii_case("true") => true,
        Some(s) if s.eq_ignore_ascii_case("false") => false,
        Some(s) => {
            issues.push(
                Some(&COLUMNS[21]),
                Rule::Flag,
                Outcome::Blocking,
                s,
                None,
                "R731-8 : « true » ou « false » attendu".to_owned(),
            );
            false
        }
        None => false,
    };
    Some(ScrutinDefinition {
        chamber: chamber?,
        chamber_label,
        category: category?,
        category_label,
        sub_category,
        sub_category_label,
        seats_ccir,
        seats_ccit,
        site_title,
        label_ccir,
        label_ccit,
        category_type_label,
        seat_label_1,
        seat_label_2,
        seat_label_3,
        ballot_title_ccir,
        ballot_title_ccit,
        assistance_message,
        phone,
        email,
        statements_url,
        r731_8,
    })
}
