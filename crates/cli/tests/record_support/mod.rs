//! A whole election of chamber 011 through the admin server over HTTP (upload, candidates,
//! key ceremony with 3 trustees, material, vote, close, tally by 2 of 3, close of
//! tallying), with a partial record exported during the vote on the way: shared by
//! `record_verify.rs` and the browser tests' record fixture (`examples/record_fixture.rs`).
//! Needs `tally_support` declared at the crate root.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeSet;

use chrono::Duration;
use reqwest::StatusCode;
use scrutin_crypto::ballot::{BallotStyle, ContestChoice};
use scrutin_store::Kind;
use scrutin_store::record_export::{ExportOptions, export_record_with};
use serde_json::json;

use crate::tally_support::*;

/// A finished election of chamber 011 and what the test keeps of it.
pub struct Done {
    pub h: Harness,
    pub voters: Vec<Voter>,
    pub platform_key: [u8; 32],
    pub partial: tempfile::TempDir,
}

pub fn choice_of(k: usize, options: usize, seats: usize) -> ContestChoice {
    if k % 7 == 3 {
        return ContestChoice::blank();
    }
    let how_many = 1 + k % seats.min(options);
    ContestChoice::select(
        (0..how_many)
            .map(|j| ((k * 3 + j * 5) % options) as u32)
            .collect::<BTreeSet<_>>(),
    )
}

pub async fn style_of(h: &Harness, scrutin: &str) -> BallotStyle {
    let s = h
        .state
        .stores
        .registry
        .scrutin(scrutin)
        .await
        .unwrap()
        .unwrap();
    serde_json::from_str(&s.ballot_style).unwrap()
}

/// Runs the election; exports a partial record during the vote on the way.
pub async fn run_election(kind: Kind) -> Done {
    let h = Harness::new(kind).await;
    let p = people(&h).await;
    prepare(&h, &p).await;
    let start = json!({ "trustees": ["president@ain.cci.fr", "assesseur1@ain.cci.fr", "assesseur2@ain.cci.fr"], "threshold": 2 });
    let a = p
        .president
        .post("/admin/api/chambers/011/ceremony", &start)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let shares = run_ceremony(&[&p.president, &p.assessor1, &p.assessor2]).await;
    let voters = make_material(&h, &p.president).await;
    let a = p
        .president
        .post(
            "/admin/api/scrutins/state",
            &json!({ "scrutins": ["*"], "action": "open" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    h.clock.advance(Duration::days(10) + Duration::hours(1));
    for (k, v) in voters.iter().enumerate() {
        if v.scrutin_id == "011-I" && k % 2 == 1 {
            continue;
        }
        let style = style_of(&h, &v.scrutin_id).await;
        let choices: Vec<ContestChoice> = style
            .contests()
            .iter()
            .enumerate()
            .map(|(i, c)| choice_of(k + i, c.option_count(), c.seats() as usize))
            .collect();
        vote(&h.state, v, &choices).await;
    }

    // During the vote: publish an epoch of 011-C, export, verify.
    let now = h.state.now();
    let head = scrutin_store::board::close_epoch(
        &h.state.stores,
        "011-C",
        now,
        &h.state.platform_key,
        scrutin_store::board::EpochPolicy::default(),
        true,
    )
    .await
    .unwrap();
    assert!(head.is_some());
    let partial = tempfile::tempdir().unwrap();
    let summary = export_record_with(
        &h.state.stores,
        &partial.path().join("record"),
        &ExportOptions {
            now: Some(now),
            platform_key: None,
        },
    )
    .await
    .unwrap();
    assert!(summary.partial);
    assert_eq!(summary.tallied, 0);

    let a = p
        .president
        .post(
            "/admin/api/scrutins/state",
            &json!({ "scrutins": ["*"], "action": "close" }),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let contests = [
        "011-C/CCIR",
        "011-C/CCIT",
        "011-I/CCIR",
        "011-I/CCIT",
        "011-S/CCIR",
        "011-S/CCIT",
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
        for (i, s) in pair {
            let d = decryption_share(&shares[i], &v.json);
            let a = s.post(&format!("{path}/shares"), &d).await;
            assert_eq!(a.status, StatusCode::OK, "{c}: {}", a.json);
        }
    }
    let closed = p
        .president
        .post("/admin/api/scrutins/011-C/tally/close", &json!({}))
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.json);
    Done {
        platform_key: h.state.platform_key.verifying_key().to_bytes(),
        h,
        voters,
        partial,
    }
}
