//! The election record of a real election — chamber 011 run end to end through the admin
//! server over HTTP (upload, candidates, key ceremony with 3 trustees, material, vote,
//! close, tally by 2 of 3, close of tallying) — exported from the stores and verified by
//! the independent verifier, on SQLite and PostgreSQL: everything passes. Then each kind
//! of tampering is caught by the right check, with the manifest rewritten by the
//! "attacker" so that the other checks must catch it. A partial record, exported during the
//! vote, verifies with the checks that cannot apply yet skipped. The `scrutin verify` and
//! `scrutin export-record` commands give exit codes 0, 2 and 1.
#![allow(clippy::unwrap_used)]

#[path = "../../admin-server/tests/tally_support/mod.rs"]
mod tally_support;

mod record_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use ed25519_dalek::Signer;
use rand::rngs::OsRng;
use record_support::{Done, run_election, style_of};
use scrutin_crypto::ballot::{Ballot, BallotStyle, ContestChoice, encrypt_ballot};
use scrutin_election::record::paths;
use scrutin_store::Kind;
use scrutin_store::record_export::export_record;
use scrutin_verify::synthetic::reseal_manifest;
use scrutin_verify::{Report, Status, VerifyOptions, verify_path};
use serde_json::{Value, json};

fn verify(dir: &Path, key: [u8; 32]) -> Report {
    verify_path(
        dir,
        &VerifyOptions {
            platform_key: Some(key),
            ..VerifyOptions::default()
        },
    )
}

