//! Journal hash chain: tampering with any entry or checkpoint is found, at the right place.
#![allow(clippy::unwrap_used, clippy::type_complexity)] // test helpers; alteration tables

use ed25519_dalek::SigningKey;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use scrutin_crypto::hashchain::{
    ChainError, ChainVerifier, Checkpoint, CheckpointFault, EntryFault, GENESIS_PREVIOUS,
    JournalEntry, verify_chain,
};

fn operator() -> SigningKey {
    SigningKey::generate(&mut ChaCha20Rng::seed_from_u64(1))
}

fn journal(len: usize) -> Vec<JournalEntry> {
    let mut entries = vec![
        JournalEntry::first(
            "2026-03-01T08:00:00Z",
            "journal-opened",
            br#"{"scrutin":"cci-2026"}"#.to_vec(),
        )
        .unwrap(),
    ];
    for k in 1..len {
        let time = format!("2026-03-01T08:{:02}:{:02}.{}Z", k / 60, k % 60, k % 10);
        let payload = format!(r#"{{"action":"upload","n":{k}}}"#).into_bytes();
        let next = entries[k - 1].next(&time, "admin-action", payload).unwrap();
        entries.push(next);
    }
    entries
}

fn checkpoints(entries: &[JournalEntry], at: &[usize], key: &SigningKey) -> Vec<Checkpoint> {
    at.iter()
        .map(|&i| Checkpoint::sign(&entries[i], "2026-03-01T09:00:00Z", key).unwrap())
        .collect()
}

fn entry_fault(r: Result<impl std::fmt::Debug, ChainError>) -> (usize, EntryFault) {
    match r {
        Err(ChainError::Entry { index, fault }) => (index, fault),
        other => panic!("expected an entry fault, got {other:?}"),
    }
}

#[test]
fn an_intact_journal_verifies() {
    let key = operator();
    let entries = journal(20);
    let cps = checkpoints(&entries, &[4, 19], &key);
    let summary = verify_chain(&entries, &cps, &key.verifying_key()).unwrap();
    assert_eq!(summary.length, 20);
    assert_eq!(summary.head, entries[19].hash());
    assert_eq!(summary.last_checkpoint, Some(19));
    assert_eq!(entries[0].previous, GENESIS_PREVIOUS);
    // JSON round trip keeps hashes.
    let json = serde_json::to_string(&entries).unwrap();
    let back: Vec<JournalEntry> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, entries);
    let empty = verify_chain(&[], &[], &key.verifying_key()).unwrap();
    assert_eq!((empty.length, empty.head), (0, [0u8; 32]));
}

#[test]
fn changing_any_field_of_an_entry_breaks_the_chain_right_after_it() {
    let key = operator().verifying_key();
    let entries = journal(10);
    let alterations: Vec<(&str, Box<dyn Fn(&mut JournalEntry)>)> = vec![
        ("payload", Box::new(|e| e.payload[3] ^= 1)),
        ("kind", Box::new(|e| e.kind = "admin-actiom".into())),
        (
            "time",
            Box::new(|e| e.time = "2026-03-01T08:00:05.6Z".into()),
        ),
    ];
    for (what, alter) in alterations {
        let mut t = entries.clone();
        alter(&mut t[5]);
        assert_eq!(
            entry_fault(verify_chain(&t, &[], &key)),
            (6, EntryFault::PreviousHash),
            "{what}"
        );
    }
    let mut t = entries.clone();
    t[5].previous[0] ^= 1;
    assert_eq!(
        entry_fault(verify_chain(&t, &[], &key)),
        (5, EntryFault::PreviousHash)
    );
    let mut t = entries.clone();
    t[5].sequence = 7;
    assert_eq!(
        entry_fault(verify_chain(&t, &[], &key)),
        (
            5,
            EntryFault::Sequence {
                expected: 5,
                found: 7
            }
        )
    );
}

#[test]
fn dropping_reordering_or_inserting_entries_is_found() {
    let key = operator().verifying_key();
    let entries = journal(10);

    let mut t = entries.clone();
    t.remove(3);
    assert_eq!(
        entry_fault(verify_chain(&t, &[], &key)),
        (
            3,
            EntryFault::Sequence {
                expected: 3,
                found: 4
            }
        )
    );

    let mut t = entries.clone();
    t.swap(3, 4);
    assert_eq!(
        entry_fault(verify_chain(&t, &[], &key)),
        (
            3,
            EntryFault::Sequence {
                expected: 3,
                found: 4
            }
        )
    );

    // An inserted entry, renumbering everything after it and rechaining only the next.
    let mut t = entries.clone();
    let inserted = t[2]
        .next("2026-03-01T08:00:02.5Z", "admin-action", b"{}".to_vec())
        .unwrap();
    t.insert(3, inserted);
    for (k, e) in t.iter_mut().enumerate().skip(4) {
        e.sequence = k as u64;
    }
    t[4].previous = t[3].hash();
    assert_eq!(
        entry_fault(verify_chain(&t, &[], &key)),
        (5, EntryFault::PreviousHash)
    );

    // Dropping the first entry.
    assert_eq!(
        entry_fault(verify_chain(&entries[1..], &[], &key)),
        (
            0,
            EntryFault::Sequence {
                expected: 0,
                found: 1
            }
        )
    );
}

