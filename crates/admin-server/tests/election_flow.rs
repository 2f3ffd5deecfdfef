//! A chamber's election through the interface, from upload to close, over real HTTP on
//! SQLite and PostgreSQL: voters and their seal, candidates with a statement and their
//! seal, the ballot boxes under the COE's key, the voting material (letters PDF rendered to
//! PNG and read back, test email run, sending), opening, a ballot cast, participation
//! without any result, suspension with a message, a resend request decided, closing with
//! the box and émargement seals, "check seals now" catching a tampered list, the national
//! seal, and the journal verified.
#![allow(clippy::unwrap_used)]

#[macro_use]
mod common;

use std::process::Command;

use chrono::TimeZone;
use common::{Session, TestApp, fixtures};
use reqwest::{Method, StatusCode};
use scrutin_admin::pdf::{Document, Style};
use scrutin_crypto::ballot::{BallotStyle, ContestChoice, encrypt_ballot};
use scrutin_crypto::credentials::{Identifier, SecretCode};
use scrutin_election::CandidateFile;
use scrutin_store::letters::read_letters;
use scrutin_store::{Clock, Kind};
use serde_json::{Value, json};

const PASSPHRASE: &str = "la phrase de passe de la COE de l'Ain";

fn statement_pdf() -> Vec<u8> {
    let mut d = Document::new("Profession de foi");
    let p = d.add_page();
    d.text(
        p,
        20.0,
        30.0,
        Style::bold(16.0),
        "Profession de foi — Ensemble pour l'Ain",
    );
    d.finish()
}

