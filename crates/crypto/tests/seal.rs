//! Seals: signing, co-signing, chains, and a changed field in any seal is detected.
#![allow(clippy::unwrap_used, clippy::type_complexity)] // test helpers; alteration tables

use ed25519_dalek::SigningKey;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use scrutin_crypto::encoding::sha256;
use scrutin_crypto::seal::{NO_PREVIOUS_SEAL, Seal, SealFault, SealKind, verify, verify_chain};

fn key(seed: u64) -> SigningKey {
    SigningKey::generate(&mut ChaCha20Rng::seed_from_u64(seed))
}

fn chain(platform: &SigningKey) -> Vec<Seal> {
    let software = Seal::sign(
        SealKind::Software,
        "national",
        sha256(b"binaries, web assets, migrations"),
        None,
        "2026-02-01T09:00:00Z",
        platform,
    )
    .unwrap();
    let voters = Seal::sign(
        SealKind::Voters,
        "chamber/CCI-75",
        sha256(b"voter list"),
        Some(&software),
        "2026-02-10T09:00:00Z",
        platform,
    )
    .unwrap();
    let closed = Seal::sign(
        SealKind::BoxClosed,
        "scrutin/cci-2026-ccir-75",
        sha256(b"final board head and count"),
        Some(&voters),
        "2026-03-12T23:00:00Z",
        platform,
    )
    .unwrap();
    vec![software, voters, closed]
}

