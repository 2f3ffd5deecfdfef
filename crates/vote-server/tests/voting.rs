//! The voters' API over real HTTP, on SQLite and on PostgreSQL: a full vote, then every
//! refusal of protocol §6 and specs/api.md, each with its error and nothing stored.
#![allow(clippy::unwrap_used)] // tests and benches: a panic is the failure report

mod common;

use chrono::Duration;
use common::{TestServer, code_of};
use ed25519_dalek::Signer;
use reqwest::StatusCode;
use scrutin_crypto::merkle::{InclusionProof, SignedTreeHead, leaf_hash};
use scrutin_store::Kind;
use serde_json::{Value, json};

on_both!(
    full_vote_for_several_rights,
    fifty_concurrent_casts_for_one_right_record_one,
    replayed_ballot_is_refused,
    ballot_for_another_scrutin_is_refused,
    forged_proof_is_refused,
    bad_signature_is_refused,
    unknown_voting_key_is_refused,
    repeated_failures_lock_the_account,
    suspended_and_closed_scrutins_refuse_casts,
    malformed_and_oversized_bodies_are_refused,
    replaced_material_stops_working,
);

async fn full_vote_for_several_rights(kind: Kind) {
    let t = TestServer::start(kind).await;
    let letters = t.letters_of("011-C");
    assert!(letters.len() >= 5);
    let platform_key = t.keys.platform_public();
    let mut codes = Vec::new();
    for letter in &letters[..5] {
        let session = t.login(letter).await;
        let (st, sheet) = t.get("/api/v1/ballot-sheet", Some(&session)).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(sheet["scrutin"]["id"], "011-C");
        assert_eq!(sheet["scrutin"]["state"], "open");
        assert_eq!(sheet["right"]["already_voted"], false);
        let contests = sheet["contests"].as_array().unwrap();
        assert_eq!(contests.len(), 2, "CCIR and CCIT");
        assert_eq!(contests[0]["kind"], "ccir");
        let style = t.style(&session).await;
        let ballot = t.ballot(letter, &style);
        let (st, receipt) = t.cast(&session, &ballot).await;
        assert_eq!(st, StatusCode::CREATED, "{receipt}");
        let r = &receipt["receipt"];
        assert_eq!(r["scrutin"], "011-C");
        assert_eq!(r["tracking_code"], ballot.tracking_code().to_hex());
        assert!(
            r["emargement_text"]
                .as_str()
                .unwrap()
                .ends_with("(heure de Paris)")
        );
        // The receipt carries nothing about the content and verifies with the platform key.
        assert_eq!(r.as_object().unwrap().len(), 5);
        let sig: [u8; 64] = hex::decode(receipt["signature"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        let at = chrono::DateTime::parse_from_rfc3339(r["emargement_at"].as_str().unwrap())
            .unwrap()
            .to_utc();
        assert!(scrutin_vote::receipt::verify_receipt(
            &platform_key,
            "011-C",
            ballot.tracking_code().as_bytes(),
            at,
            &sig
        ));
        let (st, status) = t
            .get(
                &format!("/api/v1/receipts/{}", ballot.tracking_code().to_hex()),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(status["in_ballot_box"], true);
        assert_eq!(status["published"], false);
        assert!(
            status.get("emargement_at").is_none(),
            "lookup never dates a ballot"
        );
        let (_, sheet) = t.get("/api/v1/ballot-sheet", Some(&session)).await;
        assert_eq!(sheet["right"]["already_voted"], true);
        codes.push(ballot.tracking_code());
    }
    assert_eq!(t.counts("011-C").await, (5, 5));

    // The close of the vote publishes the last epoch; every ballot has its proof.
    scrutin_store::provision::close_scrutin(
        &t.stores,
        "011-C",
        &t.keys.platform,
        t.clock.now_for_tests(),
    )
    .await
    .unwrap();
    let (st, board) = t.get("/api/v1/board/011-C", None).await;
    assert_eq!(st, StatusCode::OK);
    let heads = board["heads"].as_array().unwrap();
    assert_eq!(heads.len(), 1);
    let signed: SignedTreeHead = serde_json::from_value(heads[0]["signed"].clone()).unwrap();
    signed.verify(&platform_key).unwrap();
    assert_eq!(signed.tree_size, 5);
    for code in &codes {
        let (st, proof) = t
            .get(
                &format!("/api/v1/board/011-C/inclusion/{}", code.to_hex()),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{proof}");
        let p = InclusionProof {
            leaf_index: proof["leaf_index"].as_u64().unwrap(),
            tree_size: proof["tree_size"].as_u64().unwrap(),
            path: proof["path"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    hex::decode(h.as_str().unwrap())
                        .unwrap()
                        .try_into()
                        .unwrap()
                })
                .collect(),
        };
        p.verify(&leaf_hash(code.as_bytes()), &signed.root).unwrap();
        let (_, status) = t
            .get(&format!("/api/v1/receipts/{}", code.to_hex()), None)
            .await;
        assert_eq!(status["published"], true);
        assert_eq!(status["epoch"], 1);
    }
    let (_, epoch) = t.get("/api/v1/board/011-C/epochs/1", None).await;
    let listed: Vec<&str> = epoch["tracking_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "an epoch is sorted by tracking code");
    // The five logins are counted for the usage indicators as one number for the day, and
    // nothing else (R-73).
    let days = t.stores.registry.logins_by_day().await.unwrap();
    assert_eq!(days.len(), 1, "{days:?}");
    assert_eq!(days[0].1, 5, "{days:?}");
    t.finish().await;
}

async fn fifty_concurrent_casts_for_one_right_record_one(kind: Kind) {
    let t = TestServer::start(kind).await;
    let letter = t.letters_of("011-I")[0].clone();
    let session = t.login(&letter).await;
    let style = t.style(&session).await;
    let ballots: Vec<_> = (0..50).map(|_| t.ballot(&letter, &style)).collect();
    let results = futures::future::join_all(ballots.iter().map(|b| t.cast(&session, b))).await;
    let accepted = results
        .iter()
        .filter(|(st, _)| *st == StatusCode::CREATED)
        .count();
    assert_eq!(accepted, 1, "{results:?}");
    for (st, body) in &results {
        if *st != StatusCode::CREATED {
            assert_eq!(*st, StatusCode::CONFLICT, "{body}");
            assert!(
                ["voting_key_used", "already_voted"].contains(&code_of(body)),
                "{body}"
            );
        }
    }
    assert_eq!(t.counts("011-I").await, (1, 1));
    t.finish().await;
}

async fn replayed_ballot_is_refused(kind: Kind) {
    let t = TestServer::start(kind).await;
    let letters = t.letters_of("011-C");
    let (a, b) = (&letters[0], &letters[1]);
    let sa = t.login(a).await;
    let style = t.style(&sa).await;
    let ballot = t.ballot(a, &style);
    assert_eq!(t.cast(&sa, &ballot).await.0, StatusCode::CREATED);
    // The same ballot again, by its voter and by another voter.
    let (st, body) = t.cast(&sa, &ballot).await;
    assert_eq!(
        (st, code_of(&body)),
        (StatusCode::CONFLICT, "voting_key_used")
    );
    let sb = t.login(b).await;
    let (st, body) = t.cast(&sb, &ballot).await;
    assert_eq!(
        (st, code_of(&body)),
        (StatusCode::CONFLICT, "voting_key_used")
    );
    // A fresh ballot of the voter who already voted.
    let (st, body) = t.cast(&sa, &t.ballot(a, &style)).await;
    assert_eq!(
        (st, code_of(&body)),
        (StatusCode::CONFLICT, "voting_key_used")
    );
    assert_eq!(t.counts("011-C").await, (1, 1));
    // b may still vote.
    assert_eq!(
        t.cast(&sb, &t.ballot(b, &style)).await.0,
        StatusCode::CREATED
    );
    t.finish().await;
}

async fn ballot_for_another_scrutin_is_refused(kind: Kind) {
    let t = TestServer::start(kind).await;
    let c = t.letters_of("011-C")[0].clone();
    let i = t.letters_of("011-I")[0].clone();
    let sc = t.login(&c).await;
    let si = t.login(&i).await;
    let style_i = t.style(&si).await;
    // c's own code, but the ballot of scrutin 011-I.
    let ballot = t.ballot(&c, &style_i);
    let (st, body) = t.cast(&sc, &ballot).await;
    assert_eq!(
        (st, code_of(&body)),
        (StatusCode::CONFLICT, "ballot_wrong_scrutin")
    );
    assert_eq!(t.counts("011-C").await, (0, 0));
    assert_eq!(t.counts("011-I").await, (0, 0));
    t.finish().await;
}

async fn forged_proof_is_refused(kind: Kind) {
    let t = TestServer::start(kind).await;
    let letter = t.letters_of("011-S")[0].clone();
    let session = t.login(&letter).await;
    let style = t.style(&session).await;
    let mut ballot = t.ballot(&letter, &style);
    // Change a proof response and sign again with the voter's own key: the signature
    // holds, the proof does not.
    ballot.contests[0].option_proofs[0].one.response[0] ^= 1;
    let code = scrutin_crypto::credentials::SecretCode::parse(&letter.code).unwrap();
    let key = code.voting_signing_key(style.election_id(), style.scrutin_id());
    ballot.signature = key.sign(&ballot.signed_bytes()).to_bytes();
    let (st, body) = t.cast(&session, &ballot).await;
    assert_eq!(
        (st, code_of(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "ballot_invalid_proof"),
        "{body}"
    );
    assert_eq!(t.counts("011-S").await, (0, 0));
    // The voting key is still free: the voter can vote properly.
    assert_eq!(
        t.cast(&session, &t.ballot(&letter, &style)).await.0,
        StatusCode::CREATED
    );
    t.finish().await;
}

async fn bad_signature_is_refused(kind: Kind) {
    let t = TestServer::start(kind).await;
    let letter = t.letters_of("011-C")[2].clone();
    let session = t.login(&letter).await;
    let style = t.style(&session).await;
    let mut ballot = t.ballot(&letter, &style);
    ballot.signature[10] ^= 0x40;
    let (st, body) = t.cast(&session, &ballot).await;
    assert_eq!(
        (st, code_of(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "ballot_bad_signature")
    );
    assert_eq!(t.counts("011-C").await, (0, 0));
    t.finish().await;
}

async fn unknown_voting_key_is_refused(kind: Kind) {
    let t = TestServer::start(kind).await;
    let letter = t.letters_of("011-C")[3].clone();
    let session = t.login(&letter).await;
    let style = t.style(&session).await;
    // A well-formed code that was never issued: its voting key is not in the set.
    let stranger = scrutin_crypto::credentials::SecretCode::generate(&mut rand::rngs::OsRng);
    let key = stranger.voting_signing_key(style.election_id(), style.scrutin_id());
    let choices: Vec<_> = style
        .contests()
        .iter()
        .map(|_| scrutin_crypto::ballot::ContestChoice::blank())
        .collect();
    let ballot =
        scrutin_crypto::ballot::encrypt_ballot(&style, &choices, &key, &mut rand::rngs::OsRng)
            .unwrap();
    let (st, body) = t.cast(&session, &ballot).await;
    assert_eq!(
        (st, code_of(&body)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "ballot_unknown_voting_key"
        )
    );
    assert_eq!(t.counts("011-C").await, (0, 0));
    t.finish().await;
}

async fn repeated_failures_lock_the_account(kind: Kind) {
    let t = TestServer::start(kind).await;
    let letter = t.letters_of("011-C")[4].clone();
    let wrong = scrutin_crypto::credentials::SecretCode::generate(&mut rand::rngs::OsRng);
    let wrong = wrong.display();
    for _ in 0..4 {
        let (st, body) = t.login_step1(&letter.identifier, &wrong).await;
        assert_eq!(
            (st, code_of(&body)),
            (StatusCode::UNAUTHORIZED, "login_failed")
        );
    }
    let (st, body) = t.login_step1(&letter.identifier, &wrong).await;
    assert_eq!(
        (st, code_of(&body)),
        (StatusCode::LOCKED, "account_locked"),
        "{body}"
    );
    assert_eq!(body["error"]["retry_after_seconds"], 900);
    // The right code is refused too while locked: the delay is incompressible.
    t.clock.advance(Duration::minutes(14));
    let (st, body) = t.login_step1(&letter.identifier, &letter.code).await;
    assert_eq!((st, code_of(&body)), (StatusCode::LOCKED, "account_locked"));
    t.clock.advance(Duration::minutes(1));
    let (st, body) = t.login_step1(&letter.identifier, &letter.code).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    // Birth-date failures count as well.
    if body["birth_date_required"] == true {
        let step1 = body["session"].as_str().unwrap().to_string();
        for i in 0..5 {
            let (st, b) = t
                .post_json(
                    "/api/v1/login/birth-date",
                    Some(&step1),
                    &json!({ "birth_date": "31121899" }),
                )
                .await;
            let expected = if i < 4 {
                "birth_date_mismatch"
            } else {
                "account_locked"
            };
            assert_eq!(code_of(&b), expected, "{st} {b}");
        }
        let (st, b) = t
            .post_json(
                "/api/v1/login/birth-date",
                Some(&step1),
                &json!({ "birth_date": t.birth_date(&letter) }),
            )
            .await;
        assert_eq!((st, code_of(&b)), (StatusCode::LOCKED, "account_locked"));
        let (_, b) = t
            .post_json(
                "/api/v1/login/birth-date",
                Some(&step1),
                &json!({ "birth_date": "3112" }),
            )
            .await;
        assert!(["invalid_birth_date", "account_locked"].contains(&code_of(&b)));
    }
    let journal = scrutin_store::journal::entries(&t.stores.registry, 0, 1000)
        .await
        .unwrap();
    assert!(journal.iter().any(|e| e.kind == "login-lockout"));
    t.finish().await;
}

async fn suspended_and_closed_scrutins_refuse_casts(kind: Kind) {
    let t = TestServer::start(kind).await;
    let letters = t.letters_of("011-C");
    let session = t.login(&letters[0]).await;
    let style = t.style(&session).await;
    let ballot = t.ballot(&letters[0], &style);
    let now = t.clock.now_for_tests();
    scrutin_store::provision::suspend_scrutin(
        &t.stores,
        "011-C",
        "Incident technique : le vote reprend à 14 h.",
        now,
    )
    .await
    .unwrap();
    let (st, body) = t.cast(&session, &ballot).await;
    assert_eq!(
        (st, code_of(&body)),
        (StatusCode::LOCKED, "scrutin_suspended")
    );
    assert_eq!(
        body["error"]["message"],
        "Incident technique : le vote reprend à 14 h."
    );
    let (_, s) = t.get("/api/v1/scrutins/011-C", None).await;
    assert_eq!(
        (s["state"].as_str(), s["message"].as_str()),
        (
            Some("suspended"),
            Some("Incident technique : le vote reprend à 14 h.")
        )
    );
    assert_eq!(t.counts("011-C").await, (0, 0));
    scrutin_store::provision::resume_scrutin(&t.stores, "011-C", now)
        .await
        .unwrap();
    assert_eq!(t.cast(&session, &ballot).await.0, StatusCode::CREATED);
    // Closing at midnight Paris time, by the clock alone.
    let midnight = scrutin_store::clock::paris_midnight_after(
        chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
    )
    .unwrap();
    t.clock.set(midnight - Duration::minutes(1));
    let other = t.login(&letters[1]).await;
    let late = t.ballot(&letters[1], &style);
    t.clock.set(midnight);
    let (st, body) = t.cast(&other, &late).await;
    assert_eq!((st, code_of(&body)), (StatusCode::LOCKED, "scrutin_closed"));
    let (_, s) = t.get("/api/v1/scrutins/011-C", None).await;
    assert_eq!(s["state"], "closed");
    assert_eq!(s["closes_at"], "2026-12-03T00:00:00+01:00");
    assert_eq!(t.counts("011-C").await, (1, 1));
    t.finish().await;
}

async fn malformed_and_oversized_bodies_are_refused(kind: Kind) {
    let t = TestServer::start(kind).await;
    let letter = t.letters_of("011-C")[0].clone();
    let session = t.login(&letter).await;
    let post = |body: Vec<u8>, ct: &'static str| {
        t.client
            .post(t.url("/api/v1/ballots"))
            .bearer_auth(&session)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let check = |resp: reqwest::Response| async move {
        let st = resp.status();
        let body: Value = resp.json().await.unwrap();
        (st, code_of(&body).to_string())
    };
    assert_eq!(
        check(
            post(b"{not json".to_vec(), "application/json")
                .await
                .unwrap()
        )
        .await,
        (StatusCode::BAD_REQUEST, "malformed_request".into())
    );
    assert_eq!(
        check(
            post(br#"{"version":1}"#.to_vec(), "application/json")
                .await
                .unwrap()
        )
        .await,
        (StatusCode::BAD_REQUEST, "malformed_ballot".into())
    );
    assert_eq!(
        check(post(b"{}".to_vec(), "text/plain").await.unwrap()).await,
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type".into()
        )
    );
    let mut big = b"{\"x\":\"".to_vec();
    big.extend(std::iter::repeat_n(b'a', 600 * 1024));
    big.extend(b"\"}");
    assert_eq!(
        check(post(big, "application/json").await.unwrap()).await,
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large".into())
    );
    // Login bodies: unknown fields, wrong types, too large.
    let (st, b) = t
        .post_json(
            "/api/v1/login/challenge",
            None,
            &json!({ "identifier": "1", "extra": 1 }),
        )
        .await;
    assert_eq!(
        (st, code_of(&b)),
        (StatusCode::BAD_REQUEST, "malformed_request")
    );
    let (st, b) = t
        .post_json("/api/v1/login/challenge", None, &json!({ "identifier": 5 }))
        .await;
    assert_eq!(
        (st, code_of(&b)),
        (StatusCode::BAD_REQUEST, "malformed_request")
    );
    let (st, b) = t
        .post_json(
            "/api/v1/login/challenge",
            None,
            &json!({ "identifier": "x".repeat(70 * 1024) }),
        )
        .await;
    assert_eq!(
        (st, code_of(&b)),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
    );
    // No session, a forged one, a step-1 one.
    let style_free = reqwest::Client::new()
        .get(t.url("/api/v1/ballot-sheet"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        check(style_free).await,
        (StatusCode::UNAUTHORIZED, "unauthenticated".into())
    );
    let (st, b) = t.get("/api/v1/ballot-sheet", Some("abc.def")).await;
    assert_eq!(
        (st, code_of(&b)),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    // Unknown path and wrong method, in our format.
    let (st, b) = t.get("/api/v1/nothing", None).await;
    assert_eq!((st, code_of(&b)), (StatusCode::NOT_FOUND, "not_found"));
    let (st, b) = t.get("/api/v1/ballots", None).await;
    assert_eq!(
        (st, code_of(&b)),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
    let (st, b) = t.get("/api/v1/receipts/zz", None).await;
    assert_eq!((st, code_of(&b)), (StatusCode::NOT_FOUND, "not_found"));
    assert_eq!(t.counts("011-C").await, (0, 0));
    t.finish().await;
}

async fn replaced_material_stops_working(kind: Kind) {
    let t = TestServer::start(kind).await;
    let old = t.letters_of("011-S")[1].clone();
    let old_session = t.login(&old).await;
    let new = scrutin_store::credentials::resend_material(
        &t.stores,
        &t.keys.master,
        common::ELECTION,
        &old.right_id,
        "lost letter",
        t.clock.now_for_tests(),
    )
    .await
    .unwrap();
    assert_eq!(new.material, 1);
    let (st, b) = t.login_step1(&old.identifier, &old.code).await;
    assert_eq!(
        (st, code_of(&b)),
        (StatusCode::FORBIDDEN, "material_replaced")
    );
    let (st, b) = t.get("/api/v1/ballot-sheet", Some(&old_session)).await;
    assert_eq!(
        (st, code_of(&b)),
        (StatusCode::FORBIDDEN, "material_replaced")
    );
    // The old voting key is still in the set (nobody knows whose), but the right can
    // only vote once, with its new material.
    let session = t.login(&new).await;
    let style = t.style(&session).await;
    assert_eq!(
        t.cast(&session, &t.ballot(&new, &style)).await.0,
        StatusCode::CREATED
    );
    assert_eq!(t.counts("011-S").await, (1, 1));
    scrutin_store::credentials::check_counts(&t.stores, "011-S")
        .await
        .unwrap();
    t.finish().await;
}
