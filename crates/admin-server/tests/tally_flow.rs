//! The key ceremony and the tally over real HTTP, on SQLite and PostgreSQL: a full election
//! of chamber 011 from the upload of its files to its PVs, with 3 trustees of whom 2
//! decrypt; every refusal the issue lists (tally before the close, a wrong share, `t − 1`
//! shares, CSRF, perimeters and roles on every ceremony and tally route, formula
//! injection in exports); the PV PDF rendered and read back.
#![allow(clippy::unwrap_used)]

mod tally_support;

use std::collections::BTreeMap;
use std::process::Command;

use chrono::Duration;
use reqwest::StatusCode;
use scrutin_crypto::ballot::ContestChoice;
use scrutin_store::Kind;
use serde_json::{Value, json};
use tally_support::*;

/// Which options voter `k` picks in a contest of `options` options and `seats` seats:
/// every seventh voter votes blank, the others pick one to `seats` options.
fn choice_of(k: usize, options: usize, seats: usize) -> Option<Vec<u32>> {
    if k % 7 == 3 {
        return None;
    }
    let how_many = 1 + k % seats.min(options);
    Some(
        (0..how_many)
            .map(|j| ((k * 3 + j * 5) % options) as u32)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
    )
}

/// Votes with every voter of chamber 011 (every other one in 011-I, to vary turnout) and
/// returns the expected counts per contest: (ballots, blank, votes per option).
async fn cast_votes(h: &Harness, voters: &[Voter]) -> BTreeMap<String, (u64, u64, Vec<u64>)> {
    let mut expected: BTreeMap<String, (u64, u64, Vec<u64>)> = BTreeMap::new();
    for (k, v) in voters.iter().enumerate() {
        if v.scrutin_id == "011-I" && k % 2 == 1 {
            continue;
        }
        let s = h
            .state
            .stores
            .registry
            .scrutin(&v.scrutin_id)
            .await
            .unwrap()
            .unwrap();
        let style: scrutin_crypto::ballot::BallotStyle =
            serde_json::from_str(&s.ballot_style).unwrap();
        let mut choices = Vec::new();
        for (c_index, c) in style.contests().iter().enumerate() {
            let entry = expected
                .entry(c.contest_id().to_owned())
                .or_insert_with(|| (0, 0, vec![0; c.option_count()]));
            entry.0 += 1;
            match choice_of(k + c_index, c.option_count(), c.seats() as usize) {
                None => {
                    entry.1 += 1;
                    choices.push(ContestChoice::blank());
                }
                Some(picked) => {
                    for &o in &picked {
                        entry.2[o as usize] += 1;
                    }
                    choices.push(ContestChoice::select(picked));
                }
            }
        }
        vote(&h.state, v, &choices).await;
    }
    expected
}

