//! Voter file reading beyond the one-rule fixtures: real-world CSV variants, the
//! sub-category rule, limits, streaming callback, encodings giving the same control list.
#![allow(clippy::unwrap_used)] // test helpers

use std::ops::ControlFlow;

use scrutin_election::generator;
use scrutin_election::input::{EncodingChoice, ReadOptions};
use scrutin_election::{
    BirthDate, ImportError, Outcome, Rule, Structure, read_structure, read_voter_records,
    read_voters, validate_voters,
};

const STRUCTURE: &str = "\
CODE CCI;LIBELLE CCI;CODE CATEGORIE;LIBELLE CATEGORIE;CODE SOUS CATEGORIE;LIBELLE SOUS CATEGORIE;NB SIEGES CCIR;NB SIEGES CCIT;TITRE SITE DE VOTE;BULLETIN DE VOTE LIBELLE CCIR;BULLETIN DE VOTE LIBELLE CCIT;BULLETIN DE VOTE LIBELLE TYPE CATEGORIE;BULLETIN DE VOTE LIBELLE SIEGE 1;BULLETIN DE VOTE LIBELLE SIEGE 2;BULLETIN DE VOTE LIBELLE SIEGE 3;BULLETIN DE VOTE TITRE BULLETIN 1;BULLETIN DE VOTE TITRE BULLETIN 2;MESSAGE ASSISTANCE;TELEPHONE CCI;EMAIL CCI;URL SITE CCI PF;R731-8
011;CCI de l'Ain;C;Commerce;;;2;8;Élections 2026;CCIR;CCI de l'Ain;Catégorie;CCIR;CCIT;CCIT;CCIR et CCIT;CCIT;;;;www.ain.cci.fr;false
381;CCI de Grenoble;S;Services;S1;moins de 10;1;5;Élections 2026;CCIR;CCI Grenoble;Sous-catégorie;CCIR;CCIT;CCIT;CCIR et CCIT;CCIT;;;;www.grenoble.cci.fr;false
381;CCI de Grenoble;S;Services;S2;10 et plus;1;5;Élections 2026;CCIR;CCI Grenoble;Sous-catégorie;CCIR;CCIT;CCIT;CCIR et CCIT;CCIT;;;;www.grenoble.cci.fr;false
";

fn structure() -> Structure {
    let i = read_structure(STRUCTURE.as_bytes(), &ReadOptions::default()).unwrap();
    assert!(i.report.is_loadable(), "{}", i.report.to_text());
    i.structure.unwrap()
}

