//! The Ed25519 rule of `specs/protocol.md` §5.2: the individual and the batch check accept
//! and refuse exactly the same crafted signatures (torsion, small order, non-canonical
//! encodings), where ed25519-dalek's cofactorless `verify_strict` and a cofactored batch
//! equation would disagree.
#![allow(clippy::unwrap_used)]

use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use scrutin_crypto::ballot::signature::{
    is_canonical_encoding, verify_signature, verify_signatures,
};
use sha2::{Digest, Sha512};

const MSG: &[u8] = b"scrutin ballot bytes";

fn k(r: &[u8; 32], a: &[u8; 32], m: &[u8]) -> Scalar {
    let mut h = Sha512::new();
    h.update(r);
    h.update(a);
    h.update(m);
    Scalar::from_bytes_mod_order_wide(&h.finalize().into())
}

/// A signature made by hand: `R = r·B + r_extra`, `A = a·B + a_extra`, `s = r + k·a`.
struct Crafted {
    public: [u8; 32],
    signature: [u8; 64],
}

fn craft(seed: u64, r_extra: EdwardsPoint, a_extra: EdwardsPoint) -> Crafted {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let a = Scalar::random(&mut rng);
    let r = Scalar::random(&mut rng);
    let public = (EdwardsPoint::mul_base(&a) + a_extra).compress().to_bytes();
    let big_r = (EdwardsPoint::mul_base(&r) + r_extra).compress().to_bytes();
    let s = r + k(&big_r, &public, MSG) * a;
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&big_r);
    signature[32..].copy_from_slice(s.as_bytes());
    Crafted { public, signature }
}

fn identity() -> EdwardsPoint {
    EIGHT_TORSION[0]
}

/// Runs both checks; asserts they agree; returns the verdict.
fn verdict(c: &Crafted) -> bool {
    let alone = verify_signature(&c.public, MSG, &c.signature).is_ok();
    let honest = craft(1000, identity(), identity());
    let items = [
        (&honest.public, MSG, &honest.signature),
        (&c.public, MSG, &c.signature),
        (&honest.public, MSG, &honest.signature),
    ];
    let batch = verify_signatures(&items, &mut ChaCha20Rng::seed_from_u64(7));
    match &batch {
        Ok(()) => assert!(alone, "batch accepted what the individual check refused"),
        Err(bad) => {
            assert!(!alone, "batch refused what the individual check accepted");
            assert_eq!(bad.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![1]);
        }
    }
    alone
}

fn dalek_strict(c: &Crafted) -> bool {
    let Ok(vk) = ed25519_dalek::VerifyingKey::from_bytes(&c.public) else {
        return false;
    };
    vk.verify_strict(MSG, &ed25519_dalek::Signature::from_bytes(&c.signature))
        .is_ok()
}

#[test]
fn honest_signatures_pass_every_check() {
    for seed in 0..8 {
        let c = craft(seed, identity(), identity());
        assert!(verdict(&c));
        assert!(dalek_strict(&c));
    }
    // And ed25519-dalek's own signatures.
    let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    use ed25519_dalek::Signer;
    let c = Crafted {
        public: key.verifying_key().to_bytes(),
        signature: key.sign(MSG).to_bytes(),
    };
    assert!(verdict(&c));
}

#[test]
fn torsion_in_r_or_a_is_accepted_by_both_checks() {
    // verify_strict (cofactorless) refuses these; a cofactored batch would accept them.
    // Our rule accepts them in both checks, so server and verifier cannot disagree.
    for (t, torsion) in EIGHT_TORSION.iter().enumerate().skip(1) {
        let with_r = craft(10 + t as u64, *torsion, identity());
        assert!(verdict(&with_r), "torsion {t} in R");
        assert!(!dalek_strict(&with_r));
        let with_a = craft(20 + t as u64, identity(), *torsion);
        assert!(verdict(&with_a), "torsion {t} in A");
    }
}

#[test]
fn small_order_public_keys_are_refused_by_both() {
    for t in EIGHT_TORSION.iter() {
        // R small order too and s = 0: the cofactored equation holds trivially.
        let public = t.compress().to_bytes();
        let mut signature = [0u8; 64];
        signature[..32].copy_from_slice(&EIGHT_TORSION[2].compress().to_bytes());
        let c = Crafted { public, signature };
        assert!(!verdict(&c));
        let err = verify_signature(&c.public, MSG, &c.signature).unwrap_err();
        assert!(err.to_string().contains("small order"), "{err}");
    }
}

