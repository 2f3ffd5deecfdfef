//! The three stores on SQLite and on a real PostgreSQL: every test runs on both, each on
//! fresh databases.
#![allow(clippy::unwrap_used)] // tests and benches: a panic is the failure report

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use ed25519_dalek::SigningKey;
use rand::RngCore;
use scrutin_store::ballots::PendingBallot;
use scrutin_store::board::{self, EpochPolicy};
use scrutin_store::cast::{self, CastBallot, CastRefusal, Recovery};
use scrutin_store::electors::{FailureOutcome, NewRight};
use scrutin_store::testing::FreshLocation;
use scrutin_store::{Kind, Scrutin, StoreError, StoredState, Stores, journal};

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(scrutin_store::Kind::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(scrutin_store::Kind::Postgres).await
            }
        }
    )*};
}

on_both!(
    scrutin_description_and_state,
    rights_credentials_and_lockout,
    sealed_rights_come_in_pages_without_credentials,
    cast_records_both_or_neither,
    concurrent_casts_record_exactly_one,
    batched_casts_decide_each_ballot_as_one_by_one,
    concurrent_batches_sharing_keys_neither_deadlock_nor_double,
    recovery_rule_repairs_every_crash_point,
    epochs_publish_sorted_and_provable,
    data_keys_can_be_destroyed,
    a_removed_right_leaves_no_login_even_mid_generation,
    voting_keys_are_added_whole_or_not_at_all,
);

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap()
}

fn scrutin(id: &str) -> Scrutin {
    Scrutin {
        id: id.into(),
        chamber_code: "181".into(),
        chamber_label: "CCI Exemple".into(),
        category: "C".into(),
        sub_category: None,
        label: "Commerce".into(),
        state: StoredState::Draft,
        message: None,
        opens_at: t0(),
        closes_at: t0() + Duration::days(7),
        sheet: "{}".into(),
        ballot_style: "{}".into(),
    }
}

async fn open(kind: Kind) -> (FreshLocation, Stores) {
    let fresh = FreshLocation::new(kind).await.unwrap();
    let stores = Stores::open(&fresh.location).await.unwrap();
    (fresh, stores)
}

fn random32() -> [u8; 32] {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    b
}

/// A scrutin's set of voting keys: random, sorted as the generation writes them.
fn sorted_keys(n: usize) -> Vec<[u8; 32]> {
    let mut keys: Vec<[u8; 32]> = (0..n).map(|_| random32()).collect();
    keys.sort();
    keys
}

fn right(n: u32) -> NewRight {
    NewRight {
        right_id: format!("181{n:010}"),
        scrutin_id: "181-C".into(),
        chamber_code: "181".into(),
        personal: vec![1, 2, 3],
        addressee: vec![4, 5, 6],
        birth_check: None,
    }
}

async fn scrutin_description_and_state(kind: Kind) {
    let (fresh, stores) = open(kind).await;
    let s = scrutin("181-C");
    stores.registry.put_scrutin(&s).await.unwrap();
    assert_eq!(stores.registry.scrutin("181-C").await.unwrap().unwrap(), s);
    assert!(stores.registry.scrutin("999-C").await.unwrap().is_none());
    stores
        .registry
        .set_state("181-C", StoredState::Suspended, Some("Maintenance"))
        .await
        .unwrap();
    let got = stores.registry.scrutin("181-C").await.unwrap().unwrap();
    assert_eq!(got.state, StoredState::Suspended);
    assert_eq!(got.message.as_deref(), Some("Maintenance"));
    // Once out of draft, the description is frozen.
    assert!(matches!(
        stores.registry.put_scrutin(&s).await,
        Err(StoreError::Conflict(_))
    ));
    stores
        .registry
        .set_state("181-C", StoredState::Closed, None)
        .await
        .unwrap();
    assert!(matches!(
        stores
            .registry
            .set_state("181-C", StoredState::Open, None)
            .await,
        Err(StoreError::Conflict(_))
    ));
    stores.close().await;
    fresh.cleanup().await.unwrap();
}

