//! A full election of chamber 011 where the three key holders use the `scrutin trustee`
//! binary against a real admin server over HTTP: the ceremony (three processes running at
//! once, each waiting for the others), then two of them decrypting, the PV, and the
//! encrypted émargement export opened with the CLI.
#![allow(clippy::unwrap_used)]

#[path = "../../admin-server/tests/tally_support/mod.rs"]
mod tally_support;

use std::path::Path;
use std::process::{Command, Output};

use chrono::Duration;
use scrutin_crypto::ballot::ContestChoice;
use scrutin_crypto::keyfile::KeyShareFile;
use scrutin_store::Kind;
use serde_json::json;
use tally_support::*;

const SHARE_PASSWORD: &str = "Part-de-cle-2026!";

fn trustee(base: &str, email: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scrutin"));
    c.arg("trustee")
        .args(args)
        .args(["--server", base, "--email", email])
        .env("SCRUTIN_ADMIN_PASSWORD", PASSWORD)
        .env("SCRUTIN_SHARE_PASSWORD", SHARE_PASSWORD)
        .env_remove("SCRUTIN_ADMIN_URL")
        .env_remove("SCRUTIN_ADMIN_EMAIL");
    c
}

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn failed(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "should have failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn three_holders_run_the_ceremony_and_two_decrypt_with_the_cli() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name).display().to_string();
    let (h, p) = rt.block_on(async {
        let h = Harness::new(Kind::Sqlite).await;
        let p = people(&h).await;
        prepare(&h, &p).await;
        let a = p
            .president
            .post(
                "/admin/api/chambers/011/ceremony",
                &json!({ "trustees": ["president@ain.cci.fr", "assesseur1@ain.cci.fr", "assesseur2@ain.cci.fr"], "threshold": 2 }),
            )
            .await;
        assert_eq!(a.status, reqwest::StatusCode::OK, "{}", a.json);
        (h, p)
    });
    let base = h.base.clone();
    let holders = [
        ("president@ain.cci.fr", "p"),
        ("assesseur1@ain.cci.fr", "a1"),
        ("assesseur2@ain.cci.fr", "a2"),
    ];

    // One step without --wait: step 1 done, then it says what it waits for.
    let first = ok(&trustee(
        &base,
        holders[0].0,
        &[
            "ceremony",
            "--chamber",
            "011",
            "--state",
            &d("p.state"),
            "--share-file",
            &d("p.json"),
        ],
    )
    .output()
    .unwrap());
    assert!(
        first.contains("Waiting for the other holders' transport keys (1/3)"),
        "{first}"
    );
    // The state file is sealed: its secret is not readable without the password.
    let state = std::fs::read_to_string(d("p.state")).unwrap();
    assert!(
        state.contains("\"format\": \"scrutin-dkg-state\"")
            && state.contains("\"step\": \"registered\"")
    );
    let wrong = trustee(
        &base,
        holders[0].0,
        &["ceremony", "--chamber", "011", "--state", &d("p.state")],
    )
    .env("SCRUTIN_SHARE_PASSWORD", "Pas-le-bon-mot-2026")
    .output()
    .unwrap();
    assert!(
        failed(&wrong).contains("wrong password"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );

    // The three holders at once, each waiting for the others.
    let children: Vec<_> = holders
        .iter()
        .map(|(email, tag)| {
            trustee(
                &base,
                email,
                &[
                    "ceremony",
                    "--chamber",
                    "011",
                    "--wait",
                    "--poll",
                    "1",
                    "--state",
                    &d(&format!("{tag}.state")),
                    "--share-file",
                    &d(&format!("{tag}.json")),
                ],
            )
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let mut keys = Vec::new();
    for child in children {
        let out = ok(&child.wait_with_output().unwrap());
        assert!(out.contains("Key ceremony complete."), "{out}");
        keys.push(
            out.split("Election key ")
                .nth(1)
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_owned(),
        );
    }
    assert!(keys.iter().all(|k| k == &keys[0]));
    for (_, tag) in &holders {
        assert!(
            !Path::new(&d(&format!("{tag}.state"))).exists(),
            "state of {tag} kept"
        );
        let file =
            KeyShareFile::from_json(&std::fs::read_to_string(d(&format!("{tag}.json"))).unwrap())
                .unwrap();
        assert_eq!(
            scrutin_crypto::encoding::point_to_hex(&file.public.public_key),
            keys[0]
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(d(&format!("{tag}.json")))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
    let status = ok(
        &trustee(&base, holders[1].0, &["status", "--chamber", "011"])
            .output()
            .unwrap(),
    );
    assert!(
        status.contains("complete")
            && status.contains("You are trustee 2")
            && status.contains(&keys[0]),
        "{status}"
    );

    // The vote, under that key.
    let expected_blank = rt.block_on(async {
        let voters = make_material(&h, &p.president).await;
        let a = p
            .president
            .post(
                "/admin/api/scrutins/state",
                &json!({ "scrutins": ["*"], "action": "open" }),
            )
            .await;
        assert_eq!(a.status, reqwest::StatusCode::OK, "{}", a.json);
        h.clock.advance(Duration::days(10) + Duration::hours(2));
        let mut blank = 0;
        for (k, v) in voters
            .iter()
            .filter(|v| v.scrutin_id == "011-C")
            .enumerate()
        {
            // CCIR: voters 0 and 1 blank, the others name candidate k % 5; CCIT: candidate 0.
            let ccir = if k < 2 {
                blank += 1;
                ContestChoice::blank()
            } else {
                ContestChoice::select([(k % 5) as u32])
            };
            vote(&h.state, v, &[ccir, ContestChoice::select([0])]).await;
        }
        let a = p
            .president
            .post(
                "/admin/api/scrutins/state",
                &json!({ "scrutins": ["*"], "action": "close" }),
            )
            .await;
        assert_eq!(a.status, reqwest::StatusCode::OK, "{}", a.json);
        blank
    });

    // A holder cannot use another holder's file; a wrong password opens nothing.
    let other = trustee(
        &base,
        holders[1].0,
        &[
            "decrypt",
            "--contest",
            "011-C/CCIR",
            "--share-file",
            &d("p.json"),
        ],
    )
    .output()
    .unwrap();
    assert!(
        failed(&other).contains("not that holder"),
        "{}",
        String::from_utf8_lossy(&other.stderr)
    );
    let wrong = trustee(
        &base,
        holders[0].0,
        &[
            "decrypt",
            "--contest",
            "011-C/CCIR",
            "--share-file",
            &d("p.json"),
        ],
    )
    .env("SCRUTIN_SHARE_PASSWORD", "Pas-le-bon-mot-2026")
    .output()
    .unwrap();
    assert!(
        failed(&wrong).contains("wrong password"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );

    // Two of three decrypt: the president, then the second assessor.
    let one = ok(&trustee(
        &base,
        holders[0].0,
        &[
            "decrypt",
            "--contest",
            "011-C/CCIR",
            "--share-file",
            &d("p.json"),
        ],
    )
    .output()
    .unwrap());
    assert!(one.contains("accepted (1 of the 2 needed"), "{one}");
    let two = ok(&trustee(
        &base,
        holders[2].0,
        &[
            "decrypt",
            "--contest",
            "011-C/CCIR",
            "--share-file",
            &d("a2.json"),
        ],
    )
    .output()
    .unwrap());
    assert!(two.contains("is decrypted (9 ballots)"), "{two}");

    rt.block_on(async {
        let view = p
            .observer
            .get("/admin/api/contests/011-C/CCIR/tally")
            .await
            .json;
        let r = &view["results"]["results"];
        assert_eq!(r["ballots"], 9);
        assert_eq!(r["blank"], json!(expected_blank));
        assert_eq!(r["expressed"], json!(9 - expected_blank));
        let votes: Vec<u64> = r["votes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["votes"].as_u64().unwrap())
            .collect();
        // Voters 2…8 named candidate k % 5: 2,3,4,0,1,2,3.
        assert_eq!(votes, vec![1, 1, 2, 2, 1]);
        let pv = p
            .president
            .get("/admin/api/contests/011-C/CCIR/pv.pdf")
            .await;
        assert_eq!(pv.status, reqwest::StatusCode::OK);
        assert!(pv.bytes.starts_with(b"%PDF-"));
    });

    // The émargement list, exported encrypted and opened with the CLI.
    let file = dir.path().join("emargement.chiffre.json");
    rt.block_on(async {
        let e = p
            .assessor1
            .post(
                "/admin/api/scrutins/011-C/emargements/export",
                &json!({ "passphrase": "Phrase-Export-Secrete-1" }),
            )
            .await;
        assert_eq!(e.status, reqwest::StatusCode::OK, "{}", e.json);
        std::fs::write(&file, &e.bytes).unwrap();
    });
    let out = dir.path().join("emargement.csv");
    let opened = ok(&Command::new(env!("CARGO_BIN_EXE_scrutin"))
        .args(["trustee", "open-export", "--file"])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .env("SCRUTIN_EXPORT_PASSPHRASE", "Phrase-Export-Secrete-1")
        .output()
        .unwrap());
    assert!(opened.contains("decrypted into"), "{opened}");
    let csv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(csv.lines().count(), 10, "{csv}");
    assert!(csv.contains("GARCIA"));
    let refused = Command::new(env!("CARGO_BIN_EXE_scrutin"))
        .args(["trustee", "open-export", "--file"])
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("again.csv"))
        .env("SCRUTIN_EXPORT_PASSPHRASE", "Phrase-Export-Secrete-2")
        .output()
        .unwrap();
    assert!(failed(&refused).contains("phrase de passe incorrecte"));
    drop(p);
    drop(h);
}