#[test]
fn small_order_r_from_the_signer_is_accepted_by_both() {
    // R of small order and s = k·a: only the key holder can make it; both checks agree.
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let a = Scalar::random(&mut rng);
    let public = EdwardsPoint::mul_base(&a).compress().to_bytes();
    let big_r = EIGHT_TORSION[3].compress().to_bytes();
    let s = k(&big_r, &public, MSG) * a;
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&big_r);
    signature[32..].copy_from_slice(s.as_bytes());
    assert!(verdict(&Crafted { public, signature }));
}

#[test]
fn non_canonical_encodings_are_refused_by_both() {
    // y = p (≡ 0, a point of order 4) written as p instead of 0; s = k·a makes the
    // cofactored equation hold, so only the encoding rule refuses it.
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let a = Scalar::random(&mut rng);
    let public = EdwardsPoint::mul_base(&a).compress().to_bytes();
    let mut y_p = [0xffu8; 32];
    y_p[0] = 0xed;
    y_p[31] = 0x7f;
    assert!(CompressedEdwardsY(y_p).decompress().is_some());
    let s = k(&y_p, &public, MSG) * a;
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&y_p);
    signature[32..].copy_from_slice(s.as_bytes());
    let c = Crafted { public, signature };
    assert!(!verdict(&c));
    assert!(
        verify_signature(&c.public, MSG, &c.signature)
            .unwrap_err()
            .to_string()
            .contains("not a canonical Ed25519 point encoding")
    );

    // The identity with the sign bit set ("negative zero") as R.
    let mut neg_zero = [0u8; 32];
    neg_zero[0] = 1;
    neg_zero[31] = 0x80;
    let s = k(&neg_zero, &public, MSG) * a;
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&neg_zero);
    signature[32..].copy_from_slice(s.as_bytes());
    assert!(!verdict(&Crafted { public, signature }));

    // s + ℓ.
    let honest = craft(5, identity(), identity());
    let mut sig = honest.signature;
    let s = Scalar::from_canonical_bytes(sig[32..].try_into().unwrap()).unwrap();
    let l_minus_1 = (Scalar::ZERO - Scalar::ONE).to_bytes();
    let mut carry = 1u16;
    for i in 0..32 {
        let v = u16::from(s.as_bytes()[i]) + u16::from(l_minus_1[i]) + carry;
        sig[32 + i] = v as u8;
        carry = v >> 8;
    }
    assert_eq!(carry, 0);
    assert!(!verdict(&Crafted {
        public: honest.public,
        signature: sig
    }));
}

#[test]
fn wrong_message_key_or_bits_are_refused_by_both() {
    let honest = craft(6, identity(), identity());
    let other = craft(7, identity(), identity());
    assert!(!verdict(&Crafted {
        public: other.public,
        signature: honest.signature
    }));
    for bit in [0usize, 100, 255, 300, 511] {
        let mut sig = honest.signature;
        sig[bit / 8] ^= 1 << (bit % 8);
        assert!(!verdict(&Crafted {
            public: honest.public,
            signature: sig
        }));
    }
    assert!(verify_signature(&honest.public, b"other message", &honest.signature).is_err());
}

#[test]
fn canonical_encoding_rule_matches_a_round_trip() {
    // Every y near 0, near ±1 and near p, with both signs: canonical and on the curve iff
    // decompression followed by compression gives the same bytes back.
    let p_minus = |d: u8| {
        let mut b = [0xffu8; 32];
        b[0] = 0xed - d;
        b[31] = 0x7f;
        b
    };
    let mut cases = Vec::new();
    for v in 0u8..40 {
        let mut b = [0u8; 32];
        b[0] = v;
        cases.push(b);
    }
    for d in 0..20u8 {
        cases.push(p_minus(d));
    }
    for v in 0xedu8..=0xff {
        let mut b = [0xffu8; 32];
        b[0] = v;
        b[31] = 0x7f;
        cases.push(b);
    }
    let mut checked = 0;
    for mut b in cases {
        for sign in [0u8, 0x80] {
            b[31] = (b[31] & 0x7f) | sign;
            let round_trip = CompressedEdwardsY(b)
                .decompress()
                .map(|pt| pt.compress().to_bytes() == b);
            if let Some(same) = round_trip {
                assert_eq!(is_canonical_encoding(&b), same, "{}", hex::encode(b));
                checked += 1;
            }
        }
    }
    assert!(checked > 20);
}