/// A valid row with the given chamber, category, sub-category, number and extra tail
/// edits applied as (column, value).
fn row(ch: &str, cat: &str, sub: &str, num: u32, edits: &[(usize, &str)]) -> Vec<String> {
    let mut v: Vec<String> = vec![
        ch,
        "",
        cat,
        sub,
        "",
        "",
        "MME",
        "DURAND",
        "Hélène",
        "12051968",
        "DURAND",
        "",
        "",
        "123456789",
        "00012",
        "",
        "",
        "",
        "A",
        "MME DURAND Hélène",
        "",
        "",
        "3 RUE DU LAC",
        "",
        "01000",
        "BOURG-EN-BRESSE",
        "",
        "MME DURAND Hélène",
        "",
        "",
        "3 RUE DU LAC",
        "",
        "01000",
        "BOURG-EN-BRESSE",
        "",
        "",
        "",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    v[4] = format!("{num:010}");
    for (col, val) in edits {
        v[col - 1] = (*val).to_owned();
    }
    v
}

fn file(rows: &[Vec<String>], delim: &str) -> String {
    rows.iter()
        .map(|r| r.join(delim))
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[test]
fn sub_category_is_ignored_without_sub_categories_and_required_with() {
    let s = structure();
    let text = file(
        &[
            row("011", "C", "Z9", 1, &[]),
            row("381", "S", "S2", 1, &[]),
            row("381", "S", "", 2, &[]),
        ],
        ";",
    );
    let (rows, import) = read_voter_records(&s, text.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].sub_category, None);
    assert_eq!(rows[0].scrutin, "011-C");
    assert_eq!(rows[1].sub_category.as_deref(), Some("S2"));
    assert_eq!(rows[1].voter_id.to_string(), "3810000000001");
    let issue = &import.report.issues[0];
    assert_eq!((issue.line, issue.rule), (3, Rule::SubCategoryRequired));
    assert_eq!(import.report.by_scrutin["381-S-S2"].accepted, 1);
    assert_eq!(import.report.by_scrutin["?"].refused, 1);
    // Same elector number in two chambers: two distinct system-wide ids, both valid.
    assert_eq!(import.control.len(), 2);
}

#[test]
fn delimiters_quotes_trailing_delimiters_and_header_variants() {
    let s = structure();
    for (delim, opts) in [
        ("\t", ReadOptions::default()),
        (",", ReadOptions::default()),
        (
            "|",
            ReadOptions {
                delimiter: Some(b'|'),
                ..ReadOptions::default()
            },
        ),
    ] {
        let mut r = row("011", "C", "", 1, &[(23, "3, RUE \"DU\" LAC")]);
        // Quote the field that holds delimiters and quotes, as spreadsheets do.
        r[22] = format!("\"{}\"", r[22].replace('"', "\"\""));
        let text = format!("{}{delim}\n", file(&[r], delim));
        let (rows, import) = read_voter_records(&s, text.as_bytes(), &opts).unwrap();
        assert!(
            import.report.is_loadable(),
            "{delim}: {}",
            import.report.to_text()
        );
        assert_eq!(rows[0].mailing.street.as_deref(), Some("3, RUE \"DU\" LAC"));
        assert!(!import.report.header);
    }
    // A header with other names: read by position, with a warning.
    let mut header = scrutin_election::voters::header().join(";");
    header = header.replace("NOM D'USAGE", "NOM");
    let text = format!("{header}\r\n{}", file(&[row("011", "C", "", 1, &[])], ";"));
    let import = validate_voters(&s, text.as_bytes(), &ReadOptions::default()).unwrap();
    assert!(import.report.is_loadable());
    assert_eq!(import.report.issues[0].rule, Rule::Header);
    assert_eq!(import.report.issues[0].outcome, Outcome::Warning);
    assert_eq!(import.report.accepted, 1);
}

#[test]
fn unknown_birth_date_and_postcode_country_rule() {
    let s = structure();
    let text = file(
        &[
            row("011", "C", "", 1, &[(10, "01011901")]),
            row("011", "C", "", 2, &[(25, "CH-1204"), (27, "Suisse")]),
            row("011", "C", "", 3, &[(25, "CH-1204"), (27, "france")]),
            row("011", "C", "", 4, &[(33, ""), (35, "BELGIQUE")]),
        ],
        ";",
    );
    let (rows, import) = read_voter_records(&s, text.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(rows[0].birth_date, BirthDate::Unknown);
    assert_eq!(rows.len(), 3);
    assert_eq!(import.report.issues.len(), 1);
    assert_eq!(
        (import.report.issues[0].line, import.report.issues[0].rule),
        (3, Rule::ExactLength)
    );
}

#[test]
fn listing_limit_bounds_the_report_but_counts_everything() {
    let s = structure();
    let rows: Vec<_> = (1..=50)
        .map(|n| row("011", "C", "", n, &[(7, "Mme")]))
        .collect();
    let opts = ReadOptions {
        max_listed_issues: 5,
        ..ReadOptions::default()
    };
    let import = validate_voters(&s, file(&rows, ";").as_bytes(), &opts).unwrap();
    assert_eq!(import.report.issues.len(), 5);
    assert_eq!(import.report.unlisted, 45);
    assert_eq!(import.report.counts.blocking, 50);
    assert_eq!(import.report.by_rule["civility"].blocking, 50);
    assert_eq!(import.report.refused, 50);
}

#[test]
fn the_callback_sees_accepted_rows_and_can_stop() {
    let s = structure();
    let rows: Vec<_> = (1..=10)
        .map(|n| row("011", "C", "", n, if n == 4 { &[(8, "")] } else { &[] }))
        .collect();
    let text = file(&rows, ";");
    let mut seen = Vec::new();
    read_voters(&s, text.as_bytes(), &ReadOptions::default(), |r| {
        seen.push(r.line);
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(seen, [1, 2, 3, 5, 6, 7, 8, 9, 10]);
    let mut count = 0;
    let err = read_voters(&s, text.as_bytes(), &ReadOptions::default(), |_| {
        count += 1;
        if count == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap_err();
    assert!(matches!(err, ImportError::Interrupted));
}

#[test]
fn utf8_and_windows_1252_copies_of_a_file_give_the_same_control_list() {
    let mut st = Vec::new();
    generator::write_structure(&mut st).unwrap();
    let s = read_structure(&st[..], &ReadOptions::default())
        .unwrap()
        .structure
        .unwrap();
    let mut utf8 = Vec::new();
    generator::write_voters(&mut utf8, 20_000, 3).unwrap();
    let text = String::from_utf8(utf8.clone()).unwrap();
    let (cp1252, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(&utf8);
    let a = validate_voters(&s, &utf8[..], &ReadOptions::default()).unwrap();
    let b = validate_voters(&s, &cp1252[..], &ReadOptions::default()).unwrap();
    let c = validate_voters(&s, &bom[..], &ReadOptions::default()).unwrap();
    let forced = ReadOptions {
        encoding: EncodingChoice::Windows1252,
        ..ReadOptions::default()
    };
    let d = validate_voters(&s, &cp1252[..], &forced).unwrap();
    assert_eq!(a.report.encoding, "UTF-8");
    assert_eq!(b.report.encoding, "Windows-1252");
    assert_eq!(c.report.encoding, "UTF-8 (BOM)");
    for other in [&b, &c, &d] {
        assert!(other.report.is_loadable());
        assert_eq!(other.control, a.control);
        assert_eq!(other.control[0].digest, a.control[0].digest);
    }
    assert_eq!(a.report.accepted, 20_000);
    // The spot check is reproducible from the seed alone.
    let p = scrutin_election::SamplingParams::default();
    let s1 = a.control[0].spot_check("CELE 2026-09-01 séance 1", &p);
    let s2 = d.control[0].spot_check("CELE 2026-09-01 séance 1", &p);
    assert_eq!(s1, s2);
    assert_eq!(s1.sample_size, 530);
}