async fn candidates_011(app: &TestApp, s: &Session) {
    let text = std::fs::read_to_string(fixtures().join("candidates.json")).unwrap();
    let file = CandidateFile::from_json(&text).unwrap();
    let mut n = 0;
    for c in file
        .contests
        .iter()
        .filter(|c| c.contest.as_str().starts_with("011-"))
    {
        let a = app
            .send(
                Method::PUT,
                s,
                &format!("/admin/api/candidates?contest={}", c.contest.as_str()),
                json!({ "entries": c.entries }),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
        assert!(
            a.json["issues"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["outcome"] != "blocking"),
            "{:?}",
            a.json
        );
        n += 1;
    }
    assert_eq!(n, 6);
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (poppler-utils installed?)"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

async fn flow(kind: Kind) {
    let app = TestApp::start(kind).await;
    let admin = app.admin().await;
    app.load_structure(&admin).await;
    app.user("pres@ain.test", "coe_president", "011").await;
    app.user("member@ain.test", "coe_member", "011").await;
    app.user("cele@ain.test", "cele", "011").await;
    let pres = app.login("pres@ain.test", None).await;
    let cele = app.login("cele@ain.test", None).await;

    // Voters, then their seal; after it the list no longer changes.
    let voters = std::fs::read(fixtures().join("voters-011.csv")).unwrap();
    let a = app
        .upload(
            &cele,
            "/admin/api/chambers/011/voters?name=voters-011.csv",
            "text/csv",
            voters.clone(),
        )
        .await;
    assert_eq!(a.json["rights"], 24, "{:?}", a.json);
    let list = app
        .get(&pres, "/admin/api/chambers/011/voter-list?scrutin=011-C")
        .await;
    assert!(list.json["total"].as_u64().unwrap() > 0);
    assert!(list.json["rows"][0]["usage_name"].as_str().is_some());
    let spot = app
        .get(&cele, "/admin/api/chambers/011/spot-check?seed=tirage-2026")
        .await;
    assert_eq!(spot.json["population"], 24);
    let again = app
        .get(&cele, "/admin/api/chambers/011/spot-check?seed=tirage-2026")
        .await;
    assert_eq!(
        spot.json["voter_ids"], again.json["voter_ids"],
        "reproducible from the seed"
    );
    let a = app
        .post(
            &pres,
            "/admin/api/seals",
            json!({ "kind": "voters", "scope": "chamber/011" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    let a = app
        .upload(
            &cele,
            "/admin/api/chambers/011/voters?name=again.csv",
            "text/csv",
            voters,
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    let right = app
        .state
        .stores
        .electors
        .right_summaries("011")
        .await
        .unwrap()[0]
        .right_id
        .clone();
    let a = app
        .request(
            Method::DELETE,
            &format!("/admin/api/rights/{right}"),
            Some(&cele),
            None,
            true,
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    let a = app
        .post(
            &pres,
            "/admin/api/seals",
            json!({ "kind": "voters", "scope": "chamber/011" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "sealed once");

    // Candidates: a grouping larger than the seats is kept as a draft but blocks the seal.
    let too_many = json!({ "entries": [{ "grouping": { "name": "Trop nombreux", "candidates": [
        { "civility": "M.", "last_name": "UN", "first_name": "A", "birth_date": "1970-01-01", "substitute": { "civility": "MME", "last_name": "S", "first_name": "B" } },
        { "civility": "M.", "last_name": "DEUX", "first_name": "A", "birth_date": "1970-01-02", "substitute": { "civility": "MME", "last_name": "S", "first_name": "C" } },
        { "civility": "M.", "last_name": "TROIS", "first_name": "A", "birth_date": "1970-01-03", "substitute": { "civility": "MME", "last_name": "S", "first_name": "D" } }
    ] } }] });
    let a = app
        .send(
            Method::PUT,
            &pres,
            "/admin/api/candidates?contest=011-C/CCIR",
            too_many,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    assert!(
        a.json["issues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["rule"] == "grouping_too_large" && i["outcome"] == "blocking")
    );
    let a = app
        .post(
            &pres,
            "/admin/api/seals",
            json!({ "kind": "candidates", "scope": "chamber/011" }),
        )
        .await;
    assert_eq!(a.code(), "candidates_invalid", "{:?}", a.json);
    candidates_011(&app, &pres).await;
    let view = app.get(&pres, "/admin/api/chambers/011/candidates").await;
    let ccir = view.json["contests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "011-C/CCIR")
        .unwrap()
        .clone();
    let grouping = ccir["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|e| e["grouping"]["name"].as_str())
        .unwrap()
        .to_owned();
    // Statements: PDF only.
    let a = app
        .request(
            Method::PUT,
            &format!(
                "/admin/api/statements?contest=011-C/CCIR&subject=grouping:{grouping}&name=pdf.pdf"
            ),
            Some(&pres),
            Some(("application/pdf", b"<html>not a pdf</html>".to_vec())),
            true,
        )
        .await;
    assert_eq!(a.code(), "not_a_pdf");
    let pdf = statement_pdf();
    let a = app
        .request(Method::PUT, &format!("/admin/api/statements?contest=011-C/CCIR&subject=grouping:{grouping}&name=profession.pdf"), Some(&pres), Some(("application/pdf", pdf.clone())), true)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    let statement_id = a.json["id"].as_str().unwrap().to_owned();
    let back = app
        .get(&pres, &format!("/admin/api/statements/{statement_id}"))
        .await;
    assert_eq!(back.bytes, pdf);
    let a = app
        .post(
            &pres,
            "/admin/api/seals",
            json!({ "kind": "candidates", "scope": "chamber/011" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    let a = app
        .send(
            Method::PUT,
            &pres,
            "/admin/api/candidates?contest=011-C/CCIR",
            json!({ "entries": [] }),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);

    // Ballot boxes need the COE's election key (the key ceremony).
    let a = app
        .post(
            &pres,
            "/admin/api/chambers/011/ballot-boxes",
            json!({ "opens_at": "2026-12-01T09:00", "closes_on": "2026-12-08" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{:?}", a.json);
    let y = scrutin_crypto::elgamal::base_mul(&scrutin_crypto::Scalar::from(987_654_321u64));
    let registry = &app.state.stores.registry;
    let ids: Vec<String> = vec![
        registry
            .admin_user_by_email("pres@ain.test")
            .await
            .unwrap()
            .unwrap()
            .id,
        registry
            .admin_user_by_email("member@ain.test")
            .await
            .unwrap()
            .unwrap()
            .id,
    ];
    registry
        .start_ceremony(&scrutin_store::ceremony_store::NewCeremony {
            chamber_code: "011",
            key_id: "011-1",
            attempt: 1,
            parameters: "{}",
            trustees: &ids,
            created_at: app.clock.now(),
            created_by: "pres@ain.test",
        })
        .await
        .unwrap();
    assert!(
        registry
            .complete_ceremony(
                "011",
                "011-1",
                &y.compress().to_bytes(),
                "{}",
                &[0u8; 32],
                app.clock.now()
            )
            .await
            .unwrap()
    );
    let a = app
        .post(
            &pres,
            "/admin/api/chambers/011/ballot-boxes",
            json!({ "opens_at": "2026-12-01T09:00", "closes_on": "2026-12-08" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    assert_eq!(a.json["scrutins"], json!(["011-C", "011-I", "011-S"]));
    assert!(
        a.json["closes_at_paris"]
            .as_str()
            .unwrap()
            .contains("9 décembre 2026 à 00:00")
    );
    let sheet: Value =
        serde_json::from_str(&registry.scrutin("011-C").await.unwrap().unwrap().sheet).unwrap();
    assert!(
        sheet
            .to_string()
            .contains(&format!("/api/v1/statements/{statement_id}")),
        "statement linked on the sheet"
    );

    // The material: credentials, the letters (PDF), the test run, then the emails.
    let a = app
        .post(
            &pres,
            "/admin/api/chambers/011/credentials",
            json!({ "passphrase": "court" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let a = app
        .post(
            &pres,
            "/admin/api/chambers/011/credentials",
            json!({ "passphrase": PASSPHRASE }),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    assert_eq!(a.json["letters"], 24);
    let a = app
        .post(
            &pres,
            "/admin/api/chambers/011/credentials",
            json!({ "passphrase": PASSPHRASE }),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "generated once");
    let a = app
        .post(
            &pres,
            "/admin/api/seals",
            json!({ "kind": "credentials", "scope": "chamber/011" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);

    let file =
        std::fs::File::open(app.state.config.material_dir.join("letters-011.scrutin")).unwrap();
    let letters = read_letters(file, PASSPHRASE.as_bytes()).unwrap();
    assert_eq!(letters.len(), 24);
    // Each letter shows its voter's record as the file gave it (R-31): civility, first
    // name then usage name in capitals, company, the mailing address lines without the
    // empty ones, `postcode city`, the country abroad, the email when there is one.
    let letter_of = |right: &str| letters.iter().find(|l| l.right_id == right).unwrap();
    let l = letter_of("0110000000005");
    assert_eq!(
        (l.civility.as_str(), l.name.as_str(), l.company.as_str()),
        ("M.", "Michel DUMONT", "CAVE À VINS DUMONT")
    );
    assert_eq!(
        l.address,
        [
            "CAVE À VINS DUMONT",
            "M. DUMONT Michel",
            "148 BOULEVARD GAMBETTA",
            "01630 SAINT-GENIS-POUILLY"
        ]
    );
    assert_eq!((l.postcode.as_str(), l.email.as_deref()), ("01630", None));
    assert_eq!(
        (l.scrutin.as_str(), l.chamber_code.as_str()),
        ("011-C", "011")
    );
    assert!(l.instructions.contains("code secret"), "{}", l.instructions);
    let l = letter_of("0110000000044");
    assert_eq!(
        l.address,
        [
            "EXPERTISE COMPTABLE LEROY",
            "MME LEROY Béatrice",
            "68 CHEMIN DES ÉCOLIERS",
            "1204 GENÈVE",
            "SUISSE"
        ]
    );
    assert_eq!(
        (l.civility.as_str(), l.name.as_str()),
        ("MME", "Béatrice LEROY")
    );
    let l = letter_of("0110000000018");
    assert_eq!(
        l.email.as_deref(),
        Some("isabelle.roussel@librairie-roussel.fr")
    );
    let a = app
        .post(
            &pres,
            "/admin/api/chambers/011/letters",
            json!({ "passphrase": "une mauvaise phrase de passe" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let a = app
        .post(
            &pres,
            "/admin/api/chambers/011/letters",
            json!({ "passphrase": PASSPHRASE }),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers.get("content-type").unwrap(), "application/pdf");
    let pdf_path = app.dir.path().join("letters.pdf");
    std::fs::write(&pdf_path, &a.bytes).unwrap();
    let info = String::from_utf8(run(Command::new("pdfinfo").arg(&pdf_path))).unwrap();
    let pages_line = info.lines().find(|l| l.starts_with("Pages:")).unwrap();
    assert_eq!(
        pages_line.trim_start_matches("Pages:").trim(),
        "24",
        "{info}"
    );
    assert!(
        info.contains("595.28 x 841.89") || info.contains("(A4)"),
        "A4: {info}"
    );
    let text = String::from_utf8(run(Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf_path)
        .arg("-")))
    .unwrap();
    let pages: Vec<&str> = text.split('\u{c}').collect();
    for l in &letters {
        assert!(
            text.contains(&l.identifier),
            "identifier {} printed",
            l.identifier
        );
        assert!(text.contains(&l.code), "code printed");
    }
    let first = pages[0];
    for field in [
        "Votre matériel de vote",
        "Votre identifiant",
        "Votre code secret",
        "CCI de l'Ain",
        "https://vote.scrutin.test",
        "numéro de suivi",
        "Document personnel",
    ] {
        assert!(first.contains(field), "{field} on the letter:\n{first}");
    }
    // Sorted by scrutin (category), then postcode, then surname.
    let order: Vec<(String, String)> = pages
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let l = letters.iter().find(|l| p.contains(&l.identifier)).unwrap();
            (l.scrutin.clone(), l.postcode.clone())
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    // Rendered to an image, the first page is a real A4 page with ink on it.
    let png_base = app.dir.path().join("letter");
    run(Command::new("pdftoppm")
        .args(["-png", "-r", "40", "-f", "1", "-l", "1"])
        .arg(&pdf_path)
        .arg(&png_base));
    let png = std::fs::read_dir(app.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .unwrap();
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let (w, h) = (
        u32::from_be_bytes(bytes[16..20].try_into().unwrap()),
        u32::from_be_bytes(bytes[20..24].try_into().unwrap()),
    );
    assert_eq!((w, h), (331, 468), "A4 at 40 dpi");
    assert!(bytes.len() > 3000, "a page with text, not a blank page");
    // The code sits in the framed box, right of its label (coordinates from pdftotext -bbox).
    let bbox = String::from_utf8(run(Command::new("pdftotext")
        .args(["-bbox", "-f", "1", "-l", "1"])
        .arg(&pdf_path)
        .arg("-")))
    .unwrap();
    let first_code = letters
        .iter()
        .find(|l| first.contains(&l.identifier))
        .unwrap()
        .code
        .clone();
    let code_part = first_code.split([' ', '-']).next().unwrap();
    assert!(
        bbox.lines()
            .any(|l| l.contains(&format!(">{code_part}")) && l.contains("xMin=\"22")),
        "code box position: {bbox}"
    );

    let a = app
        .post(
            &pres,
            "/admin/api/chambers/011/emails/send",
            json!({ "passphrase": PASSPHRASE }),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "test run first");
    let before = app.smtp.messages().len();
    let with_email = letters.iter().filter(|l| l.email.is_some()).count();
    assert!(with_email > 0);
    let a = app
        .post(&pres, "/admin/api/chambers/011/emails/test", json!({}))
        .await;
    assert_eq!(
        a.json["sent"].as_u64().unwrap() as usize,
        with_email,
        "{:?}",
        a.json
    );
    app.smtp.wait_for(before + with_email).await;
    let a = app
        .post(
            &pres,
            "/admin/api/chambers/011/emails/send",
            json!({ "passphrase": PASSPHRASE }),
        )
        .await;
    assert_eq!(
        a.json["sent"].as_u64().unwrap() as usize,
        with_email,
        "{:?}",
        a.json
    );
    let mails = app.smtp.wait_for(before + 2 * with_email).await;
    let l = letters.iter().find(|l| l.email.is_some()).unwrap();
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.to.contains(l.email.as_ref().unwrap()))
        .unwrap();
    assert!(
        mail.text().contains(&l.identifier) && mail.text().contains(&l.code),
        "{}",
        mail.text()
    );

    // Opening: only with every seal of the chamber; voting starts at the opening instant.
    let a = app
        .post(
            &pres,
            "/admin/api/scrutins/state",
            json!({ "scrutins": ["011-C", "011-I", "011-S"], "action": "open" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    assert_eq!(a.json["scrutins"][0]["state"], "not_open_yet");
    app.clock
        .set(chrono::Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap());
    // A month later: the sessions have expired.
    assert_eq!(
        app.get(&pres, "/admin/api/scrutins").await.code(),
        "unauthenticated"
    );
    let pres = app.login("pres@ain.test", None).await;
    let admin = app.admin().await;
    let listed = app.get(&pres, "/admin/api/scrutins").await;
    assert!(
        listed.json["scrutins"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["state"] == "open")
    );

    // A voter votes (the vote server's path, through the store).
    let voter = &letters[0];
    let identifier = Identifier::parse(&voter.identifier).unwrap();
    let right = app
        .state
        .stores
        .electors
        .right_by_identifier(identifier.as_str())
        .await
        .unwrap()
        .unwrap();
    let scrutin = registry.scrutin(&right.scrutin_id).await.unwrap().unwrap();
    let style: BallotStyle = serde_json::from_str(&scrutin.ballot_style).unwrap();
    let code = SecretCode::parse(&voter.code).unwrap();
    let key = code.voting_signing_key("CCI-2026", &scrutin.id);
    let choices: Vec<ContestChoice> = style
        .contests()
        .iter()
        .map(|_| ContestChoice::select([0]))
        .collect();
    let ballot = encrypt_ballot(&style, &choices, &key, &mut rand::rngs::OsRng).unwrap();
    let json_ballot = ballot.to_json();
    let outcome = scrutin_store::cast::cast(
        &app.state.stores,
        app.clock.now(),
        &scrutin_store::cast::CastBallot {
            right_id: &right.right_id,
            scrutin_id: &scrutin.id,
            voting_key: &ballot.voting_key,
            tracking_code: ballot.tracking_code().as_bytes(),
            ballot: &json_ballot,
        },
    )
    .await
    .unwrap();
    assert!(outcome.is_ok());

    // Participation for the commission: counts only, no result anywhere.
    let p = app.get(&pres, "/admin/api/participation?chamber=011").await;
    let row = p.json["scrutins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scrutin"] == scrutin.id.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["voters"], 1);
    assert_eq!(row["by_day"], json!([{ "day": "2026-12-02", "voters": 1 }]));
    assert!(row["registered"].as_u64().unwrap() >= 1);
    let body = p.json.to_string();
    for forbidden in ["votes", "result", "blank", "expressed"] {
        assert!(
            !body.contains(forbidden),
            "no {forbidden} in participation: {body}"
        );
    }
    // Two voter logins counted by the voting server (one voter came back once).
    for _ in 0..2 {
        app.state
            .stores
            .registry
            .count_login(app.state.now())
            .await
            .unwrap();
    }
    let usage = app.get(&admin, "/admin/api/usage").await;
    assert_eq!(usage.json["voters"], 1);
    assert_eq!(usage.json["logins"], 2);
    assert_eq!(usage.json["confirmed_vote_rate"], 50.0);
    assert_eq!(
        usage.json["logins_by_day"],
        json!([{ "day": "2026-12-02", "logins": 2 }])
    );
    let e = app
        .get(
            &pres,
            &format!("/admin/api/scrutins/{}/emargement", scrutin.id),
        )
        .await;
    assert_eq!(e.json["count"], 1);
    assert!(
        e.json["rows"][0]["at_paris"]
            .as_str()
            .unwrap()
            .contains("2 décembre 2026")
    );

    // Suspension needs a message for voters; resume.
    let a = app
        .post(
            &pres,
            "/admin/api/scrutins/state",
            json!({ "scrutins": ["011-I"], "action": "suspend" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let a = app.post(&pres, "/admin/api/scrutins/state", json!({ "scrutins": ["011-I"], "action": "suspend", "message": "Incident technique : le vote reprend à 14 h." })).await;
    assert_eq!(a.json["scrutins"][0]["state"], "suspended", "{:?}", a.json);
    assert_eq!(
        registry
            .scrutin("011-I")
            .await
            .unwrap()
            .unwrap()
            .message
            .as_deref(),
        Some("Incident technique : le vote reprend à 14 h.")
    );
    let a = app
        .post(
            &pres,
            "/admin/api/scrutins/state",
            json!({ "scrutins": ["011-I"], "action": "resume" }),
        )
        .await;
    assert_eq!(a.json["scrutins"][0]["state"], "open");

    // A resend request, as the voting site stores it; refused without a reason, approved.
    let target = &letters[1];
    let target_right = app
        .state
        .stores
        .electors
        .right_by_identifier(Identifier::parse(&target.identifier).unwrap().as_str())
        .await
        .unwrap()
        .unwrap();
    let key011 = scrutin_admin::uploads::chamber_data_key(&app.state, "011")
        .await
        .unwrap();
    let payload = json!({ "fields": { "chamber_code": "011", "surname": "X", "given_name": "Y", "birth_date": "01011970", "email": "renvoi@exemple.test" },
                          "document": { "media_type": "application/pdf", "base64": "JVBERi0xLjQK" } });
    let sealed = key011
        .seal_resend(
            &mut rand::rngs::OsRng,
            "req1",
            &serde_json::to_vec(&payload).unwrap(),
        )
        .unwrap();
    app.state
        .stores
        .electors
        .insert_resend_request("req1", "011", app.clock.now(), &sealed)
        .await
        .unwrap();
    let member = app.login("member@ain.test", None).await;
    let list = app
        .get(&member, "/admin/api/chambers/011/resend-requests")
        .await;
    assert_eq!(list.json["requests"][0]["fields"]["surname"], "X");
    let doc = app
        .get(&member, "/admin/api/resend-requests/req1/document")
        .await;
    assert_eq!(doc.bytes, b"%PDF-1.4\n");
    let a = app
        .post(
            &member,
            "/admin/api/resend-requests/req1/decision",
            json!({ "approve": false }),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let before = app.smtp.messages().len();
    let a = app
        .post(
            &member,
            "/admin/api/resend-requests/req1/decision",
            json!({ "approve": true, "right": target_right.right_id, "reason": "courrier perdu" }),
        )
        .await;
    assert_eq!(a.json["status"], "approved", "{:?}", a.json);
    assert_eq!(a.json["delivery"]["emailed"], true);
    let mails = app.smtp.wait_for(before + 1).await;
    assert!(
        mails
            .last()
            .unwrap()
            .to
            .contains(&"renvoi@exemple.test".to_string())
    );
    // The old material no longer opens the right.
    assert!(
        app.state
            .stores
            .electors
            .right_by_identifier(Identifier::parse(&target.identifier).unwrap().as_str())
            .await
            .unwrap()
            .is_none()
    );
    let a = app
        .post(
            &member,
            "/admin/api/resend-requests/req1/decision",
            json!({ "approve": false, "reason": "déjà traité" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);

    // Closing seals each box and émargement list.
    let a = app
        .post(
            &pres,
            "/admin/api/scrutins/state",
            json!({ "scrutins": ["*"], "action": "close" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    assert!(
        a.json["scrutins"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["state"] == "closed")
    );
    let a = app
        .post(
            &pres,
            "/admin/api/scrutins/state",
            json!({ "scrutins": ["011-C"], "action": "open" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    let seals = app.get(&pres, "/admin/api/seals").await;
    let kinds: Vec<String> = seals.json["seals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s["kind"].as_str().unwrap(),
                s["scope"].as_str().unwrap()
            )
        })
        .collect();
    for want in [
        "voters chamber/011",
        "candidates chamber/011",
        "credentials chamber/011",
        "box-closed scrutin/011-C",
        "emargement-closed scrutin/011-S",
    ] {
        assert!(kinds.contains(&want.to_owned()), "{want} in {kinds:?}");
    }
    // The resend sealed the chamber's credentials again.
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "credentials chamber/011")
            .count(),
        2
    );

    // "Check seals now": intact, then a list changed behind the interface's back is caught.
    let check = app.get(&pres, "/admin/api/seals/check").await;
    assert_eq!(check.json["all_ok"], true, "{:?}", check.json);
    let stored = registry.candidate_lists(Some("011")).await.unwrap();
    let mut tampered = stored[0].clone();
    tampered.entries = tampered
        .entries
        .replacen("\"last_name\":\"", "\"last_name\":\"X", 1);
    registry.put_candidate_list(&tampered).await.unwrap();
    let check = app.get(&pres, "/admin/api/seals/check").await;
    assert_eq!(check.json["all_ok"], false);
    let bad: Vec<&Value> = check.json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["subject_ok"] == false)
        .collect();
    assert_eq!(bad.len(), 1, "{:?}", check.json);
    assert_eq!(
        (bad[0]["kind"].as_str(), bad[0]["scope"].as_str()),
        (Some("candidates"), Some("chamber/011"))
    );
    registry.put_candidate_list(&stored[0]).await.unwrap();
    assert_eq!(
        app.get(&pres, "/admin/api/seals/check").await.json["all_ok"],
        true
    );

    // The national seal waits for every box and the software seal (R-72).
    let status = app.get(&admin, "/admin/api/seals/national").await;
    assert_eq!(status.json["all_boxes_sealed"], true, "{:?}", status.json);
    assert_eq!(status.json["software_sealed"], false);
    let a = app
        .post(&admin, "/admin/api/seals/national", json!({}))
        .await;
    assert_eq!(a.code(), "boxes_not_sealed");
    let a = app
        .post(
            &admin,
            "/admin/api/seals",
            json!({ "kind": "software", "scope": "national" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    let a = app
        .post(&admin, "/admin/api/seals/national", json!({}))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    assert_eq!(a.json["kind"], "custom:national");
    assert_eq!(
        app.get(&pres, "/admin/api/seals/check").await.json["all_ok"],
        true
    );

    // The journal is whole and verifies against the platform key.
    let v = app.get(&pres, "/admin/api/journal/verify").await;
    assert_eq!(v.json["result"]["valid"], true, "{:?}", v.json);
    assert!(v.json["result"]["length"].as_u64().unwrap() > 40);
    let page = app.get(&pres, "/admin/api/journal?from=0&limit=500").await;
    let kinds: Vec<&str> = page.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in [
        "upload-accepted",
        "seal",
        "material-generated",
        "scrutin-state",
        "resend-approved",
        "credentials",
    ] {
        assert!(kinds.contains(&k), "{k} journaled");
    }
    // Nothing in the journal links a voter to a ballot: no tracking code, no voting key.
    let all = page.json.to_string();
    assert!(!all.contains(&ballot.tracking_code().to_hex()));
    assert!(!all.contains(&hex::encode(ballot.voting_key)));
}
both_backends!(chamber_election_from_upload_to_close, flow);
