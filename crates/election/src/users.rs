//! The authorised-users file (annex §7.1.4; ): one row per user of the control
//! interface with their group and perimeter (chamber codes, or `NATIONAL`).
//!
//! The annex gives no outcomes for this file; it grants access rights, so nothing is
//! truncated or guessed: every breach is blocking.

use std::collections::HashMap;
use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::error::ImportError;
use crate::fields::{self, Col, RowIssues};
use crate::ids::ChamberCode;
use crate::input::{CsvSource, ReadOptions};
use crate::report::{FileKind, ImportReport, Outcome, Rule};
use crate::structure::Structure;

const fn col(index: u16, name: &'static str, max: usize) -> Col {
    Col { index, name, max }
}

pub(crate) const COLUMNS: [Col; 5] = [
    col(1, "GROUPE", 10),
    col(2, "NOM", 50),
    col(3, "PRENOM", 50),
    col(4, "EMAIL", 100),
    col(5, "PERIMETRE", 50),
];

/// The expected header names.
pub fn header() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.name).collect()
}

/// Which chambers a user may act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Perimeter {
    /// Every chamber (`NATIONAL`): needs stronger authentication.
    National,
    /// These chambers.
    Chambers(Vec<ChamberCode>),
}

impl Perimeter {
    /// Whether the perimeter includes a chamber.
    pub fn includes(&self, chamber: &ChamberCode) -> bool {
        match self {
            Perimeter::National => true,
            Perimeter::Chambers(list) => list.contains(chamber),
        }
    }

    /// Parses `NATIONAL` or `973,175`.
    pub fn parse(s: &str) -> Option<Perimeter> {
        if s.eq_ignore_ascii_case("NATIONAL") {
            return Some(Perimeter::National);
        }
        let mut out = Vec::new();
        for part in s.split(',') {
            let code = ChamberCode::parse(part.trim()).ok()?;
            if !out.contains(&code) {
                out.push(code);
            }
        }
        (!out.is_empty()).then_some(Perimeter::Chambers(out))
    }
}

/// One authorised user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorisedUser {
    /// Line in the file.
    pub line: u64,
    /// A GROUPE (authorisation group).
    pub group: String,
    /// B NOM.
    pub last_name: String,
    /// C PRENOM.
    pub first_name: String,
    /// D EMAIL (unique).
    pub email: String,
    /// E PERIMETRE.
    pub perimeter: Perimeter,
}

/// The result of reading a users file.
#[derive(Clone, Debug)]
pub struct UsersImport {
    /// Every issue.
    pub report: ImportReport,
    /// The accepted users (use them only when the report is loadable).
    pub users: Vec<AuthorisedUser>,
}

/// Reads and validates a users file. With a structure, perimeter chamber codes must be
/// chambers of the election.
pub fn read_users<R: Read>(
    input: R,
    structure: Option<&Structure>,
    options: &ReadOptions,
) -> Result<UsersImport, ImportError> {
    let mut source = CsvSource::open(input, options)?;
    let limit = options.max_listed_issues;
    let mut report = ImportReport::new(
        FileKind::Users,
        String::new(),
        char::from(source.delimiter()),
        false,
    );
    let mut record = csv::ByteRecord::new();
    let mut users = Vec::new();
    let mut emails: HashMap<String, u64> = HashMap::new();
    let mut first = true;
    while let Some(line) = source.next(&mut record)? {
        // An unquoted perimeter "973,175" in a comma-delimited file spreads over extra
        // columns: the perimeter is the last column, so they are joined back.
        let mut values: Vec<String> = Vec::with_capacity(COLUMNS.len());
        let mut bad_encoding = None;
        for (i, raw) in record.iter().enumerate() {
            match fields::field(raw) {
                Ok(s) => values.push(s.to_owned()),
                Err(lossy) => {
                    bad_encoding.get_or_insert((i.min(4), lossy));
                    values.push(String::new());
                }
            }
        }
        while values.len() > COLUMNS.len() && values.last().is_some_and(String::is_empty) {
            values.pop();
        }
        if values.len() > COLUMNS.len() && source.delimiter() == b',' {
            let joined = values[4..].join(",");
            values.truncate(4);
            values.push(joined);
        }
        if first {
            first = false;
            let is_header = fields::normalise_header(&values[0]) == "GROUPE";
            if values.len() != COLUMNS.len() && (is_header || values.len() < 3) {
                return Err(ImportError::WrongFileKind {
                    kind: FileKind::Users.label_fr(),
                    found: values.len(),
                    expected: COLUMNS.len(),
                });
            }
            if is_header {
                report.header = true;
                let names: Vec<&str> = values.iter().map(String::as_str).collect();
                if let Some(issue) = fields::header_issue(line, &names, &header()) {
                    report.push(issue, limit);
                }
                continue;
            }
        }
        let mut issues = RowIssues::new(line);
        let user = check_row(&values, bad_encoding, line, structure, &mut issues);
        let mut accepted = !issues.blocking;
        if let Some(u) = &user {
            let key = u.email.to_ascii_lowercase();
            if let Some(&first_line) = emails.get(&key) {
                issues.push(
                    Some(&COLUMNS[3]),
                    Rule::DuplicateEmail,
                    Outcome::Blocking,
                    &u.email,
                    None,
                    format!("adresse déjà utilisée ligne {first_line} : un compte par personne"),
                );
                accepted = false;
            } else {
                emails.insert(key, line);
            }
        }
        report.count_row(None, accepted && user.is_some());
        issues.drain_into(&mut report, limit);
        if let (Some(u), true) = (user, accepted) {
            users.push(u);
        }
    }
    report.by_scrutin.clear();
    report.encoding = source.encoding().label().to_owned();
    Ok(UsersImport { report, users })
}