/// Every byte of every file of a record.
fn all_text(dir: &Path) -> String {
    let mut out = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push_str(&String::from_utf8_lossy(&std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

fn assert_full_record_passes(done: &Done, dir: &Path) {
    let report = verify(dir, done.platform_key);
    assert!(report.passed(), "{report}");
    for c in &report.checks {
        assert_eq!(c.status, Status::Passed, "{} should pass: {report}", c.name);
    }
    assert!(!report.partial);
    let ballots = report.check("ballots").unwrap().checked;
    assert_eq!(report.check("voting-keys").unwrap().checked, ballots);
    assert!(ballots >= 18, "{ballots} ballots");
    // Results, seats and every recomputable seal were really recomputed.
    assert_eq!(report.check("results").unwrap().checked, 6);
    assert_eq!(report.check("seats").unwrap().checked, 6);
    assert_eq!(report.check("decryption").unwrap().checked, 6);
    let subjects = report.check("seal-subjects").unwrap();
    // election key, candidates, 3 box-closed, 6 results, 1 archive.
    assert!(subjects.checked >= 12, "{subjects:?}");
}

/// The journal's payloads as text (the record holds them as hex).
fn journal_payloads(dir: &Path) -> String {
    let lines = std::fs::read_to_string(dir.join("journal/entries.jsonl")).unwrap();
    let mut out = String::new();
    for line in lines.lines() {
        let entry: Value = serde_json::from_str(line).unwrap();
        let payload = hex::decode(entry["payload"].as_str().unwrap()).unwrap();
        out.push_str(&String::from_utf8(payload).unwrap());
        out.push('\n');
    }
    out
}

async fn personal_data_is_absent(done: &Done, dir: &Path) {
    let payloads = journal_payloads(dir);
    // Accounts of the control interface appear by id, never by email (record-format §3.10).
    assert!(payloads.contains("\"actor\""), "{payloads}");
    assert!(
        !payloads.contains('@'),
        "an email in the journal:\n{payloads}"
    );
    let text = all_text(dir) + &payloads;
    // Voter file names and numbers (fixtures/voters-011.csv), birth dates, login material.
    for needle in [
        "ELEC-011-000001",
        "226727008",
        "20091974",
        "113 RUE VICTOR HUGO",
        "+33660351650",
        "0110000000001",
    ] {
        assert!(!text.contains(needle), "the record holds {needle:?}");
    }
    for v in &done.voters {
        assert!(
            !text.contains(&v.right_id),
            "right id {} in the record",
            v.right_id
        );
        assert!(
            !text.contains(v.code.display().as_str()),
            "secret code in the record"
        );
    }
    for r in done
        .h
        .state
        .stores
        .electors
        .right_summaries("011")
        .await
        .unwrap()
    {
        if let Some(id) = &r.identifier {
            assert!(
                !text.contains(id.as_str()),
                "login identifier in the record"
            );
        }
        if let Some(login) = &r.login_key {
            assert!(
                !text.contains(&hex::encode(login)),
                "login key in the record"
            );
        }
        if let Some(check) = &r.birth_check {
            assert!(
                !text.contains(&hex::encode(check)),
                "birth check in the record"
            );
        }
    }
    // No secret key.
    assert!(!text.contains(&hex::encode(done.h.state.platform_key.to_bytes())));
    assert!(!text.contains(&hex::encode(done.h.state.master_key.to_bytes())));
}

fn copy_of(from: &Path, to: &Path) -> PathBuf {
    let status = Command::new("cp")
        .arg("-r")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
    to.to_path_buf()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn write_json(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_vec_pretty(v).unwrap()).unwrap();
}

fn ballot_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn write_lines(path: &Path, lines: &[Value]) {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(path, text).unwrap();
}

/// Tampers with a copy of the record (manifest rewritten), verifies, and checks that
/// `expected` is among the failed checks.
/// A valid ballot, blank in every contest of `style`, signed with `key`.
fn blank_ballot(style: &BallotStyle, key: &ed25519_dalek::SigningKey) -> Ballot {
    let choices: Vec<ContestChoice> = style
        .contests()
        .iter()
        .map(|_| ContestChoice::blank())
        .collect();
    encrypt_ballot(style, &choices, key, &mut OsRng).unwrap()
}

/// Appends a ballot to 011-C's ballots file of a record, in its last epoch.
fn append_ballot(dir: &Path, ballot: &Ballot) {
    let p = dir.join(paths::ballots("011-C"));
    let mut lines = ballot_lines(&p);
    let epoch = lines.last().unwrap()["epoch"].clone();
    lines.push(json!({ "epoch": epoch, "ballot": serde_json::to_value(ballot).unwrap() }));
    write_lines(&p, &lines);
}

fn caught(
    done: &Done,
    pristine: &Path,
    work: &Path,
    what: &str,
    expected: &str,
    tamper: impl FnOnce(&Path),
) -> Report {
    let dir = copy_of(pristine, &work.join(what));
    tamper(&dir);
    reseal_manifest(&dir).unwrap();
    let report = verify(&dir, done.platform_key);
    let failed = report.failed_checks();
    assert!(
        failed.contains(&expected),
        "{what}: {expected} should fail, failed: {failed:?}\n{report}"
    );
    assert!(!failed.contains(&"manifest"), "{what}: manifest rewritten");
    report
}

async fn tamperings(done: &Done, pristine: &Path) {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let ballots = pristine.join(paths::ballots("011-C"));
    let style = style_of(&done.h, "011-C").await;

    // A changed ballot: two of its ciphertexts swapped.
    let r = caught(done, pristine, w, "changed-ballot", "ballots", |d| {
        let p = d.join(paths::ballots("011-C"));
        let mut lines = ballot_lines(&p);
        let c = &mut lines[1]["ballot"]["contests"][0];
        let first = c["options"][0].clone();
        c["options"][0] = c["options"][1].clone();
        c["options"][1] = first;
        write_lines(&p, &lines);
    });
    assert_eq!(r.check("ballots").unwrap().failed, 1);
    assert!(r.check("ballots").unwrap().failures[0].contains("ligne 2"));

    // A dropped ballot: the board's last head no longer covers the box, and the box no
    // longer matches the émargements nor the aggregates.
    let r = caught(done, pristine, w, "dropped-ballot", "board", |d| {
        let p = d.join(paths::ballots("011-C"));
        let mut lines = ballot_lines(&p);
        lines.remove(2);
        write_lines(&p, &lines);
    });
    let failed = r.failed_checks();
    assert!(
        failed.contains(&"emargements") && failed.contains(&"aggregates"),
        "{failed:?}"
    );

    // The last epoch dropped with its ballots (heads and box agree): the journal still
    // records that head.
    let r = caught(done, pristine, w, "dropped-epoch", "board", |d| {
        let p = d.join(paths::board("011-S"));
        let mut b = read_json(&p);
        let last = b["heads"].as_array_mut().unwrap().pop().unwrap();
        write_json(&p, &b);
        let p = d.join(paths::ballots("011-S"));
        let lines: Vec<Value> = ballot_lines(&p)
            .into_iter()
            .filter(|l| l["epoch"] != last["epoch"])
            .collect();
        write_lines(&p, &lines);
    });
    assert!(
        r.check("board").unwrap().failures[0].contains("le journal enregistre la tête"),
        "{r}"
    );

    // An added ballot, valid, with a fresh voting key outside the scrutin's set.
    let extra = blank_ballot(&style, &ed25519_dalek::SigningKey::generate(&mut OsRng));
    let r = caught(done, pristine, w, "added-ballot", "voting-keys", |d| {
        append_ballot(d, &extra)
    });
    assert!(r.check("voting-keys").unwrap().failures[0].contains("absente"));
    assert!(
        !r.failed_checks().contains(&"ballots"),
        "the added ballot itself is valid"
    );

    // A second ballot under a voting key that already voted (a voter of 011-C who voted).
    let voter = done
        .voters
        .iter()
        .find(|v| v.scrutin_id == "011-C")
        .unwrap();
    let twice = blank_ballot(&style, &voter.code.voting_signing_key("CCI-2026", "011-C"));
    let r = caught(done, pristine, w, "duplicated-key", "voting-keys", |d| {
        append_ballot(d, &twice)
    });
    assert!(
        r.check("voting-keys")
            .unwrap()
            .failures
            .iter()
            .any(|f| f.contains("déjà utilisée")),
        "{r}"
    );

    // An altered aggregate: the blank and first option aggregates swapped.
    caught(done, pristine, w, "aggregate", "aggregates", |d| {
        let p = d.join(paths::tally("011-C/CCIR"));
        let mut t = read_json(&p);
        let a = t["aggregates"][0].clone();
        t["aggregates"][0] = t["aggregates"][1].clone();
        t["aggregates"][1] = a;
        write_json(&p, &t);
    });

    // A wrong decryption share: one factor replaced by another (a valid point).
    let r = caught(done, pristine, w, "share", "decryption-shares", |d| {
        let p = d.join(paths::tally("011-C/CCIT"));
        let mut t = read_json(&p);
        let f = t["shares"][0]["factors"][1]["factor"].clone();
        t["shares"][0]["factors"][0]["factor"] = f;
        write_json(&p, &t);
    });
    assert!(r.check("decryption-shares").unwrap().failures[0].contains("011-C/CCIT"));

    // An altered result: one vote moved between two candidates.
    caught(done, pristine, w, "result", "results", |d| {
        let p = d.join(paths::tally("011-I/CCIR"));
        let mut t = read_json(&p);
        let votes = &mut t["results"]["results"]["votes"];
        let a = votes[0]["votes"].as_u64().unwrap();
        let b = votes[1]["votes"].as_u64().unwrap();
        votes[0]["votes"] = json!(a + 1);
        votes[1]["votes"] = json!(b.saturating_sub(1) + u64::from(b == 0));
        write_json(&p, &t);
    });

    // An altered seat allocation: an elected candidate replaced by the first non-elected.
    caught(done, pristine, w, "seats", "seats", |d| {
        let p = d.join(paths::tally("011-S/CCIT"));
        let mut t = read_json(&p);
        let seats = &mut t["results"]["seats"];
        let loser = seats["ranking"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["option"].clone())
            .find(|o| !seats["elected"].as_array().unwrap().contains(o))
            .unwrap();
        seats["elected"][0] = loser;
        write_json(&p, &t);
    });

    // An edited journal entry: one payload changed.
    let r = caught(done, pristine, w, "journal", "journal", |d| {
        let p = d.join(paths::JOURNAL_ENTRIES);
        let mut lines = ballot_lines(&p);
        let payload = hex::encode(br#"{"edited":true}"#);
        lines[3]["payload"] = json!(payload);
        write_lines(&p, &lines);
    });
    assert!(
        r.check("journal").unwrap().failures[0].contains("index 4"),
        "{r}"
    );

    // A forged seal: a seal's subject changed and signed again with another key than the
    // platform's.
    let forger = ed25519_dalek::SigningKey::generate(&mut OsRng);
    caught(done, pristine, w, "seal", "seals", |d| {
        let p = d.join(paths::SEALS);
        let mut seals: Vec<scrutin_crypto::seal::Seal> =
            serde_json::from_value(read_json(&p)).unwrap();
        let s = &mut seals[1];
        s.subject = [7u8; 32];
        s.signature = forger.sign(&s.signed_bytes()).to_bytes();
        write_json(&p, &serde_json::to_value(&seals).unwrap());
    });

    // A digest that does not match the manifest (manifest not rewritten).
    let dir = copy_of(pristine, &w.join("manifest"));
    let p = dir.join(paths::ballots("011-S"));
    let mut lines = ballot_lines(&p);
    lines.swap(0, 1);
    write_lines(&p, &lines);
    let r = verify(&dir, done.platform_key);
    assert!(r.failed_checks().contains(&"manifest"), "{r}");
    assert!(r.check("manifest").unwrap().failures[0].contains(&paths::ballots("011-S")));
    let _ = ballots;
}

fn scrutin_bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scrutin"))
}

fn cli_exit_codes(done: &Done, pristine: &Path) {
    let key = hex::encode(done.platform_key);
    let out = scrutin_bin()
        .args(["verify", "--quiet", "--platform-key", &key])
        .arg(pristine)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("RÉSULTAT : tout est vérifié"), "{stdout}");
    let out = scrutin_bin()
        .args(["verify", "--quiet", "--json"])
        .arg(pristine)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["platform_key_source"], "record");
    assert_eq!(json["checks"].as_array().unwrap().len(), 16);

    let work = tempfile::tempdir().unwrap();
    let bad = copy_of(pristine, &work.path().join("bad"));
    std::fs::write(bad.join(paths::SEALS), b"[]").unwrap();
    let out = scrutin_bin()
        .args(["verify", "--quiet"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("ÉCHEC") && l.contains("manifest")),
        "{stdout}"
    );

    let out = scrutin_bin()
        .args(["verify", "--quiet"])
        .arg(work.path().join("nothing-here"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

async fn full_flow(kind: Kind) -> (Done, tempfile::TempDir) {
    let done = run_election(kind).await;

    // The partial record, exported during the vote, verifies as far as it goes.
    let partial = done.partial.path().join("record");
    let report = verify(&partial, done.platform_key);
    assert!(report.passed(), "{report}");
    assert!(report.partial);
    let c = report.check("emargements").unwrap();
    assert_eq!(c.status, Status::Skipped, "{report}");
    assert!(c.skipped.iter().any(|s| s.contains("vote en cours")));
    for name in ["aggregates", "decryption", "results", "seats"] {
        assert_eq!(
            report.check(name).unwrap().status,
            Status::Skipped,
            "{name}"
        );
    }
    assert!(report.check("board").unwrap().status == Status::Passed);
    let text = all_text(&partial);
    assert!(
        !text.contains("\"count\""),
        "émargement counts published during the vote"
    );

    // The full record, exported as the demo does (platform key from the seals).
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("record");
    let summary = export_record(&done.h.state.stores, &record).await.unwrap();
    assert!(!summary.partial);
    assert_eq!(summary.tallied, 6);
    assert_full_record_passes(&done, &record);
    personal_data_is_absent(&done, &record).await;
    (done, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_election_record_verifies_and_every_tampering_is_caught_on_sqlite() {
    let (done, dir) = full_flow(Kind::Sqlite).await;
    let record = dir.path().join("record");
    tamperings(&done, &record).await;
    cli_exit_codes(&done, &record);

    // `scrutin export-record` to one archive, verified by `scrutin verify`.
    let tar = dir.path().join("record.tar");
    let store = done.h.location.location.to_arg();
    let out = scrutin_bin()
        .args(["export-record", "--store", &store, "--out"])
        .arg(&tar)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = scrutin_bin()
        .args([
            "verify",
            "--quiet",
            "--platform-key",
            &hex::encode(done.platform_key),
        ])
        .arg(&tar)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_election_record_verifies_on_postgres() {
    let (done, dir) = full_flow(Kind::Postgres).await;
    drop(dir);
    drop(done);
}
