//! Cell-level checks shared by the three CCI files: trimming, lengths in characters,
//! truncation, digits, e-mail form, header recognition. Each check records its issue in
//! the row's [`RowIssues`] with the outcome the annex gives.

use crate::report::{ImportReport, Issue, Outcome, Rule};

/// A column of a CCI file: its number in the annex, its name and its maximum length in
/// characters.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Col {
    pub index: u16,
    pub name: &'static str,
    pub max: usize,
}

/// The issues of one row.
#[derive(Debug, Default)]
pub(crate) struct RowIssues {
    pub line: u64,
    pub issues: Vec<Issue>,
    pub blocking: bool,
}

impl RowIssues {
    pub fn new(line: u64) -> Self {
        RowIssues {
            line,
            issues: Vec::new(),
            blocking: false,
        }
    }

    pub fn push(
        &mut self,
        col: Option<&Col>,
        rule: Rule,
        outcome: Outcome,
        value: &str,
        kept: Option<&str>,
        message: String,
    ) {
        if outcome == Outcome::Blocking {
            self.blocking = true;
        }
        self.issues.push(Issue {
            line: self.line,
            column: col.map(|c| c.index),
            column_name: col.map(|c| c.name.to_owned()),
            rule,
            value: value.to_owned(),
            kept: kept.map(str::to_owned),
            outcome,
            message,
        });
    }

    /// Mandatory value: blocking when empty.
    pub fn required<'a>(&mut self, col: &Col, v: &'a str) -> Option<&'a str> {
        if v.is_empty() {
            self.push(
                Some(col),
                Rule::Required,
                Outcome::Blocking,
                v,
                None,
                format!("la donnée {} est obligatoire", col.name),
            );
            None
        } else {
            Some(v)
        }
    }

    /// Longer than the column allows: non-blocking, truncated at import.
    pub fn truncate<'a>(&mut self, col: &Col, v: &'a str) -> &'a str {
        match prefix_chars(v, col.max) {
            None => v,
            Some(kept) => {
                self.push(
                    Some(col),
                    Rule::MaxLength,
                    Outcome::Truncated,
                    v,
                    Some(kept),
                    format!(
                        "{} : {} caractères au maximum ; la valeur est tronquée à l'import",
                        col.name, col.max
                    ),
                );
                kept
            }
        }
    }

    /// Longer than the column allows: blocking (files where truncation is not allowed).
    pub fn max_blocking<'a>(&mut self, col: &Col, v: &'a str) -> &'a str {
        if prefix_chars(v, col.max).is_some() {
            self.push(
                Some(col),
                Rule::MaxLength,
                Outcome::Blocking,
                v,
                None,
                format!("{} : {} caractères au maximum", col.name, col.max),
            );
        }
        v
    }

    /// Longer than the column allows: warning, value kept whole (labels printed on the
    /// ballot, where a cut title would be worse than a long one).
    pub fn max_warning<'a>(&mut self, col: &Col, v: &'a str) -> &'a str {
        if prefix_chars(v, col.max).is_some() {
            self.push(
                Some(col),
                Rule::MaxLength,
                Outcome::Warning,
                v,
                None,
                format!(
                    "{} : {} caractères au maximum selon l'annexe ({} ici) ; le libellé est conservé en entier, vérifiez son affichage",
                    col.name,
                    col.max,
                    char_len(v)
                ),
            );
        }
        v
    }

    /// Optional value: `None` when empty.
    pub fn optional(v: &str) -> Option<&str> {
        (!v.is_empty()).then_some(v)
    }

    /// Moves the row's issues into the report.
    pub fn drain_into(&mut self, report: &mut ImportReport, limit: usize) {
        if self.issues.is_empty() {
            return;
        }
        for issue in self.issues.drain(..) {
            report.push(issue, limit);
        }
    }
}