async fn rights_credentials_and_lockout(kind: Kind) {
    let (fresh, stores) = open(kind).await;
    let rights: Vec<NewRight> = (1..=3).map(right).collect();
    stores.electors.insert_rights(&rights).await.unwrap();
    // One right's sealed record, as a resend reads it.
    assert_eq!(
        stores
            .electors
            .sealed_personal(&rights[1].right_id)
            .await
            .unwrap(),
        Some(vec![1, 2, 3])
    );
    assert_eq!(
        stores
            .electors
            .sealed_personal("1819999999999")
            .await
            .unwrap(),
        None
    );
    // All or none: a duplicate refuses the whole batch.
    let again = vec![right(4), right(1)];
    assert!(matches!(
        stores.electors.insert_rights(&again).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(stores.electors.count_rights("181-C").await.unwrap(), 3);

    let creds: Vec<(String, String, [u8; 32])> = rights
        .iter()
        .enumerate()
        .map(|(i, r)| (r.right_id.clone(), format!("ID-{i}"), random32()))
        .collect();
    stores.electors.set_credentials(&creds).await.unwrap();
    assert!(matches!(
        stores.electors.set_credentials(&creds[..1]).await,
        Err(StoreError::Conflict(_))
    ));
    let r = stores
        .electors
        .right_by_identifier("ID-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.right_id, rights[1].right_id);
    assert_eq!(r.login_key.as_deref(), Some(&creds[1].2[..]));
    assert!(
        stores
            .electors
            .sealed_rights_page("181-C", "", usize::MAX)
            .await
            .unwrap()
            .is_empty()
    );

    // Five failures lock; while locked nothing moves the lock (R-40).
    let now = t0();
    let id = &rights[0].right_id;
    for remaining in (1..5).rev() {
        assert_eq!(
            stores
                .electors
                .record_failure(id, now, 5, Duration::minutes(15))
                .await
                .unwrap(),
            FailureOutcome::Counted { remaining }
        );
    }
    let until = now + Duration::minutes(15);
    assert_eq!(
        stores
            .electors
            .record_failure(id, now, 5, Duration::minutes(15))
            .await
            .unwrap(),
        FailureOutcome::Locked(until)
    );
    assert_eq!(
        stores
            .electors
            .record_failure(id, now + Duration::minutes(14), 5, Duration::minutes(15))
            .await
            .unwrap(),
        FailureOutcome::Locked(until)
    );
    let r = stores.electors.right(id).await.unwrap().unwrap();
    assert_eq!(r.locked_until, Some(until));

    // Resend: the old identifier stops working at once (R-32).
    let new_key = random32();
    assert_eq!(
        stores
            .electors
            .replace_material(id, "ID-NEW", &new_key)
            .await
            .unwrap(),
        1
    );
    assert!(
        stores
            .electors
            .right_by_identifier("ID-0")
            .await
            .unwrap()
            .is_none()
    );
    let r = stores
        .electors
        .right_by_identifier("ID-NEW")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((r.material, r.locked_until, r.failures), (1, None, 0));
    let (old_key, old_right) = stores
        .electors
        .replaced_material("ID-0")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((old_key, old_right), (creds[0].2.to_vec(), id.clone()));

    // Credentials are all or none: an unknown right, an identifier already taken or the
    // same right twice refuses the batch and leaves the new right without any.
    stores.electors.insert_rights(&[right(4)]).await.unwrap();
    let fourth = right(4).right_id;
    let cred =
        |right: &str, identifier: &str| (right.to_string(), identifier.to_string(), random32());
    for bad in [
        vec![cred(&fourth, "ID-4"), cred("1810000009999", "ID-5")],
        vec![cred(&fourth, "ID-1")],
        vec![cred(&fourth, "ID-4"), cred(&fourth, "ID-6")],
    ] {
        assert!(matches!(
            stores.electors.set_credentials(&bad).await,
            Err(StoreError::Conflict(_))
        ));
        let waiting = stores
            .electors
            .sealed_rights_page("181-C", "", usize::MAX)
            .await
            .unwrap();
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].right_id, fourth);
    }
    // Batch by batch too: once one is refused, later ones and the commit are, and none
    // is written (PostgreSQL writes batches as they come; SQLite at the commit).
    let mut logins = stores.electors.begin_logins().await.unwrap();
    let first = logins
        .add(vec![cred(&fourth, "ID-4"), cred("1810000009999", "ID-5")])
        .await;
    let second = logins.add(vec![cred(&fourth, "ID-4")]).await;
    let committed = logins.commit().await;
    match kind {
        Kind::Postgres => {
            assert!(matches!(first, Err(StoreError::Conflict(_))));
            assert!(matches!(second, Err(StoreError::Conflict(_))));
        }
        Kind::Sqlite => assert!(first.is_ok() && second.is_ok()),
    }
    assert!(matches!(committed, Err(StoreError::Conflict(_))));
    assert!(
        stores
            .electors
            .right_by_identifier("ID-4")
            .await
            .unwrap()
            .is_none()
    );
    stores
        .electors
        .set_credentials(&[cred(&fourth, "ID-4")])
        .await
        .unwrap();
    assert_eq!(
        stores
            .electors
            .right_by_identifier("ID-4")
            .await
            .unwrap()
            .unwrap()
            .right_id,
        fourth
    );
    stores.close().await;
    fresh.cleanup().await.unwrap();
}

struct Box1 {
    keys: Vec<[u8; 32]>,
}

/// Credential generation reads a scrutin's rights a page at a time: every right without
/// credentials comes exactly once, in identifier order, and no other right.
async fn sealed_rights_come_in_pages_without_credentials(kind: Kind) {
    let (fresh, stores) = open(kind).await;
    let mut rights: Vec<NewRight> = (1..=7).map(right).collect();
    let mut other = right(8);
    other.scrutin_id = "181-A".into();
    rights.push(other);
    // Inserted out of order: the pages follow the identifiers, not the insertion.
    rights.reverse();
    stores.electors.insert_rights(&rights).await.unwrap();
    let with_login = right(3).right_id;
    stores
        .electors
        .set_credentials(&[(with_login.clone(), "ID-3".into(), random32())])
        .await
        .unwrap();

    let mut seen = Vec::new();
    let mut after = String::new();
    let mut pages = 0;
    loop {
        let page = stores
            .electors
            .sealed_rights_page("181-C", &after, 2)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        assert!(page.len() <= 2);
        after.clone_from(&last.right_id);
        // The sealed addressee, not the whole record, which it makes unneeded.
        assert!(
            page.iter()
                .all(|r| r.addressee.as_deref() == Some(&[4, 5, 6][..]) && r.personal.is_none())
        );
        seen.extend(page.into_iter().map(|r| r.right_id));
        pages += 1;
    }
    let expected: Vec<String> = [1, 2, 4, 5, 6, 7].map(|n| right(n).right_id).to_vec();
    assert_eq!(seen, expected);
    assert_eq!(pages, 3);
    fresh.cleanup().await.unwrap();
}

async fn ballot_box(stores: &Stores, rights: u32, keys: usize) -> Box1 {
    stores
        .registry
        .put_scrutin(&scrutin("181-C"))
        .await
        .unwrap();
    let rs: Vec<NewRight> = (1..=rights).map(right).collect();
    stores.electors.insert_rights(&rs).await.unwrap();
    let keys = sorted_keys(keys);
    stores
        .ballots
        .insert_voting_keys("181-C", &keys)
        .await
        .unwrap();
    Box1 { keys }
}

async fn cast_one(
    stores: &Stores,
    right: &str,
    key: &[u8; 32],
) -> Result<chrono::DateTime<Utc>, CastRefusal> {
    let code = random32();
    cast::cast(
        stores,
        t0(),
        &CastBallot {
            right_id: right,
            scrutin_id: "181-C",
            voting_key: key,
            tracking_code: &code,
            ballot: "{\"ballot\":1}",
        },
    )
    .await
    .unwrap()
}

async fn counts(stores: &Stores) -> (i64, i64) {
    (
        stores.electors.count_emargements("181-C").await.unwrap(),
        stores.ballots.count_ballots("181-C").await.unwrap(),
    )
}

/// No cast token is left in either store (every cast completed or was undone).
async fn assert_no_token(stores: &Stores) {
    assert!(stores.ballots.pending_tokens().await.unwrap().is_empty());
    assert!(
        stores
            .electors
            .emargement_tokens()
            .await
            .unwrap()
            .is_empty()
    );
}

async fn cast_records_both_or_neither(kind: Kind) {
    let (fresh, stores) = open(kind).await;
    let b = ballot_box(&stores, 2, 3).await;
    let r1 = right(1).right_id;
    let r2 = right(2).right_id;
    assert_eq!(cast_one(&stores, &r1, &b.keys[0]).await, Ok(t0()));
    assert_eq!(counts(&stores).await, (1, 1));
    // Same key again (a replay): refused, nothing more stored.
    assert_eq!(
        cast_one(&stores, &r2, &b.keys[0]).await,
        Err(CastRefusal::VotingKeyUsed)
    );
    // Same right with another key (old material): refused by the émargement, and the
    // second key is freed again.
    assert_eq!(
        cast_one(&stores, &r1, &b.keys[1]).await,
        Err(CastRefusal::AlreadyVoted)
    );
    assert_eq!(
        stores
            .ballots
            .voting_key_status("181-C", &b.keys[1])
            .await
            .unwrap(),
        Some(false)
    );
    // Unknown key.
    assert_eq!(
        cast_one(&stores, &r2, &random32()).await,
        Err(CastRefusal::UnknownVotingKey)
    );
    assert_eq!(counts(&stores).await, (1, 1));
    // No token survives a completed cast.
    assert_no_token(&stores).await;
    assert_eq!(cast_one(&stores, &r2, &b.keys[1]).await, Ok(t0()));
    assert_eq!(counts(&stores).await, (2, 2));
    stores.close().await;
    fresh.cleanup().await.unwrap();
}

async fn concurrent_casts_record_exactly_one(kind: Kind) {
    let (fresh, stores) = open(kind).await;
    // 50 keys (as if 49 resends had happened) and one right: 50 parallel casts.
    let b = ballot_box(&stores, 1, 50).await;
    let stores = Arc::new(stores);
    let r1 = right(1).right_id;
    let mut tasks = Vec::new();
    for key in b.keys.clone() {
        let stores = stores.clone();
        let r1 = r1.clone();
        tasks.push(tokio::spawn(
            async move { cast_one(&stores, &r1, &key).await },
        ));
    }
    // And 50 parallel casts of one key by 50 different rights would need 50 rights; the
    // same key from the same right is enough to race the key's mark.
    let same_key = b.keys[0];
    for _ in 0..20 {
        let stores = stores.clone();
        let r1 = r1.clone();
        tasks.push(tokio::spawn(async move {
            cast_one(&stores, &r1, &same_key).await
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(CastRefusal::AlreadyVoted | CastRefusal::VotingKeyUsed) => {}
            Err(other) => panic!("unexpected refusal {other:?}"),
        }
    }
    assert_eq!(accepted, 1);
    assert_eq!(counts(&stores).await, (1, 1));
    let used = stores
        .ballots
        .voting_keys("181-C")
        .await
        .unwrap()
        .iter()
        .filter(|(_, used)| *used)
        .count();
    assert_eq!(used, 1, "refused casts free their key");
    assert!(stores.ballots.pending_tokens().await.unwrap().is_empty());
    stores.close().await;
    fresh.cleanup().await.unwrap();
}

/// Owned parts of a [`CastBallot`] for batches.
struct Owned {
    right: String,
    key: [u8; 32],
    code: [u8; 32],
}

impl Owned {
    fn new(right: String, key: [u8; 32]) -> Owned {
        Owned {
            right,
            key,
            code: random32(),
        }
    }

    fn cast(&self) -> CastBallot<'_> {
        CastBallot {
            right_id: &self.right,
            scrutin_id: "181-C",
            voting_key: &self.key,
            tracking_code: &self.code,
            ballot: "{\"ballot\":1}",
        }
    }
}

/// One batch holding every case at once gets, ballot by ballot, the outcome a cast one
/// after the other would give, and leaves exactly the accepted ballots and their
/// émargements, with no token and no key marked for a refused ballot.
async fn batched_casts_decide_each_ballot_as_one_by_one(kind: Kind) {
    let (fresh, stores) = open(kind).await;
    let b = ballot_box(&stores, 4, 5).await;
    let (r1, r2, r3) = (right(1).right_id, right(2).right_id, right(3).right_id);
    let mut clash = Owned::new(r3.clone(), b.keys[3]);
    let first = Owned::new(r1.clone(), b.keys[0]);
    clash.code = first.code;
    let batch = [
        first,
        Owned::new(r2.clone(), b.keys[0]),  // the same key again
        Owned::new(r2.clone(), random32()), // unknown key
        Owned::new(r1.clone(), b.keys[1]),  // the same right again
        Owned::new(r2.clone(), b.keys[2]),
        clash, // a tracking code already in the box (its key is fresh)
    ];
    let casts: Vec<CastBallot<'_>> = batch.iter().map(Owned::cast).collect();
    let outcomes = cast::cast_batch(&stores, t0(), &casts).await.unwrap();
    assert_eq!(
        outcomes,
        vec![
            Ok(t0()),
            Err(CastRefusal::VotingKeyUsed),
            Err(CastRefusal::UnknownVotingKey),
            Err(CastRefusal::AlreadyVoted),
            Ok(t0()),
            Err(CastRefusal::VotingKeyUsed),
        ]
    );
    assert_eq!(counts(&stores).await, (2, 2));
    let used: Vec<bool> = stores
        .ballots
        .voting_keys("181-C")
        .await
        .unwrap()
        .into_iter()
        .map(|(_, used)| used)
        .collect();
    assert_eq!(
        used,
        vec![true, false, true, false, false],
        "keys 0 and 2 only"
    );
    assert_no_token(&stores).await;
    assert!(
        stores
            .ballots
            .ballot_status(&batch[0].code)
            .await
            .unwrap()
            .unwrap()
            .confirmed
    );
    // The refused ones may still vote with their own keys.
    assert_eq!(cast_one(&stores, &r3, &b.keys[3]).await, Ok(t0()));
    assert_eq!(
        cast_one(&stores, &r1, &b.keys[1]).await,
        Err(CastRefusal::AlreadyVoted)
    );
    assert!(
        cast::cast_batch(&stores, t0(), &[])
            .await
            .unwrap()
            .is_empty()
    );
    stores.close().await;
    fresh.cleanup().await.unwrap();
}

/// Eight batches at once, each naming the same ten keys in another order (the rows they
/// lock overlap in every order): every batch completes, and each key casts exactly once.
async fn concurrent_batches_sharing_keys_neither_deadlock_nor_double(kind: Kind) {
    let (fresh, stores) = open(kind).await;
    let b = ballot_box(&stores, 80, 10).await;
    let stores = Arc::new(stores);
    let mut tasks = Vec::new();
    for t in 0..8u32 {
        let stores = stores.clone();
        let keys = b.keys.clone();
        tasks.push(tokio::spawn(async move {
            // Batch t takes the keys rotated by t, every other batch reversed.
            let mut order: Vec<usize> = (0..10).map(|k| (k + t as usize) % 10).collect();
            if t % 2 == 1 {
                order.reverse();
            }
            let batch: Vec<Owned> = order
                .iter()
                .enumerate()
                .map(|(n, &k)| Owned::new(right(t * 10 + n as u32 + 1).right_id, keys[k]))
                .collect();
            let casts: Vec<CastBallot<'_>> = batch.iter().map(Owned::cast).collect();
            cast::cast_batch(&stores, t0(), &casts).await
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        for outcome in t.await.unwrap().expect("no batch fails (no deadlock)") {
            match outcome {
                Ok(_) => accepted += 1,
                Err(CastRefusal::VotingKeyUsed) => {}
                Err(other) => panic!("unexpected refusal {other:?}"),
            }
        }
    }
    assert_eq!(accepted, 10);
    assert_eq!(counts(&stores).await, (10, 10));
    assert!(stores.ballots.pending_tokens().await.unwrap().is_empty());
    stores.close().await;
    fresh.cleanup().await.unwrap();
}

async fn pending(stores: &Stores, key: &[u8; 32], token: &[u8]) -> [u8; 32] {
    let code = random32();
    stores
        .ballots
        .insert_pending(&PendingBallot {
            scrutin_id: "181-C",
            voting_key: key,
            tracking_code: &code,
            ballot: "{}",
            token,
        })
        .await
        .unwrap()
        .unwrap();
    code
}

async fn recovery_rule_repairs_every_crash_point(kind: Kind) {
    let (fresh, stores) = open(kind).await;
    let b = ballot_box(&stores, 4, 4).await;
    let rid = |n| right(n).right_id;

    // (a) crash after step 1: pending ballot, no émargement.
    let ta = random32();
    let code_a = pending(&stores, &b.keys[0], &ta).await;
    // (b) crash after step 2: pending ballot and émargement holding the token.
    let tb = random32();
    let code_b = pending(&stores, &b.keys[1], &tb).await;
    assert!(
        stores
            .electors
            .insert_emargement(&rid(2), "181-C", t0(), &tb)
            .await
            .unwrap()
    );
    // (c) crash after step 3a: ballot confirmed, émargement still holds the token.
    let tc = random32();
    let code_c = pending(&stores, &b.keys[2], &tc).await;
    assert!(
        stores
            .electors
            .insert_emargement(&rid(3), "181-C", t0(), &tc)
            .await
            .unwrap()
    );
    assert!(stores.ballots.confirm_pending(&tc).await.unwrap());
    // (d) a stalled cast whose pending ballot recovery already undid, then its step 2
    // landed: émargement with an aborted token.
    let td = random32();
    pending(&stores, &b.keys[3], &td).await;
    assert!(stores.ballots.abort_pending(&td).await.unwrap());
    assert!(
        stores
            .electors
            .insert_emargement(&rid(4), "181-C", t0(), &td)
            .await
            .unwrap()
    );

    let mut recovery = Recovery::new(std::time::Duration::ZERO);
    let first = recovery.run(&stores).await.unwrap();
    assert_eq!(
        (
            first.confirmed,
            first.cleared,
            first.emargements_deleted,
            first.waiting,
            first.deleted
        ),
        (1, 1, 1, 1, 0)
    );
    // (a) is only deleted once seen twice (it might be a cast in flight elsewhere).
    assert!(stores.ballots.is_pending(&ta).await.unwrap());
    let second = recovery.run(&stores).await.unwrap();
    assert_eq!(second.deleted, 1);

    // Every receipt-worthy ballot stands, every other trace is gone.
    let status = |c| {
        let stores = &stores;
        async move { stores.ballots.ballot_status(&c).await.unwrap() }
    };
    assert!(status(code_a).await.is_none());
    assert!(status(code_b).await.unwrap().confirmed);
    assert!(status(code_c).await.unwrap().confirmed);
    assert_eq!(counts(&stores).await, (2, 2));
    assert!(stores.electors.emargement(&rid(1)).await.unwrap().is_none());
    assert!(stores.electors.emargement(&rid(4)).await.unwrap().is_none());
    assert_no_token(&stores).await;
    // The keys of undone casts may vote again.
    assert_eq!(
        stores
            .ballots
            .voting_key_status("181-C", &b.keys[0])
            .await
            .unwrap(),
        Some(false)
    );
    assert_eq!(cast_one(&stores, &rid(1), &b.keys[0]).await, Ok(t0()));
    assert_eq!(counts(&stores).await, (3, 3));
    stores.close().await;
    fresh.cleanup().await.unwrap();
}

async fn epochs_publish_sorted_and_provable(kind: Kind) {
    use scrutin_crypto::merkle::leaf_hash;
    let (fresh, stores) = open(kind).await;
    let b = ballot_box(&stores, 30, 30).await;
    stores
        .registry
        .set_state("181-C", StoredState::Open, None)
        .await
        .unwrap();
    let key = SigningKey::from_bytes(&random32());
    let policy = EpochPolicy::default();
    let mut codes = Vec::new();
    for i in 0..20u32 {
        let code = random32();
        let r = cast::cast(
            &stores,
            t0(),
            &CastBallot {
                right_id: &right(i + 1).right_id,
                scrutin_id: "181-C",
                voting_key: &b.keys[i as usize],
                tracking_code: &code,
                ballot: "{}",
            },
        )
        .await
        .unwrap();
        assert!(r.is_ok());
        codes.push(code);
    }
    // 20 ballots but only 4 minutes since the opening: not yet.
    let at = |m| t0() + Duration::minutes(m);
    assert!(
        board::tick(&stores, at(4), &key, policy)
            .await
            .unwrap()
            .is_empty()
    );
    let heads = board::tick(&stores, at(5), &key, policy).await.unwrap();
    assert_eq!(heads.len(), 1);
    let h1 = heads[0].clone();
    assert_eq!((h1.epoch, h1.tree_size), (1, 20));
    h1.verify(&key.verifying_key()).unwrap();
    // The epoch is sorted by tracking code.
    let mut sorted = codes.clone();
    sorted.sort();
    let published: Vec<Vec<u8>> = stores.ballots.epoch_codes("181-C", 1).await.unwrap();
    assert_eq!(
        published,
        sorted.iter().map(|c| c.to_vec()).collect::<Vec<_>>()
    );

    // 3 more: too few for an epoch, until the close of the vote forces it.
    for i in 20..23u32 {
        let code = random32();
        cast::cast(
            &stores,
            at(6),
            &CastBallot {
                right_id: &right(i + 1).right_id,
                scrutin_id: "181-C",
                voting_key: &b.keys[i as usize],
                tracking_code: &code,
                ballot: "{}",
            },
        )
        .await
        .unwrap()
        .unwrap();
        codes.push(code);
    }
    assert!(
        board::tick(&stores, at(20), &key, policy)
            .await
            .unwrap()
            .is_empty()
    );
    stores
        .registry
        .set_state("181-C", StoredState::Closed, None)
        .await
        .unwrap();
    let heads = board::tick(&stores, at(21), &key, policy).await.unwrap();
    assert_eq!(heads.len(), 1);
    let h2 = heads[0].clone();
    assert_eq!((h2.epoch, h2.tree_size), (2, 23));

    // Every ballot has an inclusion proof; the two heads are consistent.
    let cache = board::BoardCache::default();
    let log = cache.log(&stores, "181-C", 23).await.unwrap();
    for c in &codes {
        let proof = log.inclusion(c, 23).unwrap();
        proof.verify(&leaf_hash(c), &h2.root).unwrap();
    }
    let first = codes[0];
    let p1 = log.inclusion(&first, 20).unwrap();
    p1.verify(&leaf_hash(&first), &h1.root).unwrap();
    log.consistency(20, 23)
        .unwrap()
        .verify(&h1.root, &h2.root)
        .unwrap();

    // The heads are journaled once each, and the journal verifies.
    board::tick(&stores, at(22), &key, policy).await.unwrap();
    let entries = journal::entries(&stores.registry, 0, 1000).await.unwrap();
    let heads_journaled = entries.iter().filter(|e| e.kind == "epoch-head").count();
    assert_eq!(heads_journaled, 2);
    journal::checkpoint(&stores.registry, at(23), &key)
        .await
        .unwrap()
        .unwrap();
    let cps = journal::checkpoints(&stores.registry).await.unwrap();
    scrutin_crypto::hashchain::verify_chain(&entries, &cps, &key.verifying_key()).unwrap();
    let stored = stores.ballots.epochs("181-C").await.unwrap();
    assert_eq!(board::signed_head(&stored[1]).unwrap(), h2);
    stores.close().await;
    fresh.cleanup().await.unwrap();
}

async fn data_keys_can_be_destroyed(kind: Kind) {
    use scrutin_store::sealing::{DataKey, MasterKey};
    let (fresh, stores) = open(kind).await;
    let master = MasterKey::generate(&mut rand::rngs::OsRng);
    let dk = DataKey::generate(&mut rand::rngs::OsRng);
    let wrapped = master.wrap(&mut rand::rngs::OsRng, "181", &dk).unwrap();
    stores.electors.put_data_key("181", &wrapped).await.unwrap();
    assert!(matches!(
        stores.electors.put_data_key("181", &wrapped).await,
        Err(StoreError::Conflict(_))
    ));
    let back = stores.electors.data_key("181").await.unwrap().unwrap();
    let sealed = dk.seal_personal(&mut rand::rngs::OsRng, "r", b"x").unwrap();
    assert_eq!(
        master
            .unwrap("181", &back)
            .unwrap()
            .open_personal("r", &sealed)
            .unwrap(),
        b"x"
    );
    assert_eq!(stores.electors.delete_data_keys(None).await.unwrap(), 1);
    assert!(stores.electors.data_key("181").await.unwrap().is_none());
    stores.close().await;
    fresh.cleanup().await.unwrap();
}

#[tokio::test]
async fn postgres_roles_cannot_reach_the_other_stores() {
    use sqlx::Connection;
    let fresh = FreshLocation::new(Kind::Postgres).await.unwrap();
    let scrutin_store::StoreLocation::Postgres {
        electors, ballots, ..
    } = &fresh.location
    else {
        unreachable!()
    };
    // Each role connects to its own database…
    sqlx::PgConnection::connect(ballots)
        .await
        .unwrap()
        .close()
        .await
        .unwrap();
    // …and is refused on the others: no connection can join voters and ballots (R-48).
    let ballots_role = ballots
        .split("://")
        .nth(1)
        .unwrap()
        .split('@')
        .next()
        .unwrap();
    let electors_db = electors.rsplit('/').next().unwrap();
    let host = electors
        .split('@')
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    let cross = format!("postgres://{ballots_role}@{host}/{electors_db}");
    let err = sqlx::PgConnection::connect(&cross).await.unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
    fresh.cleanup().await.unwrap();
}

/// A right removed (a court decision) takes its login with it, also when the removal comes
/// while credentials are being written: PostgreSQL's logins have no foreign key (it
/// row-locked every right, migration 0003), so there the removal waits for the writing
/// transaction and then deletes the login it committed; SQLite's foreign key refuses the
/// credentials of a right removed meanwhile. Either way no login outlives its right.
async fn a_removed_right_leaves_no_login_even_mid_generation(kind: Kind) {
    let (fresh, stores) = open(kind).await;
    stores
        .electors
        .insert_rights(&[right(1), right(2)])
        .await
        .unwrap();
    let (first, second) = (right(1).right_id, right(2).right_id);
    stores
        .electors
        .set_credentials(&[(first.clone(), "ID-1".into(), random32())])
        .await
        .unwrap();
    stores.electors.remove_right(&first).await.unwrap();
    assert_no_login(&stores, "ID-1").await;

    let mut logins = stores.electors.begin_logins().await.unwrap();
    logins
        .add(vec![(second.clone(), "ID-2".into(), random32())])
        .await
        .unwrap();
    let electors = stores.electors.clone();
    let removed_right = second.clone();
    let removal = tokio::spawn(async move { electors.remove_right(&removed_right).await });
    match &fresh.location {
        scrutin_store::StoreLocation::Postgres { electors, .. } => {
            // The removal is seen waiting on the lock of the list of rights before the
            // credentials commit, so the interleaving under test does happen.
            let watch = sqlx::PgPool::connect(electors).await.unwrap();
            let mut waited = false;
            for _ in 0..500 {
                let waiting: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database \
                     WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()",
                )
                .fetch_one(&watch)
                .await
                .unwrap();
                if waiting == 1 {
                    waited = true;
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            watch.close().await;
            assert!(waited, "the removal never waited for the credentials");
            assert!(!removal.is_finished());
            logins.commit().await.unwrap();
            removal.await.unwrap().unwrap();
        }
        scrutin_store::StoreLocation::Sqlite { .. } => {
            removal.await.unwrap().unwrap();
            assert!(matches!(
                logins.commit().await,
                Err(StoreError::Conflict(_))
            ));
        }
    }
    assert_no_login(&stores, "ID-2").await;
    assert!(
        stores
            .electors
            .sealed_rights_page("181-C", "", usize::MAX)
            .await
            .unwrap()
            .is_empty()
    );
    stores.close().await;
    fresh.cleanup().await.unwrap();
}

/// No right answers to `identifier`, and no login row keeps it either (an orphan would
/// still show among the identifiers in use).
async fn assert_no_login(stores: &Stores, identifier: &str) {
    let electors = &stores.electors;
    assert!(
        electors
            .right_by_identifier(identifier)
            .await
            .unwrap()
            .is_none()
    );
    let in_use = electors.all_identifiers().await.unwrap();
    assert!(
        !in_use.iter().any(|i| i == identifier),
        "{identifier} still in use"
    );
}

/// A scrutin's voting keys are written in one go (PostgreSQL: one binary COPY sent in
/// pieces): a set that repeats a key already there is refused and leaves nothing behind.
async fn voting_keys_are_added_whole_or_not_at_all(kind: Kind) {
    let (fresh, stores) = open(kind).await;
    // Enough keys for several pieces of the COPY (a megabyte each).
    let keys = sorted_keys(30_000);
    stores
        .ballots
        .insert_voting_keys("181-C", &keys)
        .await
        .unwrap();
    assert_eq!(
        stores.ballots.count_voting_keys("181-C").await.unwrap(),
        30_000
    );
    let listed = stores.ballots.voting_keys("181-C").await.unwrap();
    assert!(
        listed
            .iter()
            .zip(&keys)
            .all(|((k, used), want)| k.as_slice() == want && !used)
    );

    // Fresh keys, and last of them one already in the set.
    let mut more = sorted_keys(20_000);
    more.push(keys[12_345]);
    let refused = stores.ballots.insert_voting_keys("181-C", &more).await;
    assert!(
        matches!(&refused, Err(StoreError::Conflict(m)) if m.contains("voting key already")),
        "{refused:?}"
    );
    assert_eq!(
        stores.ballots.count_voting_keys("181-C").await.unwrap(),
        30_000
    );

    // The same keys in another scrutin are another set.
    stores
        .ballots
        .insert_voting_keys("181-I", &keys[..10])
        .await
        .unwrap();
    assert_eq!(stores.ballots.count_voting_keys("181-I").await.unwrap(), 10);
    assert_eq!(
        stores.ballots.count_voting_keys("181-C").await.unwrap(),
        30_000
    );
    fresh.cleanup().await.unwrap();
}
