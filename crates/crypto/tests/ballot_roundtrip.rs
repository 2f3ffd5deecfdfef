//! Encrypt, prove, sign, verify: the ballot says what the voter chose, verifies, and its
//! JSON form is strict.
#![allow(clippy::unwrap_used)]

mod ballot_support;

use ballot_support::*;
use scrutin_crypto::CryptoError;
use scrutin_crypto::ballot::*;

#[test]
fn typical_ballot_encrypts_the_choice_and_verifies() {
    let (x, y) = election_key(1);
    let style = typical_style(y);
    let key = voting_key(1);
    let choices = [ContestChoice::select([0, 5, 2]), ContestChoice::blank()];
    let ballot = encrypt_ballot(&style, &choices, &key, &mut rng(2)).unwrap();
    verify_ballot(&ballot, &style).unwrap();

    let (blank, options) = ballot.contests[0].ciphertexts().unwrap();
    assert_eq!(decrypt(&x, &blank, 1), Some(0));
    let marks: Vec<u64> = options.iter().map(|c| decrypt(&x, c, 1).unwrap()).collect();
    assert_eq!(marks, vec![1, 0, 1, 0, 0, 1]);
    let (blank, options) = ballot.contests[1].ciphertexts().unwrap();
    assert_eq!(decrypt(&x, &blank, 1), Some(1));
    assert!(options.iter().all(|c| decrypt(&x, c, 1) == Some(0)));

    assert_eq!(ballot.voting_key, key.verifying_key().to_bytes());
    assert_eq!(ballot.contests[0].sum_proof.len(), 4);
    assert_eq!(ballot.contests[1].sum_proof.len(), 9);
}

#[test]
fn worst_case_ballot_with_all_seats_verifies() {
    let (x, y) = election_key(3);
    let style = worst_style(y);
    let chosen: Vec<u32> = (0..35).map(|i| i * 2 + 1).collect();
    let ballot = encrypt_ballot(
        &style,
        &[ContestChoice::select(chosen.clone())],
        &voting_key(3),
        &mut rng(4),
    )
    .unwrap();
    verify_ballot(&ballot, &style).unwrap();
    let (_, options) = ballot.contests[0].ciphertexts().unwrap();
    let total: u64 = options.iter().map(|c| decrypt(&x, c, 1).unwrap()).sum();
    assert_eq!(total, 35);
    assert_eq!(decrypt(&x, &options[1], 1), Some(1));
    assert_eq!(decrypt(&x, &options[0], 1), Some(0));
}

#[test]
fn fewer_options_than_seats_caps_the_sum_proof() {
    let (_, y) = election_key(5);
    let style = BallotStyle::new(ELECTION, SCRUTIN, vec![contest(y, "ccit", 2, 5)]).unwrap();
    let ballot = encrypt_ballot(
        &style,
        &[ContestChoice::select([0, 1])],
        &voting_key(5),
        &mut rng(6),
    )
    .unwrap();
    assert_eq!(ballot.contests[0].sum_proof.len(), 3);
    verify_ballot(&ballot, &style).unwrap();
}

#[test]
fn same_rng_gives_the_same_ballot_and_fresh_randomness_another() {
    let (_, y) = election_key(7);
    let style = typical_style(y);
    let key = voting_key(7);
    let choices = [ContestChoice::select([1]), ContestChoice::select([3, 4])];
    let a = encrypt_ballot(&style, &choices, &key, &mut rng(8)).unwrap();
    let b = encrypt_ballot(&style, &choices, &key, &mut rng(8)).unwrap();
    let c = encrypt_ballot(&style, &choices, &key, &mut rng(9)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.tracking_code(), c.tracking_code());
    assert_ne!(a.contests[0].options[0], c.contests[0].options[0]);
}

#[test]
fn invalid_choices_are_refused_with_a_reason() {
    let (_, y) = election_key(10);
    let style = typical_style(y);
    let key = voting_key(10);
    let ok = ContestChoice::select([0]);
    let cases: Vec<(ContestChoice, &str)> = vec![
        (ContestChoice::select([0, 1, 2, 3]), "at most 3"),
        (
            ContestChoice {
                blank: true,
                selected: vec![1],
            },
            "blank vote cannot also select",
        ),
        (ContestChoice::select([6]), "out of range"),
        (ContestChoice::select([2, 2]), "selected twice"),
        (ContestChoice::select([]), "no option selected"),
    ];
    for (choice, reason) in cases {
        let err = encrypt_ballot(&style, &[choice, ok.clone()], &key, &mut rng(11)).unwrap_err();
        assert!(
            matches!(&err, CryptoError::InvalidInput(m) if m.contains(reason) && m.contains("contest 1")),
            "{err}"
        );
    }
    let err = encrypt_ballot(&style, std::slice::from_ref(&ok), &key, &mut rng(11)).unwrap_err();
    assert!(
        err.to_string().contains("1 choices for 2 contests"),
        "{err}"
    );
}

