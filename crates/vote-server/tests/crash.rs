//! The crash test: the voting server runs as a process of its own and is killed with
//! SIGKILL in the middle of a stream of casts. After a restart, every receipt it issued
//! is in the ballot box and on the board, and each scrutin's émargement count equals its
//! ballot count (the recovery rule, docs/operations.md).
#![allow(clippy::unwrap_used)] // tests and benches: a panic is the failure report

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Duration, Utc};
use common::TestServer;
use scrutin_store::keys::PlatformKeys;
use scrutin_store::provision::Schedule;
use scrutin_store::testing::FreshLocation;
use scrutin_store::{Kind, Stores};

fn spawn_server(store: &str, keys: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scrutin-vote"))
        .args(["--store", store, "--keys"])
        .arg(keys)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--background-period",
            "1",
            "--pg-connections",
            "8",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the voting server");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (child, url)
}

on_both!(killed_server_loses_no_receipt);

async fn killed_server_loses_no_receipt(kind: Kind) {
    let fresh = FreshLocation::new(kind).await.unwrap();
    let stores = Stores::open(&fresh.location).await.unwrap();
    let keys_dir = tempfile::tempdir().unwrap();
    let keys = PlatformKeys::load_or_create(keys_dir.path()).unwrap();
    let now = Utc::now();
    let schedule = Schedule {
        opens_at: now - Duration::hours(1),
        closes_at: now + Duration::days(1),
    };
    let letters = common::provision_with(
        &stores,
        &keys,
        schedule,
        &[
            "voters-011.csv",
            "voters-381.csv",
            "voters-741.csv",
            "voters-971.csv",
        ],
        now - Duration::hours(2),
    )
    .await;
    let store_arg = fresh.location.to_arg();
    let (mut child, url) = spawn_server(&store_arg, keys_dir.path());

    // Log every voter in and prepare its ballot before the stream starts.
    let client = TestServer::client_for(&url);
    let mut prepared = Vec::new();
    for letter in &letters {
        let session = client.login(letter).await;
        let style = client.style(&session).await;
        let ballot = client.ballot(letter, &style);
        prepared.push((letter.scrutin.clone(), session, ballot));
    }
    assert!(prepared.len() >= 80);

    // Stream the casts, 8 at a time; kill the server after 25 receipts.
    let receipts = Arc::new(std::sync::Mutex::new(Vec::new()));
    let accepted = Arc::new(AtomicUsize::new(0));
    let (kill_tx, kill_rx) = tokio::sync::oneshot::channel::<()>();
    let kill_tx = Arc::new(std::sync::Mutex::new(Some(kill_tx)));
    let queue = Arc::new(std::sync::Mutex::new(prepared));
    let mut workers = Vec::new();
    for _ in 0..8 {
        let (client, queue, receipts, accepted, kill_tx) = (
            client.clone(),
            queue.clone(),
            receipts.clone(),
            accepted.clone(),
            kill_tx.clone(),
        );
        workers.push(tokio::spawn(async move {
            loop {
                let Some((scrutin, session, ballot)) = queue.lock().unwrap().pop() else {
                    return;
                };
                match client.try_cast(&session, &ballot).await {
                    Some((201, body)) => {
                        receipts.lock().unwrap().push((
                            scrutin,
                            body["receipt"]["tracking_code"]
                                .as_str()
                                .unwrap()
                                .to_string(),
                        ));
                        if accepted.fetch_add(1, Ordering::SeqCst) + 1 == 25
                            && let Some(tx) = kill_tx.lock().unwrap().take()
                        {
                            let _ = tx.send(());
                        }
                    }
                    Some((status, body)) => {
                        panic!("cast refused before the crash: {status} {body}")
                    }
                    None => return, // the server is gone
                }
            }
        }));
    }
    kill_rx.await.unwrap();
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    for w in workers {
        w.await.unwrap();
    }
    let receipts = receipts.lock().unwrap().clone();
    assert!(receipts.len() >= 25);

    // Restart: recovery runs before the server listens again.
    let (mut child, url) = spawn_server(&store_arg, keys_dir.path());
    let client = TestServer::client_for(&url);
    for (_, code) in &receipts {
        let (st, status) = client.get(&format!("/api/v1/receipts/{code}"), None).await;
        assert_eq!(st, 200, "receipt {code} lost: {status}");
        assert_eq!(status["in_ballot_box"], true);
    }
    let scrutins: Vec<String> = stores
        .registry
        .scrutins()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    for s in &scrutins {
        assert_eq!(
            stores.electors.count_emargements(s).await.unwrap(),
            stores.ballots.count_ballots(s).await.unwrap(),
            "scrutin {s}"
        );
        scrutin_store::provision::close_scrutin(&stores, s, &keys.platform, Utc::now())
            .await
            .unwrap();
    }
    for (scrutin, code) in &receipts {
        let (st, proof) = client
            .get(&format!("/api/v1/board/{scrutin}/inclusion/{code}"), None)
            .await;
        assert_eq!(st, 200, "receipt {code} not on the board: {proof}");
    }
    // No émargement is left holding a cast token.
    assert!(
        stores
            .electors
            .emargement_tokens()
            .await
            .unwrap()
            .is_empty()
    );
    child.kill().unwrap();
    child.wait().unwrap();
    stores.close().await;
    fresh.cleanup().await.unwrap();
}