fn check_row(
    v: &[String],
    bad_encoding: Option<(usize, String)>,
    line: u64,
    structure: Option<&Structure>,
    issues: &mut RowIssues,
) -> Option<AuthorisedUser> {
    if v.len() != COLUMNS.len() {
        fields::column_count_issue(issues, v.len(), COLUMNS.len());
        return None;
    }
    if let Some((i, lossy)) = bad_encoding {
        fields::encoding_issue(issues, &COLUMNS[i], &lossy);
        return None;
    }
    let text = |issues: &mut RowIssues, i: usize| -> Option<String> {
        let c = &COLUMNS[i];
        issues
            .required(c, &v[i])
            .map(|s| issues.max_blocking(c, s).to_owned())
    };
    let group = text(issues, 0);
    let last_name = text(issues, 1);
    let first_name = text(issues, 2);
    let email = text(issues, 3).and_then(|e| {
        if fields::email_is_valid(&e) {
            Some(e)
        } else {
            issues.push(
                Some(&COLUMNS[3]),
                Rule::Email,
                Outcome::Blocking,
                &e,
                None,
                "adresse électronique invalide : forme a@a.a attendue".to_owned(),
            );
            None
        }
    });
    let perimeter = text(issues, 4).and_then(|p| match Perimeter::parse(&p) {
        None => {
            issues.push(
                Some(&COLUMNS[4]),
                Rule::Perimeter,
                Outcome::Blocking,
                &p,
                None,
                "périmètre : « NATIONAL » ou codes CCI à 3 chiffres séparés par des virgules"
                    .to_owned(),
            );
            None
        }
        Some(Perimeter::Chambers(codes)) => {
            if let Some(s) = structure {
                for code in &codes {
                    if !s.has_chamber(code.as_str()) {
                        issues.push(
                            Some(&COLUMNS[4]),
                            Rule::UnknownChamber,
                            Outcome::Blocking,
                            code.as_str(),
                            None,
                            format!(
                                "le code CCI {code} ne figure pas dans la structure électorale"
                            ),
                        );
                    }
                }
            }
            Some(Perimeter::Chambers(codes))
        }
        Some(p) => Some(p),
    });
    if issues.blocking {
        return None;
    }
    Some(AuthorisedUser {
        line,
        group: group?,
        last_name: last_name?,
        first_name: first_name?,
        email: email?,
        perimeter: perimeter?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perimeter_forms() {
        assert_eq!(Perimeter::parse("national"), Some(Perimeter::National));
        let p = Perimeter::parse("973, 175,973").unwrap();
        assert_eq!(
            p,
            Perimeter::Chambers(vec![
                ChamberCode::parse("973").unwrap(),
                ChamberCode::parse("175").unwrap()
            ])
        );
        assert!(p.includes(&ChamberCode::parse("175").unwrap()));
        assert!(!p.includes(&ChamberCode::parse("011").unwrap()));
        assert_eq!(Perimeter::parse("97,175"), None);
        assert_eq!(Perimeter::parse(""), None);
        assert_eq!(Perimeter::parse("973;175"), None);
    }
}