#[test]
fn json_round_trip_is_exact_and_strict() {
    let (_, y) = election_key(12);
    let style = typical_style(y);
    let ballot = encrypt_ballot(
        &style,
        &[ContestChoice::select([2]), ContestChoice::select([0, 14])],
        &voting_key(12),
        &mut rng(13),
    )
    .unwrap();
    let json = ballot.to_json();
    let back = Ballot::from_json(&json).unwrap();
    assert_eq!(back, ballot);
    assert_eq!(back.to_json(), json);
    assert_eq!(back.tracking_code(), ballot.tracking_code());

    // Unknown field at top level and deep inside.
    let extra = json.replacen("{\"version\"", "{\"extra\":1,\"version\"", 1);
    assert!(Ballot::from_json(&extra).is_err());
    let deep = json.replacen("\"response\":", "\"note\":\"x\",\"response\":", 1);
    assert!(Ballot::from_json(&deep).is_err());
    // Uppercase hex, a short hex string, a duplicated field.
    let key_hex = hex::encode(ballot.voting_key);
    assert!(Ballot::from_json(&json.replace(&key_hex, &key_hex.to_uppercase())).is_err());
    assert!(Ballot::from_json(&json.replace(&key_hex, &key_hex[..62])).is_err());
    let dup = json.replacen("{\"version\":1", "{\"version\":1,\"version\":1", 1);
    assert!(Ballot::from_json(&dup).is_err());
    // A missing field.
    let missing = json.replacen("\"version\":1,", "", 1);
    assert!(Ballot::from_json(&missing).is_err());
}

#[test]
fn tracking_code_forms() {
    let (_, y) = election_key(14);
    let style = typical_style(y);
    let ballot = encrypt_ballot(
        &style,
        &[ContestChoice::blank(), ContestChoice::blank()],
        &voting_key(14),
        &mut rng(15),
    )
    .unwrap();
    let code = ballot.tracking_code();
    let full = code.to_hex();
    assert_eq!(full.len(), 64);
    assert_eq!(code.short().replace('-', ""), full[..12]);
    assert_eq!(code.short().len(), 14);
    let json = serde_json::to_string(&code).unwrap();
    assert_eq!(json, format!("\"{full}\""));
    assert_eq!(serde_json::from_str::<TrackingCode>(&json).unwrap(), code);
    // The tracking code covers the signature too.
    let mut other = ballot.clone();
    other.signature[63] ^= 1;
    assert_ne!(other.tracking_code(), code);
}

#[test]
fn contest_and_style_parameters_are_checked() {
    let (_, y) = election_key(16);
    let opts = |n: usize| (0..n).map(|i| format!("o{i}")).collect::<Vec<_>>();
    assert!(ContestParams::new(ELECTION, "c", y, vec![], 1).is_err());
    assert!(ContestParams::new(ELECTION, "c", y, opts(3), 0).is_err());
    assert!(ContestParams::new(ELECTION, "", y, opts(3), 1).is_err());
    assert!(ContestParams::new(ELECTION, "c", y, vec!["a".into(), "a".into()], 1).is_err());
    assert!(
        ContestParams::new(
            ELECTION,
            "c",
            scrutin_crypto::RistrettoPoint::default(),
            opts(3),
            1
        )
        .is_err()
    );
    let c = ContestParams::new(ELECTION, "c", y, opts(3), 1).unwrap();
    assert!(BallotStyle::new(ELECTION, SCRUTIN, vec![]).is_err());
    assert!(BallotStyle::new("other", SCRUTIN, vec![c.clone()]).is_err());
    assert!(BallotStyle::new(ELECTION, SCRUTIN, vec![c.clone(), c.clone()]).is_err());

    // Each parameter changes the fingerprint.
    let base = *c.fingerprint();
    let variants = [
        ContestParams::new("e2", "c", y, opts(3), 1).unwrap(),
        ContestParams::new(ELECTION, "c2", y, opts(3), 1).unwrap(),
        ContestParams::new(ELECTION, "c", y + y, opts(3), 1).unwrap(),
        ContestParams::new(ELECTION, "c", y, opts(4), 1).unwrap(),
        ContestParams::new(
            ELECTION,
            "c",
            y,
            vec!["o1".into(), "o0".into(), "o2".into()],
            1,
        )
        .unwrap(),
        ContestParams::new(ELECTION, "c", y, opts(3), 2).unwrap(),
    ];
    for v in variants {
        assert_ne!(*v.fingerprint(), base);
    }

    // JSON forms round-trip and are checked on the way in.
    let style = BallotStyle::new(ELECTION, SCRUTIN, vec![c]).unwrap();
    let json = serde_json::to_string(&style).unwrap();
    assert_eq!(serde_json::from_str::<BallotStyle>(&json).unwrap(), style);
    assert!(
        serde_json::from_str::<BallotStyle>(&json.replace("\"seats\":1", "\"seats\":0")).is_err()
    );
    assert!(
        serde_json::from_str::<BallotStyle>(&json.replace("\"seats\":1", "\"seats\":1,\"x\":0"))
            .is_err()
    );
}

#[test]
fn choices_and_codes_do_not_leak_through_debug() {
    let c = ContestChoice::select([3]);
    assert_eq!(format!("{c:?}"), "ContestChoice(<secret>)");
}