#[test]
fn a_chain_of_seals_verifies() {
    let platform = key(1);
    let seals = chain(&platform);
    verify_chain(&seals, &platform.verifying_key()).unwrap();
    assert_eq!(seals[0].previous, NO_PREVIOUS_SEAL);
    assert_eq!(seals[1].previous, seals[0].digest());
    assert!(seals[1].matches_subject(b"voter list"));
    assert!(!seals[1].matches_subject(b"voter list!"));
    let json = serde_json::to_string(&seals).unwrap();
    assert!(json.contains(r#""kind":"box-closed""#));
    let back: Vec<Seal> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, seals);
}

#[test]
fn every_kind_has_a_name_that_reads_back() {
    let kinds = [
        SealKind::Software,
        SealKind::Voters,
        SealKind::Candidates,
        SealKind::Credentials,
        SealKind::BoxClosed,
        SealKind::EmargementClosed,
        SealKind::Results,
        SealKind::Archive,
        SealKind::Custom("pv-signed".into()),
    ];
    for k in kinds {
        assert_eq!(k.name().parse::<SealKind>().unwrap(), k);
    }
    for bad in [
        "",
        "Voters",
        "custom:",
        "custom:Bad",
        "custom:a b",
        "unknown",
    ] {
        assert!(bad.parse::<SealKind>().is_err(), "{bad}");
    }
    let platform = key(1);
    assert!(
        Seal::sign(
            SealKind::Custom("Bad Name".into()),
            "national",
            [0; 32],
            None,
            "2026-02-01T09:00:00Z",
            &platform
        )
        .is_err()
    );
}

#[test]
fn changing_any_field_is_detected() {
    let platform = key(1);
    let vk = platform.verifying_key();
    let seal = chain(&platform).remove(1);
    let alterations: Vec<(&str, Box<dyn Fn(&mut Seal)>)> = vec![
        ("kind", Box::new(|s| s.kind = SealKind::Candidates)),
        ("scope", Box::new(|s| s.scope = "chamber/CCI-76".into())),
        ("subject", Box::new(|s| s.subject[0] ^= 1)),
        ("previous", Box::new(|s| s.previous[31] ^= 1)),
        ("time", Box::new(|s| s.time = "2026-02-10T09:00:01Z".into())),
        ("signature", Box::new(|s| s.signature[10] ^= 1)),
    ];
    for (what, alter) in alterations {
        let mut s = seal.clone();
        alter(&mut s);
        assert_eq!(verify(&s, &vk), Err(SealFault::Signature), "{what}");
    }
    let mut s = seal.clone();
    s.signer = key(2).verifying_key().to_bytes();
    assert_eq!(verify(&s, &vk), Err(SealFault::WrongSigner));
    let mut s = seal.clone();
    s.time = "10/02/2026".into();
    assert!(matches!(verify(&s, &vk), Err(SealFault::Malformed(_))));
    let mut s = seal.clone();
    s.scope = String::new();
    assert!(matches!(verify(&s, &vk), Err(SealFault::Malformed(_))));
    // A seal signed by another key than the platform's.
    let other = key(3);
    let forged = Seal::sign(
        SealKind::Results,
        "national",
        [1; 32],
        None,
        "2026-03-13T09:00:00Z",
        &other,
    )
    .unwrap();
    assert_eq!(verify(&forged, &vk), Err(SealFault::WrongSigner));
}

#[test]
fn cosignatures_verify_and_are_checked() {
    let platform = key(1);
    let vk = platform.verifying_key();
    let (president, assessor, stranger) = (key(10), key(11), key(12));
    let mut seal = chain(&platform).remove(2);
    let digest = seal.digest();
    seal.cosign(&president).unwrap();
    seal.cosign(&assessor).unwrap();
    assert!(seal.cosign(&president).is_err(), "twice the same co-signer");
    assert!(
        seal.cosign(&platform).is_err(),
        "the platform co-signing itself"
    );
    assert_eq!(
        seal.digest(),
        digest,
        "co-signatures do not change the digest"
    );
    verify(&seal, &vk).unwrap();
    let coe = [president.verifying_key(), assessor.verifying_key()];
    seal.verify_with_cosigners(&vk, &coe).unwrap();

    let mut s = seal.clone();
    s.cosign(&stranger).unwrap();
    assert_eq!(
        s.verify_with_cosigners(&vk, &coe),
        Err(SealFault::UnknownCoSigner(2))
    );

    let mut s = seal.clone();
    s.cosignatures[1].signature[0] ^= 1;
    assert_eq!(verify(&s, &vk), Err(SealFault::CoSignature(1)));

    let mut s = seal.clone();
    s.cosignatures[1].signer = s.cosignatures[0].signer;
    assert_eq!(verify(&s, &vk), Err(SealFault::DuplicateCoSigner(1)));

    // A co-signature moved to another seal does not verify there.
    let mut other = chain(&platform).remove(1);
    other.cosignatures.push(seal.cosignatures[0].clone());
    assert_eq!(verify(&other, &vk), Err(SealFault::CoSignature(0)));
}

#[test]
fn removing_reordering_or_replacing_seals_breaks_the_chain() {
    let platform = key(1);
    let vk = platform.verifying_key();
    let seals = chain(&platform);

    let removed = vec![seals[0].clone(), seals[2].clone()];
    let err = verify_chain(&removed, &vk).unwrap_err();
    assert_eq!((err.index, err.fault), (1, SealFault::Chain));

    let mut swapped = seals.clone();
    swapped.swap(1, 2);
    assert_eq!(verify_chain(&swapped, &vk).unwrap_err().index, 1);

    // A replacement seal, validly signed, that names the right predecessor still breaks the
    // link to the seal after it.
    let mut replaced = seals.clone();
    replaced[1] = Seal::sign(
        SealKind::Voters,
        "chamber/CCI-75",
        sha256(b"another list"),
        Some(&seals[0]),
        "2026-02-10T09:00:00Z",
        &platform,
    )
    .unwrap();
    let err = verify_chain(&replaced, &vk).unwrap_err();
    assert_eq!((err.index, err.fault), (2, SealFault::Chain));

    let err = verify_chain(&seals[1..], &vk).unwrap_err();
    assert_eq!((err.index, err.fault), (0, SealFault::Chain));

    assert!(
        Seal::sign(
            SealKind::Results,
            "national",
            [0; 32],
            Some(&seals[2]),
            "2026-03-12T22:00:00Z",
            &platform
        )
        .is_err(),
        "a seal earlier than its predecessor"
    );
}