/// The first `max` characters of `s` (trailing spaces removed) if `s` is longer, else
/// `None`.
pub(crate) fn prefix_chars(s: &str, max: usize) -> Option<&str> {
    if s.len() <= max {
        return None; // bytes ≥ characters
    }
    s.char_indices()
        .nth(max)
        .map(|(byte, _)| s[..byte].trim_end())
}

/// Number of characters.
pub(crate) fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

pub(crate) fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The e-mail rule of annex §7.1.3 column 36 (also used for the users file): form
/// `a@a.a`; 5 to 255 characters; exactly one `@`; each of the three parts (local part,
/// domain name, last label) starts with `[A-Za-z0-9_]` and continues with
/// `[A-Za-z0-9_.+-]`.
pub fn email_is_valid(s: &str) -> bool {
    let len = s.len();
    if !(5..=255).contains(&len) || !s.is_ascii() {
        return false;
    }
    let mut at = s.split('@');
    let (Some(local), Some(domain), None) = (at.next(), at.next(), at.next()) else {
        return false;
    };
    let Some((host, tld)) = domain.rsplit_once('.') else {
        return false;
    };
    [local, host, tld].iter().all(|part| email_part_ok(part))
}

fn email_part_ok(part: &str) -> bool {
    let mut bytes = part.bytes();
    match bytes.next() {
        Some(b) if b.is_ascii_alphanumeric() || b == b'_' => {}
        _ => return false,
    }
    bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'+'))
}

/// Normalises a header name for comparison: upper case, no accents, apostrophes,
/// underscores and repeated spaces folded.
pub(crate) fn normalise_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.trim().chars() {
        let c = match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' | 'Ä' => 'A',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'E',
            'î' | 'ï' | 'Î' | 'Ï' => 'I',
            'ô' | 'ö' | 'Ô' | 'Ö' => 'O',
            'ù' | 'û' | 'ü' | 'Ù' | 'Û' | 'Ü' => 'U',
            'ç' | 'Ç' => 'C',
            '_' | '\'' | '’' | '.' => ' ',
            c => c.to_ascii_uppercase(),
        };
        if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Compares a header row with the expected names; returns the differing positions as a
/// warning issue (columns are read by position, so names only inform).
pub(crate) fn header_issue(line: u64, found: &[&str], expected: &[&str]) -> Option<Issue> {
    let mut diffs = Vec::new();
    for (i, name) in expected.iter().enumerate() {
        let got = found.get(i).copied().unwrap_or("");
        if normalise_header(got) != normalise_header(name) {
            diffs.push(format!("{} « {} » au lieu de « {} »", i + 1, got, name));
        }
    }
    if diffs.is_empty() {
        return None;
    }
    Some(Issue {
        line,
        column: None,
        column_name: None,
        rule: Rule::Header,
        value: String::new(),
        kept: None,
        outcome: Outcome::Warning,
        message: format!(
            "noms de colonnes inattendus (les colonnes sont lues dans l'ordre de l'annexe) : {}",
            diffs.join(" ; ")
        ),
    })
}

/// The fields of a record without the trailing empty ones beyond `expected` (a trailing
/// delimiter is common in spreadsheet exports).
pub(crate) fn effective_len(record: &csv::ByteRecord, expected: usize) -> usize {
    let mut n = record.len();
    while n > expected && record.get(n - 1).is_some_and(|f| f.trim_ascii().is_empty()) {
        n -= 1;
    }
    n
}

/// Splits a record into trimmed UTF-8 cells with one validation pass over the whole
/// record; a record with invalid bytes falls back to cell by cell, so the report can name
/// the cell. `Err((index, lossy))` for the first invalid cell.
pub(crate) fn cells<'r>(
    record: &'r csv::ByteRecord,
    n: usize,
    out: &mut [&'r str],
) -> Result<(), (usize, String)> {
    if let Ok(whole) = std::str::from_utf8(record.as_slice()) {
        let mut start = 0;
        let mut ok = true;
        for (i, f) in record.iter().take(n).enumerate() {
            match whole.get(start..start + f.len()) {
                Some(s) => out[i] = s.trim(),
                None => {
                    ok = false;
                    break;
                }
            }
            start += f.len();
        }
        if ok {
            return Ok(());
        }
    }
    for (i, f) in record.iter().take(n).enumerate() {
        out[i] = field(f).map_err(|lossy| (i, lossy))?;
    }
    Ok(())
}