#[test]
fn a_rewritten_tail_or_truncation_is_caught_by_a_checkpoint() {
    let signer = operator();
    let key = signer.verifying_key();
    let entries = journal(10);
    let cps = checkpoints(&entries, &[9], &signer);

    // Rewriting entry 7 and rechaining everything after it makes a consistent chain...
    let mut t = entries[..7].to_vec();
    let mut prev = t[6].clone();
    for (k, original) in entries.iter().enumerate().skip(7) {
        let e = prev
            .next(
                &original.time,
                "admin-action",
                format!("forged {k}").into_bytes(),
            )
            .unwrap();
        t.push(e.clone());
        prev = e;
    }
    // ...but not the signed checkpoint.
    assert_eq!(
        verify_chain(&t, &cps, &key).unwrap_err(),
        ChainError::Checkpoint {
            index: 0,
            fault: CheckpointFault::HeadMismatch(9)
        }
    );
    // Truncation below a checkpoint.
    assert_eq!(
        verify_chain(&entries[..8], &cps, &key).unwrap_err(),
        ChainError::Checkpoint {
            index: 0,
            fault: CheckpointFault::BeyondChain {
                sequence: 9,
                length: 8
            }
        }
    );
}

#[test]
fn forged_or_misordered_checkpoints_are_refused() {
    let signer = operator();
    let key = signer.verifying_key();
    let entries = journal(6);
    let good = checkpoints(&entries, &[2, 5], &signer);

    let mut cps = good.clone();
    cps[1].head = entries[4].hash();
    assert_eq!(
        verify_chain(&entries, &cps, &key).unwrap_err(),
        ChainError::Checkpoint {
            index: 1,
            fault: CheckpointFault::Signature
        }
    );

    let mut cps = good.clone();
    cps[0].time = "2026-03-01T09:00:01Z".into();
    assert!(matches!(
        verify_chain(&entries, &cps, &key),
        Err(ChainError::Checkpoint {
            index: 0,
            fault: CheckpointFault::Signature
        })
    ));

    // A checkpoint signed by another key.
    let intruder = SigningKey::generate(&mut ChaCha20Rng::seed_from_u64(9));
    let forged = checkpoints(&entries, &[5], &intruder);
    assert!(matches!(
        verify_chain(&entries, &forged, &key),
        Err(ChainError::Checkpoint {
            index: 0,
            fault: CheckpointFault::Signature
        })
    ));

    let reversed: Vec<Checkpoint> = good.iter().rev().cloned().collect();
    assert_eq!(
        verify_chain(&entries, &reversed, &key).unwrap_err(),
        ChainError::Checkpoint {
            index: 1,
            fault: CheckpointFault::Order
        }
    );
}

#[test]
fn entries_are_validated_when_made() {
    let e = JournalEntry::first("2026-03-01T08:00:00Z", "x", vec![]).unwrap();
    assert!(
        e.next("2026-03-01T07:59:59Z", "x", vec![]).is_err(),
        "time going back"
    );
    assert!(
        e.next("2026-03-01T08:00:00Z", "X", vec![]).is_err(),
        "uppercase kind"
    );
    assert!(
        e.next("2026-03-01T08:00:00Z", "", vec![]).is_err(),
        "empty kind"
    );
    assert!(
        e.next("2026-03-01 08:00:00", "x", vec![]).is_err(),
        "bad time"
    );
    assert!(
        e.next("2026-03-01T08:00:00Z", "x", vec![]).is_ok(),
        "same time is fine"
    );
    // A chain whose time goes back is refused by the verifier too.
    let mut a = e.next("2026-03-01T08:00:01Z", "x", vec![]).unwrap();
    a.time = "2026-03-01T07:00:00Z".into();
    let key = operator().verifying_key();
    assert_eq!(
        entry_fault(verify_chain(&[e.clone(), a], &[], &key)),
        (1, EntryFault::TimeBackwards)
    );
}

#[test]
fn the_incremental_verifier_resumes_after_a_trusted_entry() {
    let entries = journal(8);
    let mut v = ChainVerifier::resume_after(&entries[3]).unwrap();
    for e in &entries[4..] {
        v.push(e).unwrap();
    }
    assert_eq!(v.head(), entries[7].hash());
    assert_eq!(v.next_sequence(), 8);
    let mut v = ChainVerifier::resume_after(&entries[3]).unwrap();
    assert!(v.push(&entries[5]).is_err());
}