fn pdf_text(pdf: &[u8], dir: &std::path::Path) -> String {
    let path = dir.join("pv.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn pdf_to_png(pdf: &[u8], dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let path = dir.join("pv-render.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftoppm")
        .args(["-png", "-r", "60"])
        .arg(&path)
        .arg(dir.join("pv"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut pngs: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pngs.sort();
    pngs
}

/// The share of dark pixels in the top half of page 1, from a greyscale rendering.
fn ink_in_top_half(pdf: &[u8], dir: &std::path::Path) -> f64 {
    let path = dir.join("ink.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftoppm")
        .args(["-gray", "-r", "40", "-f", "1", "-l", "1"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    // Binary PGM: "P5\n<w> <h>\n255\n" then one byte per pixel.
    let data = out.stdout;
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while data[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !data[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..i]).into_owned());
    }
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let pixels = &data[i + 1..];
    let top = &pixels[..w * h / 2];
    top.iter().filter(|&&p| p < 128).count() as f64 / top.len() as f64
}

async fn full_election(kind: Kind) {
    let h = Harness::new(kind).await;
    let p = people(&h).await;
    prepare(&h, &p).await;

    // No tally before there is even a key, a box or a close (R-61).
    let early = p
        .assessor1
        .post("/admin/api/contests/011-C/CCIR/tally", &json!({}))
        .await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        early.json
    );
    assert_eq!(early.code(), "not_ready");

    // The ceremony: only the COE president of the chamber names the trustees.
    let start = json!({ "trustees": ["president@ain.cci.fr", "assesseur1@ain.cci.fr", "assesseur2@ain.cci.fr"], "threshold": 2 });
    let path = "/admin/api/chambers/011/ceremony";
    assert_eq!(p.assessor1.post(path, &start).await.code(), "forbidden");
    assert_eq!(
        p.other_president.post(path, &start).await.code(),
        "out_of_perimeter"
    );
    assert_eq!(
        p.president.post_without_csrf(path, &start).await.code(),
        "csrf"
    );
    let bad = json!({ "trustees": ["president@ain.cci.fr", "cele@ain.cci.fr"], "threshold": 2 });
    assert_eq!(
        p.president.post(path, &bad).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let one =
        json!({ "trustees": ["president@ain.cci.fr", "assesseur1@ain.cci.fr"], "threshold": 1 });
    assert_eq!(
        p.president.post(path, &one).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let started = p.president.post(path, &start).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.json);
    assert_eq!(started.json["step"], "announcements");
    assert_eq!(started.json["you"], 1);

    // A dealing before every transport key is known is refused; a message in another
    // trustee's name too.
    {
        use scrutin_crypto::dkg::{DkgParameters, Registered};
        let params: DkgParameters =
            serde_json::from_value(started.json["parameters"].clone()).unwrap();
        let (_, ann) = Registered::new(params.clone(), 2, &mut rand::rngs::OsRng).unwrap();
        let a = p
            .assessor2
            .post(&format!("{path}/announcements"), &ann)
            .await;
        assert_eq!(a.code(), "wrong_trustee", "{}", a.json);
        let a = p
            .other_member
            .post(&format!("{path}/announcements"), &ann)
            .await;
        assert_eq!(a.code(), "out_of_perimeter");
        let a = p.cele.post(&format!("{path}/announcements"), &ann).await;
        assert_eq!(a.code(), "forbidden");
    }
    let shares = run_ceremony(&[&p.president, &p.assessor1, &p.assessor2]).await;
    let view = p.observer.get(path).await.json;
    assert_eq!(view["status"], "complete");
    assert_eq!(view["confirmations"], 3);
    let y = view["public_key"].as_str().unwrap().to_owned();
    for s in &shares {
        assert_eq!(scrutin_crypto::encoding::point_to_hex(&s.public_key()), y);
    }
    assert_eq!(
        scrutin_admin::ceremony::election_key(&h.state, "011")
            .await
            .unwrap()
            .map(|k| scrutin_crypto::encoding::point_to_hex(&k)),
        Some(y.clone())
    );
    // Restarting once the key exists is refused.
    assert_eq!(
        p.president.post(path, &start).await.status,
        StatusCode::CONFLICT
    );

    // Voting material under the key, seal, open, vote, close.
    let voters = make_material(&h, &p.president).await;
    assert_eq!(voters.len(), 24);
    let a = p
        .president
        .post(
            "/admin/api/scrutins/state",
            &json!({ "scrutins": ["*"], "action": "open" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    h.clock.advance(Duration::days(10) + Duration::hours(1));
    let expected = cast_votes(&h, &voters).await;
    let open = p
        .assessor1
        .post("/admin/api/contests/011-C/CCIR/tally", &json!({}))
        .await;
    assert_eq!(open.code(), "not_ready");
    assert!(
        open.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("n'est pas clos"),
        "{}",
        open.json
    );
    let a = p
        .president
        .post(
            "/admin/api/scrutins/state",
            &json!({ "scrutins": ["*"], "action": "close" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);

    // Start of the tally: roles and perimeters.
    let tally = "/admin/api/contests/011-C/CCIR/tally";
    assert_eq!(p.observer.post(tally, &json!({})).await.code(), "forbidden");
    assert_eq!(p.admin.post(tally, &json!({})).await.code(), "forbidden");
    assert_eq!(
        p.other_president.post(tally, &json!({})).await.code(),
        "out_of_perimeter"
    );
    assert_eq!(
        p.other_president.get(tally).await.code(),
        "out_of_perimeter"
    );
    let started = p.assessor1.post(tally, &json!({})).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.json);
    assert_eq!(started.json["status"], "started");
    let (ballots, blank, votes) = expected["011-C/CCIR"].clone();
    assert_eq!(started.json["ballots"], json!(ballots));
    assert_eq!(started.json["threshold"], 2);
    assert!(started.json.get("results").is_none());

    // A wrong share is refused: trustee 1's share of other aggregates.
    let mut forged_view = started.json.clone();
    let mut aggregates = forged_view["aggregates"].as_array().unwrap().clone();
    aggregates.swap(0, 1);
    forged_view["aggregates"] = json!(aggregates);
    let wrong = decryption_share(&shares[0], &forged_view);
    let a = p.president.post(&format!("{tally}/shares"), &wrong).await;
    assert_eq!(a.code(), "invalid_share", "{}", a.json);
    // A right share sent by someone else than its trustee is refused.
    let right1 = decryption_share(&shares[0], &started.json);
    let a = p.assessor1.post(&format!("{tally}/shares"), &right1).await;
    assert_eq!(a.code(), "invalid_share", "{}", a.json);
    // The observer cannot send shares.
    assert_eq!(
        p.observer
            .post(&format!("{tally}/shares"), &right1)
            .await
            .code(),
        "forbidden"
    );

    // t − 1 shares: no result anywhere.
    let a = p.president.post(&format!("{tally}/shares"), &right1).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["status"], "started");
    assert_eq!(a.json["shares_from"], json!([1]));
    assert!(a.json.get("results").is_none());
    assert_eq!(
        p.observer
            .get("/admin/api/contests/011-C/CCIR/pv")
            .await
            .status,
        StatusCode::CONFLICT
    );
    let csv = p.observer.get("/admin/api/exports/results.csv").await;
    assert!(!String::from_utf8_lossy(&csv.bytes).contains("011-C/CCIR"));
    // The same share again is accepted (idempotent) and changes nothing.
    assert_eq!(
        p.president
            .post(&format!("{tally}/shares"), &right1)
            .await
            .json["shares_from"],
        json!([1])
    );

    // The second trustee's share decrypts.
    let right3 = decryption_share(&shares[2], &started.json);
    let done = p.assessor2.post(&format!("{tally}/shares"), &right3).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.json);
    assert_eq!(done.json["status"], "decrypted");
    let r = &done.json["results"]["results"];
    assert_eq!(r["ballots"], json!(ballots));
    assert_eq!(r["voters"], json!(ballots));
    assert_eq!(r["blank"], json!(blank));
    assert_eq!(r["null"], 0);
    assert_eq!(r["expressed"], json!(ballots - blank));
    assert_eq!(r["registered"], 9);
    assert_eq!(r["ballots_match_emargements"], true);
    let got: Vec<u64> = r["votes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["votes"].as_u64().unwrap())
        .collect();
    assert_eq!(got, votes);
    assert_eq!(done.json["results"]["trustees"], json!([1, 3]));
    assert_eq!(
        done.json["results"]["seats"]["elected"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A third share after the decryption is pointless and refused.
    let right2 = decryption_share(&shares[1], &started.json);
    assert_eq!(
        p.assessor1
            .post(&format!("{tally}/shares"), &right2)
            .await
            .status,
        StatusCode::CONFLICT
    );

    // Every other contest of the chamber, in another order, by other pairs of trustees.
    let contests = [
        "011-S/CCIT",
        "011-I/CCIR",
        "011-C/CCIT",
        "011-S/CCIR",
        "011-I/CCIT",
    ];
    for (n, c) in contests.iter().enumerate() {
        let path = format!("/admin/api/contests/{c}/tally");
        let v = p.president.post(&path, &json!({})).await;
        assert_eq!(v.status, StatusCode::OK, "{c}: {}", v.json);
        let pair: [(usize, &Session); 2] = if n % 2 == 0 {
            [(1, &p.assessor1), (2, &p.assessor2)]
        } else {
            [(0, &p.president), (1, &p.assessor1)]
        };
        let mut last = Value::Null;
        for (i, s) in pair {
            let d = decryption_share(&shares[i], &v.json);
            let a = s.post(&format!("{path}/shares"), &d).await;
            assert_eq!(a.status, StatusCode::OK, "{c}: {}", a.json);
            last = a.json;
        }
        assert_eq!(last["status"], "decrypted", "{c}");
        let (ballots, blank, votes) = expected[*c].clone();
        let r = &last["results"]["results"];
        assert_eq!(r["ballots"], json!(ballots), "{c}");
        assert_eq!(r["blank"], json!(blank), "{c}");
        let got: Vec<u64> = r["votes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["votes"].as_u64().unwrap())
            .collect();
        assert_eq!(got, votes, "{c}");
    }

    // The PV of 011-C/CCIR: PDF rendered and read back, CSV, JSON.
    let pv = p
        .observer
        .get("/admin/api/contests/011-C/CCIR/pv.pdf")
        .await;
    assert_eq!(pv.status, StatusCode::OK);
    assert_eq!(pv.content_type, "application/pdf");
    let dir = tempfile::tempdir().unwrap();
    let text = pdf_text(&pv.bytes, dir.path());
    for needle in [
        "PROCÈS-VERBAL",
        "CCI 011 — CCI de l'Ain",
        "011-C/CCIR",
        "Électeurs inscrits",
        "Votants (émargements)",
        "Suffrages exprimés",
        "Sont proclamés élus",
        "Le président de la commission",
        "conforme",
    ] {
        assert!(text.contains(needle), "PV text lacks {needle:?}:\n{text}");
    }
    let figures = |label: &str| {
        text.lines()
            .find(|l| l.contains(label))
            .and_then(|l| l.split_whitespace().last().map(str::to_owned))
            .unwrap_or_default()
    };
    assert_eq!(figures("Électeurs inscrits"), "9");
    assert_eq!(figures("Bulletins trouvés"), ballots.to_string());
    assert_eq!(figures("Bulletins blancs"), blank.to_string());
    assert_eq!(figures("Suffrages exprimés"), (ballots - blank).to_string());
    let pngs = pdf_to_png(&pv.bytes, dir.path());
    assert!(!pngs.is_empty());
    for png in &pngs {
        let bytes = std::fs::read(png).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        // An A4 page at 60 dpi is about 496 × 702 pixels.
        let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        assert!(
            (495..=497).contains(&width) && (701..=703).contains(&height),
            "{width}×{height}"
        );
    }
    // The first page carries ink where the title and the figures are.
    let ink = ink_in_top_half(&pv.bytes, dir.path());
    assert!(ink > 0.005, "first page almost blank: {ink}");
    let pv_csv = p
        .president
        .get("/admin/api/contests/011-C/CCIR/pv.csv")
        .await;
    let pv_csv = String::from_utf8(pv_csv.bytes).unwrap();
    assert!(pv_csv.starts_with('\u{feff}'));
    assert!(pv_csv.contains("inscrits;9"), "{pv_csv}");
    assert!(pv_csv.contains(&format!("blancs;{blank}")), "{pv_csv}");
    let pv_json = p.observer.get("/admin/api/contests/011-C/CCIR/pv").await;
    assert_eq!(pv_json.json["pv"]["expressed"], json!(ballots - blank));
    assert_eq!(
        p.cele
            .get("/admin/api/contests/011-C/CCIR/pv.pdf")
            .await
            .code(),
        "forbidden"
    );
    assert_eq!(
        p.other_president
            .get("/admin/api/contests/011-C/CCIR/pv.pdf")
            .await
            .code(),
        "out_of_perimeter"
    );

    // Exports: results of every contest of the perimeter; nothing of 011 for chamber 381.
    let csv = p.cci_france.get("/admin/api/exports/results.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let csv = String::from_utf8(csv.bytes).unwrap();
    for c in [
        "011-C/CCIR",
        "011-C/CCIT",
        "011-I/CCIR",
        "011-I/CCIT",
        "011-S/CCIR",
        "011-S/CCIT",
    ] {
        assert!(csv.contains(c), "{c} missing from results.csv");
    }
    // The formula-like names are neutralised: an apostrophe keeps them text.
    assert!(
        csv.contains("'=HYPERLINK") && csv.contains(";'@Malin;"),
        "{csv}"
    );
    assert!(
        !csv.contains(";=HYPERLINK") && !csv.contains("\"=HYPERLINK") && !csv.contains(";@Malin")
    );
    let foreign = p
        .other_president
        .get("/admin/api/exports/results.csv")
        .await;
    assert!(!String::from_utf8_lossy(&foreign.bytes).contains("011-"));
    let seats =
        String::from_utf8(p.observer.get("/admin/api/exports/seats.csv").await.bytes).unwrap();
    assert!(
        seats.contains("élu CCIR")
            && seats.contains("suppléant d'un élu CCIR")
            && seats.contains("élu CCIT"),
        "{seats}"
    );

    // Re-running the tally from the box gives the same; every seal checks.
    let again = p
        .observer
        .get("/admin/api/contests/011-C/CCIR/tally/verify")
        .await;
    assert_eq!(again.json["all_ok"], true, "{}", again.json);
    let check = p.observer.get("/admin/api/seals/check").await;
    assert_eq!(check.json["all_ok"], true, "{}", check.json);
    let kinds: Vec<&str> = check.json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"results") && kinds.contains(&"custom:election-key"),
        "{kinds:?}"
    );

    // The émargement list, encrypted for the COE.
    let export = "/admin/api/scrutins/011-C/emargements/export";
    assert_eq!(
        p.assessor1
            .post(export, &json!({ "passphrase": "court" }))
            .await
            .code(),
        "weak_passphrase"
    );
    assert_eq!(
        p.observer
            .post(export, &json!({ "passphrase": "Une-Phrase-Longue-2026" }))
            .await
            .code(),
        "forbidden"
    );
    assert_eq!(
        p.other_president
            .post(export, &json!({ "passphrase": "Une-Phrase-Longue-2026" }))
            .await
            .code(),
        "out_of_perimeter"
    );
    let e = p
        .assessor1
        .post(export, &json!({ "passphrase": "Une-Phrase-Longue-2026" }))
        .await;
    assert_eq!(e.status, StatusCode::OK, "{}", e.json);
    let sealed: scrutin_admin::exports::EncryptedExport = serde_json::from_slice(&e.bytes).unwrap();
    assert!(!String::from_utf8_lossy(&e.bytes).contains("GARCIA"));
    assert!(scrutin_admin::exports::open_export(&sealed, "Une-Phrase-Longue-2027").is_err());
    let plain = scrutin_admin::exports::open_export(&sealed, "Une-Phrase-Longue-2026").unwrap();
    let plain = String::from_utf8(plain.to_vec()).unwrap();
    assert_eq!(plain.lines().count(), 1 + ballots as usize, "{plain}");
    assert!(
        plain.contains("numero_electeur")
            && plain.contains("GARCIA")
            && plain.contains("0110000000001"),
        "{plain}"
    );

    // Close of tallying: the president only, then frozen (R-64).
    let close = "/admin/api/scrutins/011-C/tally/close";
    assert_eq!(
        p.assessor1.post(close, &json!({})).await.code(),
        "forbidden"
    );
    assert_eq!(
        p.other_president.post(close, &json!({})).await.code(),
        "out_of_perimeter"
    );
    let closed = p.president.post(close, &json!({})).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.json);
    assert_eq!(closed.json["seal"]["kind"], "archive");
    assert_eq!(
        p.president.post(close, &json!({})).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        p.president.post(tally, &json!({})).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        p.president
            .post(&format!("{tally}/shares"), &right1)
            .await
            .status,
        StatusCode::CONFLICT
    );
    let list = p.president.get("/admin/api/tally").await.json;
    let c = list["contests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contest"] == "011-C/CCIR")
        .unwrap();
    assert_eq!(c["frozen"], true);
    assert_eq!(c["status"], "decrypted");
    let check = p.observer.get("/admin/api/seals/check").await;
    assert_eq!(check.json["all_ok"], true, "{}", check.json);

    // The journal's chain holds every step.
    let journal = p.observer.get("/admin/api/journal/verify").await;
    assert_eq!(journal.status, StatusCode::OK, "{}", journal.json);
    let kinds: Vec<String> = scrutin_store::journal::entries(&h.state.stores.registry, 0, 100_000)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind.clone())
        .collect();
    for k in [
        "ceremony-started",
        "ceremony-message",
        "ceremony-complete",
        "tally-started",
        "decryption-share",
        "tally-decrypted",
        "tally-closed",
        "export-emargements",
    ] {
        assert!(kinds.iter().any(|x| x == k), "journal lacks {k}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_election_from_upload_to_pv_on_sqlite() {
    full_election(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_election_from_upload_to_pv_on_postgres() {
    full_election(Kind::Postgres).await;
}

/// Every ceremony and tally route, tried by each role in and out of the perimeter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_ceremony_and_tally_route_checks_role_and_perimeter() {
    let h = Harness::new(Kind::Sqlite).await;
    let p = people(&h).await;
    prepare(&h, &p).await;
    let start = json!({ "trustees": ["president@ain.cci.fr", "assesseur1@ain.cci.fr", "assesseur2@ain.cci.fr"], "threshold": 2 });
    assert_eq!(
        p.president
            .post("/admin/api/chambers/011/ceremony", &start)
            .await
            .status,
        StatusCode::OK
    );
    run_ceremony(&[&p.president, &p.assessor1, &p.assessor2]).await;
    make_material(&h, &p.president).await;

    // (method, path, roles allowed among president, assessor, cele, observer, admin, cci_france)
    let routes: &[(&str, &str, [bool; 6])] = &[
        (
            "GET",
            "/admin/api/chambers/011/ceremony",
            [true, true, true, true, true, true],
        ),
        (
            "GET",
            "/admin/api/chambers/011/ceremony/transcript",
            [true, true, true, true, true, true],
        ),
        (
            "POST",
            "/admin/api/chambers/011/ceremony",
            [true, false, false, false, false, false],
        ),
        (
            "POST",
            "/admin/api/chambers/011/ceremony/announcements",
            [true, true, false, false, false, false],
        ),
        (
            "POST",
            "/admin/api/chambers/011/ceremony/dealings",
            [true, true, false, false, false, false],
        ),
        (
            "POST",
            "/admin/api/chambers/011/ceremony/checks",
            [true, true, false, false, false, false],
        ),
        (
            "POST",
            "/admin/api/chambers/011/ceremony/confirmations",
            [true, true, false, false, false, false],
        ),
        (
            "GET",
            "/admin/api/contests/011-C/CCIR/tally",
            [true, true, false, true, true, true],
        ),
        (
            "POST",
            "/admin/api/contests/011-C/CCIR/tally",
            [true, true, false, false, false, false],
        ),
        (
            "POST",
            "/admin/api/contests/011-C/CCIR/tally/shares",
            [true, true, false, false, false, false],
        ),
        (
            "GET",
            "/admin/api/contests/011-C/CCIR/tally/verify",
            [true, true, false, true, true, true],
        ),
        (
            "GET",
            "/admin/api/contests/011-C/CCIR/pv",
            [true, true, false, true, true, true],
        ),
        (
            "GET",
            "/admin/api/contests/011-C/CCIR/pv.csv",
            [true, true, false, true, true, true],
        ),
        (
            "GET",
            "/admin/api/contests/011-C/CCIR/pv.pdf",
            [true, true, false, true, true, true],
        ),
        (
            "POST",
            "/admin/api/scrutins/011-C/tally/close",
            [true, false, false, false, false, false],
        ),
        (
            "POST",
            "/admin/api/scrutins/011-C/emargements/export",
            [true, true, false, false, false, false],
        ),
    ];
    let who = [
        &p.president,
        &p.assessor1,
        &p.cele,
        &p.observer,
        &p.admin,
        &p.cci_france,
    ];
    // A body each route parses, so a refusal can only come from the guard.
    let body_of = |path: &str| -> Value {
        if path.ends_with("/shares") {
            json!({ "trustee": 1, "factors": [] })
        } else if path.ends_with("/export") {
            json!({ "passphrase": "Une-Phrase-Longue-2026" })
        } else if path.ends_with("/checks") {
            json!({ "complaints": [] })
        } else if path.ends_with("/confirmations") {
            json!({ "verification_key": "00", "transcript_digest": "00" })
        } else if path.ends_with("/ceremony") {
            json!({ "trustees": ["president@ain.cci.fr", "assesseur1@ain.cci.fr"], "threshold": 2 })
        } else if path.ends_with("/announcements") || path.ends_with("/dealings") {
            Value::Null
        } else {
            json!({})
        }
    };
    let transcript = p
        .observer
        .get("/admin/api/chambers/011/ceremony/transcript")
        .await
        .json;
    // A body each route parses (ceremony messages taken from the transcript), so a refusal
    // can only come from the role and perimeter checks.
    let send = |s: &Session, method: &str, path: &str| {
        let (s, method, path) = (s.clone(), method.to_owned(), path.to_owned());
        let mut body = body_of(&path);
        if body.is_null() {
            body = if path.ends_with("/announcements") {
                transcript["transcript"]["roster"][0].clone()
            } else {
                transcript["transcript"]["dealings"][0].clone()
            };
        }
        async move {
            if method == "GET" {
                s.get(&path).await
            } else {
                s.post(&path, &body).await
            }
        }
    };
    for (method, path, allowed) in routes {
        for (s, ok) in who.iter().zip(allowed) {
            let a = send(s, method, path).await;
            if *ok {
                assert!(
                    !matches!(
                        a.code(),
                        "forbidden" | "out_of_perimeter" | "csrf" | "unauthenticated"
                    ),
                    "{method} {path} by {} refused: {}",
                    s.email,
                    a.json
                );
            } else {
                assert_eq!(
                    a.status,
                    StatusCode::FORBIDDEN,
                    "{method} {path} by {}: {}",
                    s.email,
                    a.json
                );
                assert_eq!(a.code(), "forbidden", "{method} {path} by {}", s.email);
            }
        }
        // Chamber 381's COE is outside chamber 011's perimeter on every route.
        for s in [&p.other_president, &p.other_member] {
            let a = send(s, method, path).await;
            assert_eq!(
                a.status,
                StatusCode::FORBIDDEN,
                "{method} {path} by {}: {}",
                s.email,
                a.json
            );
            assert!(
                matches!(a.code(), "out_of_perimeter" | "forbidden"),
                "{method} {path}: {}",
                a.json
            );
            if s.email.starts_with("president") {
                assert_eq!(a.code(), "out_of_perimeter", "{method} {path}");
            }
        }
        // No session, no access.
        let anonymous = if *method == "GET" {
            h.http
                .get(format!("{}{path}", h.base))
                .send()
                .await
                .unwrap()
        } else {
            h.http
                .post(format!("{}{path}", h.base))
                .json(&body_of(path))
                .send()
                .await
                .unwrap()
        };
        assert_eq!(
            anonymous.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
    }
    // CSRF on every state-changing route.
    for (method, path, _) in routes.iter().filter(|r| r.0 == "POST") {
        let a = p.president.post_without_csrf(path, &body_of(path)).await;
        assert_eq!(a.code(), "csrf", "{method} {path}");
    }
}
