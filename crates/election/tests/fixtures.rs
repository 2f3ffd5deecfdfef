//! The sample files of `fixtures/` load cleanly, and each broken file produces exactly the
//! issue `fixtures/broken/expected.csv` says (rule, line, column, outcome), R-10…R-13.
#![allow(clippy::unwrap_used)] // test helpers

use std::fs::File;
use std::path::PathBuf;

use scrutin_election::candidates::validate_candidates;
use scrutin_election::input::{EncodingChoice, ReadOptions};
use scrutin_election::report::{ImportReport, Outcome};
use scrutin_election::{
    CandidateFile, Election, ImportError, Perimeter, Structure, read_structure, read_users,
    read_voter_records, validate_voters,
};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn open(name: &str) -> File {
    File::open(fixtures().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn structure() -> Structure {
    let import = read_structure(open("structure.csv"), &ReadOptions::default()).unwrap();
    assert!(import.report.is_loadable(), "{}", import.report.to_text());
    import.structure.unwrap()
}

#[test]
fn structure_sample_loads_with_its_contests() {
    let import = read_structure(open("structure.csv"), &ReadOptions::default()).unwrap();
    let r = &import.report;
    assert_eq!(r.encoding, "UTF-8 (BOM)");
    assert!(r.header);
    assert_eq!((r.rows, r.accepted, r.counts.blocking), (15, 15, 0));
    assert_eq!(r.issues, vec![], "{}", r.to_text());
    let s = import.structure.unwrap();
    assert_eq!(s.scrutins().len(), 15);
    // 011: 3 × 2; 381: 3 pooled CCIR + 6 CCIT; 741: 3 × 2; 971 (DROM): 3 CCIT only.
    assert_eq!(s.contests().len(), 6 + 9 + 6 + 3);
    let pooled: Vec<_> = s
        .contests()
        .iter()
        .filter(|c| c.pooled)
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(pooled, ["381-C/CCIR", "381-I/CCIR", "381-S/CCIR"]);
    assert!(
        s.contests()
            .iter()
            .filter(|c| c.chamber.as_str() == "971")
            .all(|c| c.kind == scrutin_election::ContestKind::Ccit)
    );
}

fn check_voters(
    file: &str,
    encoding: &str,
    delimiter: char,
    header: bool,
    rows: u64,
) -> ImportReport {
    let s = structure();
    let (records, import) = read_voter_records(&s, open(file), &ReadOptions::default()).unwrap();
    let r = import.report;
    assert_eq!(r.encoding, encoding, "{file}");
    assert_eq!(r.delimiter, delimiter, "{file}");
    assert_eq!(r.header, header, "{file}");
    assert_eq!(r.rows, rows, "{file}");
    assert_eq!(
        r.counts.blocking + r.counts.truncated,
        0,
        "{file}: {}",
        r.to_text()
    );
    assert_eq!(records.len() as u64, rows);
    assert_eq!(import.control.len(), 1);
    assert_eq!(import.control[0].total, rows);
    r
}

#[test]
fn voter_samples_load_in_every_real_world_form() {
    check_voters("voters-011.csv", "UTF-8 (BOM)", ';', true, 24);
    check_voters("voters-381.csv", "Windows-1252", ';', true, 25);
    check_voters("voters-741.csv", "UTF-8", ',', true, 20);
    check_voters("voters-971.csv", "UTF-8", ';', false, 16);
}

#[test]
fn windows_1252_names_are_decoded() {
    let s = structure();
    let (records, _) =
        read_voter_records(&s, open("voters-381.csv"), &ReadOptions::default()).unwrap();
    assert!(records.iter().any(|r| r.usage_name.contains('É')
        || r.usage_name.contains('È')
        || r.mailing.city.contains('È')
        || r.mailing.city.contains('É')));
    // Read as UTF-8 by force, the same file has unreadable bytes: blocking encoding issues.
    let forced = ReadOptions {
        encoding: EncodingChoice::Utf8,
        ..ReadOptions::default()
    };
    let import = validate_voters(&s, open("voters-381.csv"), &forced).unwrap();
    assert!(import.report.by_rule["encoding"].blocking > 0);
}

#[test]
fn sub_categories_delegations_and_several_rights() {
    let s = structure();
    let (v381, import) =
        read_voter_records(&s, open("voters-381.csv"), &ReadOptions::default()).unwrap();
    assert!(v381.iter().all(|r| r.sub_category.is_some()));
    let counts = &import.control[0].by_scrutin;
    assert_eq!(counts.len(), 6);
    assert_eq!(counts.iter().map(|c| c.rights).sum::<u64>(), 25);
    assert_eq!(counts[0].scrutin.as_str(), "381-C-C1");
    assert_eq!(counts[0].rights, 6);

    let (v741, _) =
        read_voter_records(&s, open("voters-741.csv"), &ReadOptions::default()).unwrap();
    assert!(v741.iter().any(|r| r.delegation.as_deref() == Some("CHB")));
    assert!(v741.iter().all(|r| r.sub_category.is_none()));

    // one person, several qualities, several rights with distinct ids.
    let (v011, _) =
        read_voter_records(&s, open("voters-011.csv"), &ReadOptions::default()).unwrap();
    let mut by_person: std::collections::HashMap<(String, Option<String>, String), Vec<&str>> =
        Default::default();
    for r in &v011 {
        by_person
            .entry((
                r.usage_name.clone(),
                r.first_name.clone(),
                r.birth_date.to_jjmmaaaa(),
            ))
            .or_default()
            .push(r.scrutin.as_str());
    }
    let several: Vec<_> = by_person.values().filter(|v| v.len() > 1).collect();
    assert!(several.len() >= 2, "{by_person:?}");
    assert!(
        several
            .iter()
            .any(|v| v.contains(&"011-C") && v.contains(&"011-S"))
    );
    // A foreign mailing address needs no French postcode.
    assert!(
        v011.iter()
            .any(|r| r.mailing.country.as_deref() == Some("SUISSE"))
    );
}

#[test]
fn control_list_digest_is_the_documented_normalised_list() {
    use sha2::{Digest, Sha256};
    let s = structure();
    let (records, import) =
        read_voter_records(&s, open("voters-971.csv"), &ReadOptions::default()).unwrap();
    let mut lines: Vec<String> = records
        .iter()
        .map(|r| {
            format!(
                "{};{};{};{};{};{}\n",
                r.voter_id,
                r.category,
                r.sub_category.as_deref().unwrap_or(""),
                r.delegation.as_deref().unwrap_or(""),
                r.birth_date.to_jjmmaaaa(),
                r.usage_name
            )
        })
        .collect();
    lines.sort();
    let digest = hex::encode(Sha256::digest(lines.concat().as_bytes()));
    assert_eq!(import.control[0].digest, digest);
    // The order of rows in the file does not matter.
    let text = std::fs::read_to_string(fixtures().join("voters-971.csv")).unwrap();
    let mut rows: Vec<&str> = text.lines().collect();
    rows.reverse();
    let reversed = rows.join("\n");
    let again = validate_voters(&s, reversed.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(again.control[0].digest, digest);
    assert!(again.control[0].to_text().contains(&digest));
}

#[test]
fn users_sample_loads() {
    let s = structure();
    let import = read_users(open("users.csv"), Some(&s), &ReadOptions::default()).unwrap();
    assert!(import.report.is_loadable(), "{}", import.report.to_text());
    assert_eq!(import.users.len(), 6);
    assert_eq!(import.users[0].perimeter, Perimeter::National);
    assert!(matches!(&import.users[4].perimeter, Perimeter::Chambers(c) if c.len() == 3));
}

#[test]
fn unquoted_perimeter_in_a_comma_file_is_joined_back() {
    let text =
        "GROUPE,NOM,PRENOM,EMAIL,PERIMETRE\nREGION,FAURE,Anne,anne.faure@cci.fr,011,381,741\n";
    let import = read_users(text.as_bytes(), None, &ReadOptions::default()).unwrap();
    assert!(import.report.is_loadable(), "{}", import.report.to_text());
    assert!(matches!(&import.users[0].perimeter, Perimeter::Chambers(c) if c.len() == 3));
}

#[test]
fn candidate_sample_validates_and_makes_an_election() {
    let s = structure();
    let text = std::fs::read_to_string(fixtures().join("candidates.json")).unwrap();
    let file = CandidateFile::from_json(&text).unwrap();
    let (lists, issues) = validate_candidates(&s, file.clone());
    let blocking: Vec<_> = issues
        .iter()
        .filter(|i| i.outcome == Outcome::Blocking)
        .collect();
    assert!(blocking.is_empty(), "{blocking:?}");
    assert_eq!(lists.len(), s.contests().len());
    let (election, warnings) = Election::new("CCI-2026-DEMO", s, file).unwrap();
    assert!(warnings.iter().any(|w| {
        w.contest
            .as_ref()
            .is_some_and(|c| c.as_str() == "971-I/CCIT")
    }));
    let specs = election.contest_specs();
    assert_eq!(specs.len(), 24);
    assert!(specs.iter().all(|c| !c.option_ids.is_empty()));
    let first = &specs[0];
    assert_eq!(first.contest_id, "011-C/CCIR");
    assert_eq!(first.election_id, "CCI-2026-DEMO");
    assert_eq!(first.option_ids[0], "01");
}

#[derive(Debug)]
struct Expected {
    file: String,
    line: u64,
    column: Option<u16>,
    rule: String,
    outcome: Outcome,
}

fn expected() -> Vec<Expected> {
    let mut rd = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(fixtures().join("broken/expected.csv"))
        .unwrap();
    rd.records()
        .map(|r| {
            let r = r.unwrap();
            Expected {
                file: r[0].to_owned(),
                line: r[1].parse().unwrap(),
                column: r[2].parse().ok(),
                rule: r[3].to_owned(),
                outcome: match &r[4] {
                    "blocking" => Outcome::Blocking,
                    "truncated" => Outcome::Truncated,
                    "warning" => Outcome::Warning,
                    other => panic!("{other}"),
                },
            }
        })
        .collect()
}

#[test]
fn every_broken_file_gives_its_issue_and_nothing_else_blocks() {
    let s = structure();
    let cases = expected();
    assert!(cases.len() > 80);
    for case in cases {
        let path = format!("broken/{}", case.file);
        let report = if case.file.starts_with("voters/") {
            validate_voters(&s, open(&path), &ReadOptions::default())
                .unwrap()
                .report
        } else if case.file.starts_with("structure/") {
            read_structure(open(&path), &ReadOptions::default())
                .unwrap()
                .report
        } else {
            read_users(open(&path), Some(&s), &ReadOptions::default())
                .unwrap()
                .report
        };
        let found = report.issues.iter().find(|i| {
            i.line == case.line
                && i.column == case.column
                && i.rule.code() == case.rule
                && i.outcome == case.outcome
        });
        assert!(found.is_some(), "{case:?} not in\n{}", report.to_text());
        // No collateral damage: nothing blocks elsewhere in the file.
        for i in &report.issues {
            if i.outcome == Outcome::Blocking {
                assert_eq!(i.line, case.line, "{case:?}: unexpected {i:?}");
            }
        }
        assert_eq!(
            report.is_loadable(),
            case.outcome != Outcome::Blocking,
            "{case:?}"
        );
        if case.outcome == Outcome::Truncated {
            let issue = found.unwrap();
            let kept = issue.kept.as_deref().unwrap();
            assert!(issue.value.starts_with(kept) && kept.len() < issue.value.len());
        }
    }
}

#[test]
fn truncated_values_are_loaded_truncated() {
    let s = structure();
    let (rows, import) = read_voter_records(
        &s,
        open("broken/voters/v08-usage-name-too-long.csv"),
        &ReadOptions::default(),
    )
    .unwrap();
    assert!(import.report.is_loadable());
    assert_eq!(rows[1].usage_name, "DE LA TOUR D'AUVERGNE-LAURAGUAIS-M");
    assert_eq!(rows[1].usage_name.chars().count(), 34);
    let (rows, _) = read_voter_records(
        &s,
        open("broken/voters/v14-siren-too-long.csv"),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(rows[1].siren, "123456789");
}

#[test]
fn unreadable_files_get_one_clear_error() {
    let s = structure();
    let err = |name: &str| {
        validate_voters(
            &s,
            open(&format!("broken/unreadable/{name}")),
            &ReadOptions::default(),
        )
        .unwrap_err()
    };
    assert!(matches!(err("empty.csv"), ImportError::Empty));
    assert!(matches!(
        err("only-bom-and-blank-lines.csv"),
        ImportError::Empty
    ));
    assert!(matches!(
        err("excel-workbook.xlsx"),
        ImportError::NotText(_)
    ));
    assert!(matches!(err("utf16.csv"), ImportError::Utf16));
    assert!(matches!(err("no-delimiter.csv"), ImportError::NoDelimiter));
    assert!(matches!(
        err("unclosed-quote.csv"),
        ImportError::RecordTooLong { line: 2, .. }
    ));
    // A structure file given as a voter file, and the reverse.
    assert!(matches!(
        validate_voters(&s, open("structure.csv"), &ReadOptions::default()).unwrap_err(),
        ImportError::WrongFileKind {
            found: 22,
            expected: 37,
            ..
        }
    ));
    assert!(matches!(
        read_structure(open("voters-011.csv"), &ReadOptions::default()).unwrap_err(),
        ImportError::WrongFileKind {
            found: 37,
            expected: 22,
            ..
        }
    ));
    // Every message is one French sentence for the uploader.
    assert!(err("excel-workbook.xlsx").to_string().contains("CSV"));
}
