//! Every fixture file uploaded through the interface gets its expected report (R-10…R-14):
//! the samples load; each broken file produces exactly the issue `fixtures/broken/
//! expected.csv` names (line, column, rule, outcome) and is refused when that issue is
//! blocking; unreadable files get one clear message; every upload is journaled with its
//! SHA-256; a refused voter file changes nothing.
#![allow(clippy::unwrap_used)]

#[macro_use]
mod common;

use common::{TestApp, fixtures};
use reqwest::StatusCode;
use scrutin_store::Kind;
use serde_json::Value;
use sha2::{Digest, Sha256};

struct Expected {
    file: String,
    line: u64,
    column: Option<u64>,
    rule: String,
    outcome: String,
}

fn expected() -> Vec<Expected> {
    let text = std::fs::read_to_string(fixtures().join("broken/expected.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(';').collect();
            Expected {
                file: f[0].into(),
                line: f[1].parse().unwrap(),
                column: f[2].parse().ok(),
                rule: f[3].into(),
                outcome: f[4].into(),
            }
        })
        .collect()
}

/// The report of an answer, accepted or refused.
fn report(a: &common::Answer) -> Value {
    if a.status == StatusCode::OK {
        a.json["report"].clone()
    } else {
        a.json["error"]["details"]["report"].clone()
    }
}

fn has_issue(report: &Value, e: &Expected) -> bool {
    report["issues"].as_array().is_some_and(|issues| {
        issues.iter().any(|i| {
            i["line"].as_u64() == Some(e.line)
                && i["column"].as_u64() == e.column
                && i["rule"] == e.rule.as_str()
                && i["outcome"] == e.outcome.as_str()
        })
    })
}

/// The chamber code of a voter file's first data row.
fn chamber_of(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .nth(1)
        .and_then(|l| l.trim_start_matches('\u{feff}').split([';', ',']).next())
        .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or("011")
        .to_owned()
}

