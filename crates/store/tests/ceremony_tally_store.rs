//! The ceremony and tally tables on both engines: relayed messages are write-once per
//! trustee and step, a complete ceremony cannot restart, shares and results are recorded
//! once, tallying closes once, the box reads page by page in tracking-code order.
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use scrutin_store::ceremony_store::NewCeremony;
use scrutin_store::tally_store::NewTally;
use scrutin_store::testing::FreshLocation;
use scrutin_store::{Kind, StoreError, Stores};

async fn stores(kind: Kind) -> (FreshLocation, Stores) {
    let loc = FreshLocation::new(kind).await.unwrap();
    let stores = Stores::open(&loc.location).await.unwrap();
    (loc, stores)
}

async fn ceremony_rules(kind: Kind) {
    let (_loc, s) = stores(kind).await;
    let r = &s.registry;
    let at = Utc.with_ymd_and_hms(2026, 10, 1, 9, 0, 0).unwrap();
    let trustees = vec!["u1".to_owned(), "u2".to_owned(), "u3".to_owned()];
    assert_eq!(r.next_ceremony_attempt("011").await.unwrap(), 1);
    let new = |key_id: &'static str, attempt| NewCeremony {
        chamber_code: "011",
        key_id,
        attempt,
        parameters: "{}",
        trustees: &trustees,
        created_at: at,
        created_by: "p@x.fr",
    };
    r.start_ceremony(&new("coe-011", 1)).await.unwrap();
    assert_eq!(
        r.ceremony_trustees("011").await.unwrap()[1],
        (2, "u2".to_owned())
    );
    // Messages: once per trustee and step; the same again is fine, another is refused.
    assert!(
        r.put_ceremony_message("011", "coe-011", "announcement", 1, "a1", at)
            .await
            .unwrap()
    );
    assert!(
        !r.put_ceremony_message("011", "coe-011", "announcement", 1, "a1", at)
            .await
            .unwrap()
    );
    assert!(matches!(
        r.put_ceremony_message("011", "coe-011", "announcement", 1, "other", at)
            .await,
        Err(StoreError::Conflict(_))
    ));
    // A message for another attempt is refused.
    assert!(matches!(
        r.put_ceremony_message("011", "coe-011-r2", "dealing", 1, "d", at)
            .await,
        Err(StoreError::Conflict(_))
    ));
    // Restart: a new attempt replaces the messages; an old attempt number is refused.
    assert!(matches!(
        r.start_ceremony(&new("coe-011", 1)).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(r.next_ceremony_attempt("011").await.unwrap(), 2);
    r.start_ceremony(&new("coe-011-r2", 2)).await.unwrap();
    assert!(r.ceremony_messages("011", None).await.unwrap().is_empty());
    assert!(
        r.put_ceremony_message("011", "coe-011-r2", "announcement", 2, "a2", at)
            .await
            .unwrap()
    );
    assert_eq!(r.election_key("011").await.unwrap(), None);
    assert!(
        r.complete_ceremony("011", "coe-011-r2", &[7u8; 32], "{}", &[1u8; 32], at)
            .await
            .unwrap()
    );
    assert!(
        !r.complete_ceremony("011", "coe-011-r2", &[8u8; 32], "{}", &[1u8; 32], at)
            .await
            .unwrap()
    );
    assert_eq!(r.election_key("011").await.unwrap(), Some(vec![7u8; 32]));
    // Once complete: no more ceremony messages but confirmations, and no restart.
    assert!(matches!(
        r.put_ceremony_message("011", "coe-011-r2", "check", 1, "c", at)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        r.put_ceremony_message("011", "coe-011-r2", "confirmation", 1, "ok", at)
            .await
            .unwrap()
    );
    assert!(matches!(
        r.start_ceremony(&new("coe-011-r3", 3)).await,
        Err(StoreError::Conflict(_))
    ));
    // A trustee named twice is refused.
    let twice = vec!["u1".to_owned(), "u1".to_owned()];
    let dup = NewCeremony {
        chamber_code: "381",
        key_id: "coe-381",
        attempt: 1,
        parameters: "{}",
        trustees: &twice,
        created_at: at,
        created_by: "p",
    };
    assert!(matches!(
        r.start_ceremony(&dup).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(
        r.ceremony("381").await.unwrap().is_none(),
        "nothing half-written"
    );
    // Tallying closes once.
    assert_eq!(r.tallying_closed("011-C").await.unwrap(), None);
    r.close_tallying("011-C", at, "p@x.fr").await.unwrap();
    assert!(matches!(
        r.close_tallying("011-C", at, "p@x.fr").await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        r.tallying_closed("011-C").await.unwrap().unwrap().1,
        "p@x.fr"
    );
}

async fn tally_rules(kind: Kind) {
    let (_loc, s) = stores(kind).await;
    let b = &s.ballots;
    let at = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
    let t = NewTally {
        contest_id: "011-C/CCIR",
        chamber_code: "011",
        fingerprint: &[3u8; 32],
        aggregates: "[1]",
        ballots: 10,
        emargements: 10,
        registered: 20,
        started_at: at,
    };
    let first = b.start_tally(&t).await.unwrap();
    assert_eq!(first.aggregates, "[1]");
    // A second aggregation does not replace the first.
    let again = b
        .start_tally(&NewTally {
            aggregates: "[2]",
            ..t.clone()
        })
        .await
        .unwrap();
    assert_eq!(again.aggregates, "[1]");
    assert!(
        b.put_decryption_share("011-C/CCIR", 1, "s1", at)
            .await
            .unwrap()
    );
    assert!(
        !b.put_decryption_share("011-C/CCIR", 1, "s1", at)
            .await
            .unwrap()
    );
    assert!(matches!(
        b.put_decryption_share("011-C/CCIR", 1, "s1bis", at).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        b.put_decryption_share("011-C/CCIR", 3, "s3", at)
            .await
            .unwrap()
    );
    assert_eq!(
        b.decryption_shares("011-C/CCIR").await.unwrap(),
        vec![(1, "s1".to_owned()), (3, "s3".to_owned())]
    );
    assert!(
        b.set_tally_results("011-C/CCIR", "{\"r\":1}", at)
            .await
            .unwrap()
    );
    assert!(
        !b.set_tally_results("011-C/CCIR", "{\"r\":2}", at)
            .await
            .unwrap()
    );
    assert_eq!(
        b.tally("011-C/CCIR")
            .await
            .unwrap()
            .unwrap()
            .results
            .as_deref(),
        Some("{\"r\":1}")
    );
    assert_eq!(b.tallies().await.unwrap().len(), 1);

    // The box, page by page.
    let keys: Vec<[u8; 32]> = (0..7u8).map(|i| [i + 1; 32]).collect();
    b.insert_voting_keys("011-C", &keys).await.unwrap();
    for (i, k) in keys.iter().enumerate() {
        let code = [100 - i as u8; 32];
        let token = [i as u8 + 50; 32];
        let p = scrutin_store::ballots::PendingBallot {
            scrutin_id: "011-C",
            voting_key: k,
            tracking_code: &code,
            ballot: &format!("{{\"n\":{i}}}"),
            token: &token,
        };
        b.insert_pending(&p).await.unwrap().unwrap();
        if i != 6 {
            b.confirm_pending(&token).await.unwrap();
        }
    }
    let mut seen = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = b.ballot_page("011-C", after.as_deref(), 2).await.unwrap();
        if page.is_empty() {
            break;
        }
        after = Some(page.last().unwrap().0.clone());
        seen.extend(page);
    }
    assert_eq!(seen.len(), 6, "the pending ballot is not in the box");
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(seen, b.ballots("011-C").await.unwrap());
}

#[tokio::test]
async fn ceremony_rules_on_sqlite() {
    ceremony_rules(Kind::Sqlite).await;
}

#[tokio::test]
async fn ceremony_rules_on_postgres() {
    ceremony_rules(Kind::Postgres).await;
}

#[tokio::test]
async fn tally_rules_on_sqlite() {
    tally_rules(Kind::Sqlite).await;
}

#[tokio::test]
async fn tally_rules_on_postgres() {
    tally_rules(Kind::Postgres).await;
}
