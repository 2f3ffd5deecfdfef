//! `scrutin demo` as a process: the simulation from set-up to results, and the two servers
//! answering over real HTTP with the printed credentials working, then reused on a second
//! start.
#![allow(clippy::unwrap_used)]

mod output;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ed25519_dalek::Signer;
use scrutin_crypto::credentials::{Identifier, SecretCode, login_message};
use serde_json::{Value, json};

/// Rights of chamber 011 in `fixtures/voters-011.csv`.
const FIXTURE_RIGHTS: u64 = 24;

fn demo(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scrutin"));
    c.arg("demo")
        .arg("--data")
        .arg(data)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUST_LOG");
    c
}

/// One contest line of the results table, as numbers by name.
fn contest_line(line: &str) -> (String, BTreeMap<String, String>) {
    let rest = line.strip_prefix("contest ").unwrap();
    let (id, figures) = rest.split_once(": ").unwrap();
    let mut out = BTreeMap::new();
    for part in figures.split(", ") {
        let (name, value) = part.rsplit_once(' ').unwrap();
        out.insert(name.trim_end_matches(':').to_owned(), value.to_owned());
    }
    (id.to_owned(), out)
}

#[test]
fn simulate_votes_tallies_and_prints_consistent_results() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo-data");
    let out = demo(&data)
        .args(["--simulate", "30", "--extra-voters", "30"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Results (30 ballots cast; decrypted by key holders 1 and 3 of 3)"),
        "{stdout}"
    );

    // Per contest: the figures add up; per kind (CCIR, CCIT), every ballot is counted once
    // and every right of the chamber is registered once.
    let lines: Vec<&str> = stdout.lines().collect();
    let mut ballots_by_kind: BTreeMap<String, u64> = BTreeMap::new();
    let mut registered_by_kind: BTreeMap<String, u64> = BTreeMap::new();
    let mut contests = 0;
    for (i, line) in lines.iter().enumerate() {
        if !line.starts_with("contest ") {
            continue;
        }
        contests += 1;
        let (id, f) = contest_line(line);
        let n = |k: &str| f[k].parse::<u64>().unwrap();
        let kind = id.rsplit('/').next().unwrap().to_owned();
        *ballots_by_kind.entry(kind.clone()).or_default() += n("ballots");
        *registered_by_kind.entry(kind).or_default() += n("registered");
        assert_eq!(n("voters"), n("ballots"), "{line}");
        assert_eq!(
            n("blank") + n("null") + n("expressed"),
            n("ballots"),
            "{line}"
        );
        assert_eq!(f["ballots = émargements"], "yes", "{line}");
        // The candidate rows that follow, up to the next blank line.
        let mut votes = Vec::new();
        let mut elected = 0;
        for row in lines[i + 2..].iter().take_while(|l| l.starts_with("  ")) {
            let mut cols = row.split_whitespace();
            let Ok(v) = cols.next().unwrap().parse::<u64>() else {
                continue; // "vacant seats: n"
            };
            votes.push(v);
            if cols.next() == Some("elected") {
                elected += 1;
            }
        }
        assert!(!votes.is_empty(), "{line}");
        let total: u64 = votes.iter().sum();
        assert!(votes.iter().all(|v| *v <= n("expressed")), "{line}");
        // Every expressed ballot marks between one and `seats` candidates.
        assert!(total >= n("expressed"), "{line}: {total} votes");
        assert!(
            total <= n("expressed") * n("seats"),
            "{line}: {total} votes"
        );
        assert_eq!(elected as u64, n("seats").min(votes.len() as u64), "{line}");
    }
    assert_eq!(contests, 6, "{stdout}");
    for kind in ["CCIR", "CCIT"] {
        assert_eq!(ballots_by_kind[kind], 30, "{kind}: {stdout}");
        assert_eq!(registered_by_kind[kind], FIXTURE_RIGHTS + 30, "{kind}");
    }

    // The results file holds the same tallies.
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("results.json")).unwrap()).unwrap();
    let ballots: u64 = results
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["contest"].as_str().unwrap().ends_with("/CCIT"))
        .map(|r| r["counts"]["ballots"].as_u64().unwrap())
        .sum();
    assert_eq!(ballots, 30);

    // The vote is closed and tallied: a second simulation on the same data is refused.
    let again = demo(&data).args(["--simulate", "5"]).output().unwrap();
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("not open any more"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

/// A running demo and what it printed.
struct Running {
    child: Child,
    lines: Vec<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Starts the demo on free ports and reads its output up to the last line it prints
    /// before serving.
    fn start(data: &Path, extra: &[&str]) -> Running {
        let mut child = demo(data)
            .args([
                "--vote-port",
                "0",
                "--admin-port",
                "0",
                "--extra-voters",
                "5",
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let rx = output::lines_of(stdout);
        let mut lines = Vec::new();
        loop {
            // A generous bound for a loaded 2-core machine; the demo normally prints
            // everything within seconds of starting.
            let line = rx
                .recv_timeout(Duration::from_secs(600))
                .unwrap_or_else(|e| panic!("demo output stopped ({e}): {lines:#?}"));
            let last = line.starts_with("Stop with Ctrl+C");
            lines.push(line);
            if last {
                break;
            }
        }
        Running { child, lines }
    }

    fn after(&self, prefix: &str) -> String {
        self.lines
            .iter()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no line {prefix:?}: {:#?}", self.lines))
            .trim()
            .to_owned()
    }

    /// The account lines: email → (password, TOTP secret if any).
    fn accounts(&self) -> BTreeMap<String, (String, Option<String>)> {
        let mut out: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
        let start = self
            .lines
            .iter()
            .position(|l| l.starts_with("Control-interface accounts"))
            .unwrap();
        let mut last = String::new();
        for l in &self.lines[start + 1..] {
            if l.is_empty() {
                break;
            }
            let cols: Vec<&str> = l.split_whitespace().collect();
            if cols[0] == "second" {
                let secret = cols[cols.iter().position(|c| *c == "secret").unwrap() + 1];
                if let Some(account) = out.get_mut(&last) {
                    account.1 = Some(secret.to_owned());
                }
            } else {
                last = cols[0].to_owned();
                out.insert(last.clone(), (cols[1].to_owned(), None));
            }
        }
        out
    }

    /// The demo voters: (scrutin, identifier, code, birth date JJMMAAAA or "").
    fn voters(&self) -> Vec<(String, String, String, String)> {
        let start = self
            .lines
            .iter()
            .position(|l| l.starts_with("Demo voters"))
            .unwrap();
        self.lines[start + 1..]
            .iter()
            .take_while(|l| !l.is_empty())
            .map(|l| {
                let cols: Vec<&str> = l.split_whitespace().collect();
                let id = cols
                    .iter()
                    .find(|c| c.len() == 14 && c.matches('-').count() == 2);
                let code = cols
                    .iter()
                    .find(|c| c.len() == 23 && c.matches('-').count() == 5);
                let born = l.split("born ").nth(1).unwrap_or_default();
                let birth = if born.starts_with("not asked") {
                    String::new()
                } else {
                    born[..10].replace('/', "")
                };
                (
                    cols[0].to_owned(),
                    id.unwrap().to_string(),
                    code.unwrap().to_string(),
                    birth,
                )
            })
            .collect()
    }
}

fn post(
    client: &reqwest::blocking::Client,
    url: &str,
    bearer: Option<&str>,
    body: Value,
) -> (u16, Value) {
    let mut req = client.post(url).json(&body);
    if let Some(b) = bearer {
        req = req.bearer_auth(b);
    }
    let r = req.send().unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap_or(Value::Null))
}

/// Logs a demo voter in over HTTP with what the demo printed; returns the full session.
fn voter_login(
    client: &reqwest::blocking::Client,
    base: &str,
    identifier: &str,
    code: &str,
    birth: &str,
) -> String {
    let (status, ch) = post(
        client,
        &format!("{base}/api/v1/login/challenge"),
        None,
        json!({ "identifier": identifier }),
    );
    assert_eq!(status, 200, "{ch}");
    let election = ch["election_id"].as_str().unwrap();
    let nonce: [u8; 32] = hex::decode(ch["nonce"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let id = Identifier::parse(identifier).unwrap();
    let code = SecretCode::parse(code).unwrap();
    let sig = code
        .login_signing_key(election, &id)
        .sign(&login_message(election, &id, &nonce));
    let (status, step1) = post(
        client,
        &format!("{base}/api/v1/login/key"),
        None,
        json!({ "identifier": identifier, "challenge": ch["challenge"], "signature": hex::encode(sig.to_bytes()) }),
    );
    assert_eq!(status, 200, "{step1}");
    let session = step1["session"].as_str().unwrap().to_owned();
    if step1["birth_date_required"] != true {
        return session;
    }
    let (status, full) = post(
        client,
        &format!("{base}/api/v1/login/birth-date"),
        Some(&session),
        json!({ "birth_date": birth }),
    );
    assert_eq!(status, 200, "{full}");
    full["session"].as_str().unwrap().to_owned()
}

#[test]
fn the_demo_serves_both_sites_with_working_credentials_and_restarts_on_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo-data");
    let client = reqwest::blocking::Client::new();
    let running = Running::start(&data, &[]);
    let vote = running
        .after("Voter site:")
        .trim_end_matches('/')
        .to_owned();
    let admin = running
        .after("Control interface:")
        .trim_end_matches("/admin/")
        .to_owned();
    assert!(running.lines.iter().any(|l| l.contains("(new)")));

    // The voter home page and the open scrutins.
    let home = client.get(format!("{vote}/")).send().unwrap();
    assert_eq!(home.status().as_u16(), 200);
    assert!(home.text().unwrap().contains("<html"));
    let scrutins: Value = client
        .get(format!("{vote}/api/v1/scrutins"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let states: Vec<&str> = scrutins["scrutins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["open", "open", "open"], "{scrutins}");

    // Each printed demo voter logs in and sees the ballot sheet of its scrutin.
    let voters = running.voters();
    assert_eq!(voters.len(), 5);
    let scrutins_seen: std::collections::BTreeSet<&str> =
        voters.iter().map(|v| v.0.as_str()).collect();
    assert_eq!(scrutins_seen.len(), 3, "{voters:?}");
    for (scrutin, identifier, code, birth) in &voters {
        let session = voter_login(&client, &vote, identifier, code, birth);
        let sheet: Value = client
            .get(format!("{vote}/api/v1/ballot-sheet"))
            .bearer_auth(&session)
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(sheet["scrutin"]["id"], scrutin.as_str(), "{sheet}");
        assert!(!sheet["contests"].as_array().unwrap().is_empty());
        // Every grouping links its statement (profession de foi), served as a PDF.
        for contest in sheet["contests"].as_array().unwrap() {
            for entry in contest["entries"].as_array().unwrap() {
                if entry["type"] != "grouping" {
                    continue;
                }
                let url = entry["statement_url"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{entry}"));
                let pdf = client.get(format!("{vote}{url}")).send().unwrap();
                assert_eq!(pdf.status().as_u16(), 200, "{url}");
                assert_eq!(pdf.headers()["content-type"], "application/pdf");
                assert!(pdf.bytes().unwrap().starts_with(b"%PDF-"));
            }
        }
    }

    // The control interface: its login page, and every printed account logs in (with
    // the printed TOTP secret where the account needs one).
    let page = client.get(format!("{admin}/admin/")).send().unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().unwrap().contains("<html"));
    let accounts = running.accounts();
    assert_eq!(accounts.len(), 5, "{accounts:?}");
    for (email, (password, secret)) in &accounts {
        let mut body = json!({ "email": email, "password": password });
        if let Some(secret) = secret {
            let bytes = scrutin_admin::auth::totp::base32_decode(secret).unwrap();
            let now = chrono::Utc::now().timestamp();
            body["totp"] = json!(scrutin_admin::auth::totp::code_at(&bytes, now));
        }
        let (status, answer) = post(&client, &format!("{admin}/admin/api/session"), None, body);
        assert_eq!(status, 200, "{email}: {answer}");
    }
    let ceremony_shown = running
        .lines
        .iter()
        .filter(|l| l.contains("coe-011-trustee-") && l.contains(".json  ("))
        .count();
    assert_eq!(ceremony_shown, 3);
    for l in running.lines.iter().filter(|l| l.contains(".json  (")) {
        let path = l.split_whitespace().next().unwrap();
        let file = std::fs::read_to_string(path).unwrap();
        scrutin_crypto::keyfile::KeyShareFile::from_json(&file).unwrap();
    }
    drop(running);

    // A second start reuses the data: same election, same voters.
    let again = Running::start(&data, &[]);
    assert!(
        again.lines.iter().any(|l| l.contains("(reused)")),
        "{:#?}",
        again.lines
    );
    assert_eq!(again.voters(), voters);
    let vote = again.after("Voter site:").trim_end_matches('/').to_owned();
    let home = client.get(format!("{vote}/")).send().unwrap();
    assert_eq!(home.status().as_u16(), 200);
}