/// Decodes one field as UTF-8 and trims it (Unicode white space, no-break space
/// included). `Err` carries a lossy rendering for the report.
pub(crate) fn field(raw: &[u8]) -> Result<&str, String> {
    match std::str::from_utf8(raw) {
        Ok(s) => Ok(s.trim()),
        Err(_) => Err(String::from_utf8_lossy(raw).trim().to_owned()),
    }
}

/// Pushes a column-count issue.
pub(crate) fn column_count_issue(row: &mut RowIssues, found: usize, expected: usize) {
    row.push(
        None,
        Rule::ColumnCount,
        Outcome::Blocking,
        "",
        None,
        format!("{found} colonnes sur cette ligne, {expected} attendues (séparateur ou guillemet manquant ?)"),
    );
}

/// Pushes an encoding issue.
pub(crate) fn encoding_issue(row: &mut RowIssues, col: &Col, lossy: &str) {
    row.push(
        Some(col),
        Rule::Encoding,
        Outcome::Blocking,
        lossy,
        None,
        "caractères illisibles dans l'encodage du fichier (UTF-8 attendu ici) : réenregistrez le fichier en UTF-8 ou précisez l'encodage".to_owned(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_rule_as_written() {
        for ok in [
            "a@a.a",
            "jean.dupont@cci.fr",
            "_x+tag@mail.cci-paris.fr",
            "A1@B2.C3",
        ] {
            assert!(email_is_valid(ok), "{ok}");
        }
        for bad in [
            "a@a",
            "a@@a.a",
            "a@b@c.d",
            ".a@a.a",
            "a@-a.a",
            "a@a.-a",
            "a@a.",
            "jean dupont@cci.fr",
            "jéan@cci.fr",
            "a@.a",
            "@a.a",
            "a@a.a,",
        ] {
            assert!(!email_is_valid(bad), "{bad}");
        }
        assert!(!email_is_valid(&format!("{}@a.fr", "a".repeat(252))));
        assert!(email_is_valid(&format!("{}@a.fr", "a".repeat(250))));
    }

    #[test]
    fn truncation_counts_characters_not_bytes() {
        assert_eq!(prefix_chars("Hélène", 6), None);
        assert_eq!(prefix_chars("Hélène", 3), Some("Hél"));
        assert_eq!(prefix_chars("AB CD", 3), Some("AB"));
        assert_eq!(char_len("Hélène"), 6);
    }

    #[test]
    fn cells_catch_a_character_split_across_two_cells() {
        let mut rec = csv::ByteRecord::new();
        rec.push_field(b" ab\xC3");
        rec.push_field(b"\xA9cd ");
        let mut out = [""; 2];
        let err = cells(&rec, 2, &mut out).unwrap_err();
        assert_eq!(err.0, 0);
        let mut ok = csv::ByteRecord::new();
        ok.push_field(" Hélène ".as_bytes());
        ok.push_field(b"x");
        cells(&ok, 2, &mut out).unwrap();
        assert_eq!(out, ["Hélène", "x"]);
    }

    #[test]
    fn header_names_compare_loosely() {
        assert_eq!(normalise_header(" nom_d’usage "), "NOM D USAGE");
        assert_eq!(normalise_header("Catégorie"), "CATEGORIE");
        assert!(
            header_issue(
                1,
                &["Code CCI", "LIBELLE_CCI"],
                &["CODE CCI", "LIBELLE CCI"]
            )
            .is_none()
        );
        assert!(header_issue(1, &["CODE", "LIBELLE CCI"], &["CODE CCI", "LIBELLE CCI"]).is_some());
    }
}