async fn every_fixture(kind: Kind) {
    let app = TestApp::start(kind).await;
    let admin = app.admin().await;
    let cases = expected();

    // Broken structure files first (a loadable one would replace the structure), then the
    // sample structure.
    for e in cases.iter().filter(|e| e.file.starts_with("structure/")) {
        let bytes = std::fs::read(fixtures().join("broken").join(&e.file)).unwrap();
        let a = app
            .upload(&admin, "/admin/api/structure?name=s.csv", "text/csv", bytes)
            .await;
        let r = report(&a);
        assert!(
            has_issue(&r, e),
            "{}: expected {} {} at {}:{:?}, got {} {}",
            e.file,
            e.rule,
            e.outcome,
            e.line,
            e.column,
            a.status,
            r
        );
        let blocking = e.outcome == "blocking";
        assert_eq!(
            a.status == StatusCode::OK,
            !blocking,
            "{}: {:?}",
            e.file,
            a.json
        );
        if blocking {
            assert_eq!(a.code(), "blocking_errors");
            assert!(
                a.json["error"]["details"]["text"]
                    .as_str()
                    .unwrap()
                    .contains("ligne")
            );
        }
    }
    app.load_structure(&admin).await;
    let s = app.get(&admin, "/admin/api/structure").await;
    assert_eq!(
        s.json["structure"]["scrutins"].as_array().unwrap().len(),
        15
    );
    assert_eq!(
        s.json["structure"]["contests"].as_array().unwrap().len(),
        24
    );

    // The sample voter files load, one per chamber, with their control lists.
    for (code, file, rows) in [
        ("011", "voters-011.csv", 24),
        ("381", "voters-381.csv", 25),
        ("741", "voters-741.csv", 20),
        ("971", "voters-971.csv", 16),
    ] {
        let bytes = std::fs::read(fixtures().join(file)).unwrap();
        let digest = hex::encode(Sha256::digest(&bytes));
        let a = app
            .upload(
                &admin,
                &format!("/admin/api/chambers/{code}/voters?name={file}"),
                "text/csv",
                bytes,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{file}: {:?}", a.json);
        assert_eq!(a.json["rights"], rows, "{file}");
        assert_eq!(a.json["sha256"], digest.as_str());
        assert_eq!(a.json["control"][0]["total"], rows);
        assert_eq!(
            app.state
                .stores
                .electors
                .count_rights_of_chamber(code)
                .await
                .unwrap(),
            rows as i64
        );
        let control = app
            .get(&admin, &format!("/admin/api/chambers/{code}/control-list"))
            .await;
        assert_eq!(control.json["total"], rows);
        assert_eq!(control.json["last_file"]["sha256"], digest.as_str());
    }
    // A voter file of another chamber is refused.
    let bytes = std::fs::read(fixtures().join("voters-011.csv")).unwrap();
    let a = app
        .upload(
            &admin,
            "/admin/api/chambers/741/voters?name=x.csv",
            "text/csv",
            bytes,
        )
        .await;
    assert_eq!(a.code(), "wrong_chamber");
    assert_eq!(
        app.state
            .stores
            .electors
            .count_rights_of_chamber("741")
            .await
            .unwrap(),
        20
    );

    // Each broken voter and users file.
    for e in cases
        .iter()
        .filter(|e| e.file.starts_with("voters/") || e.file.starts_with("users/"))
    {
        let bytes = std::fs::read(fixtures().join("broken").join(&e.file)).unwrap();
        let chamber = e.file.starts_with("voters/").then(|| {
            let c = chamber_of(&bytes);
            if ["011", "381", "741", "971"].contains(&c.as_str()) {
                c
            } else {
                "011".to_owned()
            }
        });
        let before = match &chamber {
            Some(c) => app
                .state
                .stores
                .electors
                .count_rights_of_chamber(c)
                .await
                .unwrap(),
            None => 0,
        };
        let a = match &chamber {
            Some(c) => {
                app.upload(
                    &admin,
                    &format!("/admin/api/chambers/{c}/voters?name=b.csv"),
                    "text/csv",
                    bytes,
                )
                .await
            }
            None => {
                app.upload(&admin, "/admin/api/users/import", "text/csv", bytes)
                    .await
            }
        };
        let r = report(&a);
        assert!(
            has_issue(&r, e),
            "{}: expected {} {} at {}:{:?}, got {} {}",
            e.file,
            e.rule,
            e.outcome,
            e.line,
            e.column,
            a.status,
            a.json
        );
        let blocking = e.outcome == "blocking";
        assert_eq!(
            a.status == StatusCode::OK,
            !blocking,
            "{}: {:?}",
            e.file,
            a.json
        );
        if let (Some(c), true) = (&chamber, blocking) {
            // Refused: the chamber keeps its list.
            assert_eq!(
                app.state
                    .stores
                    .electors
                    .count_rights_of_chamber(c)
                    .await
                    .unwrap(),
                before,
                "{}",
                e.file
            );
        }
    }

    // Unreadable files: one clear message each.
    for entry in std::fs::read_dir(fixtures().join("broken/unreadable")).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let a = app
            .upload(
                &admin,
                "/admin/api/chambers/011/voters?name=u.csv",
                "text/csv",
                bytes.clone(),
            )
            .await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "unreadable_file"),
            "{}: {:?}",
            path.display(),
            a.json
        );
        assert!(!a.json["error"]["message"].as_str().unwrap().is_empty());
        let a = app
            .upload(&admin, "/admin/api/structure?name=u.csv", "text/csv", bytes)
            .await;
        assert_eq!(a.code(), "unreadable_file", "{}", path.display());
    }

    // The users sample: every user created with an activation link.
    let bytes = std::fs::read(fixtures().join("users.csv")).unwrap();
    let a = app
        .upload(&admin, "/admin/api/users/import", "text/csv", bytes)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    assert_eq!(a.json["created"], 6);
    let users = app.get(&admin, "/admin/api/users").await;
    let listed = users.json["users"].as_array().unwrap();
    let elise = listed
        .iter()
        .find(|u| u["email"] == "elise.reynaud@grenoble.cci.fr")
        .unwrap();
    assert_eq!(
        (elise["role"].as_str(), elise["perimeter"].as_str()),
        (Some("coe_member"), Some("381"))
    );
    let region = listed
        .iter()
        .find(|u| u["email"] == "anne.faure@auvergne-rhone-alpes.cci.fr")
        .unwrap();
    assert_eq!(region["needs_totp"], true);
    // A second import updates, creates nobody.
    let bytes = std::fs::read(fixtures().join("users.csv")).unwrap();
    let a = app
        .upload(&admin, "/admin/api/users/import", "text/csv", bytes)
        .await;
    assert_eq!(
        (a.json["created"].as_u64(), a.json["updated"].as_u64()),
        (Some(0), Some(6))
    );
    // An unknown group is refused with its line.
    let a = app
        .upload(
            &admin,
            "/admin/api/users/import",
            "text/csv",
            "GROUPE;NOM;PRENOM;EMAIL;PERIMETRE\nPIRATE;X;Y;x@y.fr;011\n"
                .as_bytes()
                .to_vec(),
        )
        .await;
    assert_eq!(a.code(), "blocking_errors");
    assert!(
        report(&a)["issues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["rule"] == "unknown_group" && i["line"] == 2)
    );

    // Every upload is journaled with its digest, accepted or refused, and listed.
    let entries = scrutin_store::journal::entries(&app.state.stores.registry, 0, 10_000)
        .await
        .unwrap();
    let uploads: Vec<Value> = entries
        .iter()
        .filter(|e| e.kind == "upload-accepted" || e.kind == "upload-refused")
        .map(|e| serde_json::from_slice(&e.payload).unwrap())
        .collect();
    assert!(
        uploads
            .iter()
            .all(|p| p["sha256"].as_str().is_some_and(|h| h.len() == 64))
    );
    assert!(
        uploads
            .iter()
            .any(|p| p["file"] == "voters" && p["blocking"].as_u64().unwrap() > 0)
    );
    let history = app
        .get(&admin, "/admin/api/uploads?kind=voters&chamber=011")
        .await;
    assert!(history.json["files"].as_array().unwrap().len() > 10);
    // No personal data in the registry's record of voter uploads.
    for f in app
        .state
        .stores
        .registry
        .election_files(Some("voters"), None)
        .await
        .unwrap()
    {
        assert!(!f.summary.contains("GARCIA"), "{}", f.summary);
    }
}
both_backends!(every_fixture_file_gets_its_report, every_fixture);
