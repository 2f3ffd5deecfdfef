//! Merkle log: RFC 9162 values, proofs over all small sizes against a direct transcription
//! of the RFC's recursive definitions, tampering, and signed tree heads.
#![allow(clippy::unwrap_used, clippy::type_complexity)] // test helpers; alteration tables

use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use scrutin_crypto::encoding::sha256;
use scrutin_crypto::merkle::{
    ConsistencyProof, Hash, InclusionProof, MerkleTree, SignedTreeHead, consistency_proof,
    empty_root, inclusion_proof, leaf_hash, tree_root, verify_consistency, verify_inclusion,
};

/// The leaves of Certificate Transparency's reference tests.
const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];
/// Their roots for sizes 1 to 8 (computed independently, matching CT's published values).
const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

fn h(s: &str) -> Hash {
    hex::decode(s).unwrap().try_into().unwrap()
}

fn hs(v: &[&str]) -> Vec<Hash> {
    v.iter().map(|s| h(s)).collect()
}

fn ct_leaves() -> Vec<Hash> {
    LEAVES
        .iter()
        .map(|l| leaf_hash(&hex::decode(l).unwrap()))
        .collect()
}

// RFC 9162 §2.1.1–2.1.4 written as directly as possible, as an independent reference.
fn k_of(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}
fn node(l: &Hash, r: &Hash) -> Hash {
    let mut b = vec![1u8];
    b.extend_from_slice(l);
    b.extend_from_slice(r);
    sha256(&b)
}
fn mth(d: &[Hash]) -> Hash {
    match d.len() {
        0 => sha256(b""),
        1 => d[0],
        n => node(&mth(&d[..k_of(n)]), &mth(&d[k_of(n)..])),
    }
}
fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
    let n = d.len();
    if n <= 1 {
        return vec![];
    }
    let k = k_of(n);
    if m < k {
        let mut p = path(m, &d[..k]);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = path(m - k, &d[k..]);
        p.push(mth(&d[..k]));
        p
    }
}
fn subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { vec![] } else { vec![mth(d)] };
    }
    let k = k_of(n);
    if m <= k {
        let mut p = subproof(m, &d[..k], b);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = subproof(m - k, &d[k..], false);
        p.push(mth(&d[..k]));
        p
    }
}

#[test]
fn roots_match_the_reference_values() {
    let leaves = ct_leaves();
    for (n, root) in ROOTS.iter().enumerate() {
        assert_eq!(tree_root(&leaves[..=n]), h(root), "size {}", n + 1);
    }
    assert_eq!(tree_root(&[]), empty_root());
    assert_eq!(
        hex::encode(empty_root()),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn proofs_match_the_reference_values() {
    let leaves = ct_leaves();
    let cases: [(u64, usize, &[&str]); 3] = [
        (
            0,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            8,
            &[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            3,
            &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
        ),
    ];
    for (index, size, expected) in cases {
        let proof = inclusion_proof(&leaves[..size], index).unwrap();
        assert_eq!(proof.path, hs(expected), "leaf {index} of {size}");
        verify_inclusion(&leaves[index as usize], &proof, &h(ROOTS[size - 1])).unwrap();
    }
    let cases: [(u64, usize, &[&str]); 3] = [
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
        (
            3,
            7,
            &[
                "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
                "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e",
            ],
        ),
    ];
    for (old, size, expected) in cases {
        let proof = consistency_proof(&leaves[..size], old).unwrap();
        assert_eq!(proof.path, hs(expected), "{old} → {size}");
        verify_consistency(&proof, &h(ROOTS[old as usize - 1]), &h(ROOTS[size - 1])).unwrap();
    }
}

fn leaves(n: usize) -> Vec<Hash> {
    (0..n as u32).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

#[test]
fn every_proof_of_every_small_tree_agrees_with_the_rfc_and_verifies() {
    let all = leaves(70);
    let mut tree = MerkleTree::new();
    for (n, leaf) in all.iter().enumerate() {
        tree.push(*leaf);
        let size = n as u64 + 1;
        let d = &all[..=n];
        let root = mth(d);
        assert_eq!(tree.root(), root);
        for m in 0..=n {
            let p = tree.inclusion_proof(m as u64, size).unwrap();
            assert_eq!(p.path, path(m, d));
            p.verify(&all[m], &root).unwrap();
            // The same proof does not verify another leaf or position.
            assert!(p.verify(&all[(m + 1) % 70], &root).is_err());
            if size > 1 {
                let moved = InclusionProof {
                    leaf_index: (m as u64 + 1) % size,
                    ..p.clone()
                };
                assert!(moved.verify(&all[m], &root).is_err() || moved.path.is_empty());
            }
        }
        for old in 1..=size {
            let p = tree.consistency_proof(old, size).unwrap();
            assert_eq!(p.path, subproof(old as usize, d, true));
            let old_root = tree.root_at(old).unwrap();
            p.verify(&old_root, &root).unwrap();
            if old < size {
                assert!(p.verify(&root, &root).is_err(), "{old} → {size}");
            }
        }
    }
}

#[test]
fn tampering_is_detected() {
    let all = leaves(13);
    let root = tree_root(&all);
    let proof = inclusion_proof(&all, 6).unwrap();
    // A changed leaf, root, path element, index or size.
    assert!(verify_inclusion(&leaf_hash(b"forged"), &proof, &root).is_err());
    let mut bad_root = root;
    bad_root[0] ^= 1;
    assert!(verify_inclusion(&all[6], &proof, &bad_root).is_err());
    for k in 0..proof.path.len() {
        let mut p = proof.clone();
        p.path[k][31] ^= 1;
        assert!(verify_inclusion(&all[6], &p, &root).is_err());
    }
    // The size must come from the signed tree head: sizes whose tree has the same shape
    // around the leaf (9 to 16 here) give the same path, but any other shape fails.
    for size in [7, 8, 17, 33] {
        let mut p = proof.clone();
        p.tree_size = size;
        assert!(verify_inclusion(&all[6], &p, &root).is_err(), "size {size}");
    }
    let mut p = proof.clone();
    p.leaf_index = 13;
    assert!(verify_inclusion(&all[6], &p, &root).is_err());
    let mut p = proof.clone();
    p.path.push([0u8; 32]);
    assert!(verify_inclusion(&all[6], &p, &root).is_err());
    let mut p = proof.clone();
    p.path.pop();
    assert!(verify_inclusion(&all[6], &p, &root).is_err());

    // A tree whose earlier leaf was changed is not consistent with the old head.
    let old_root = tree_root(&all[..5]);
    let mut rewritten = all.clone();
    rewritten[2] = leaf_hash(b"rewritten");
    let cp = consistency_proof(&rewritten, 5).unwrap();
    assert!(verify_consistency(&cp, &old_root, &tree_root(&rewritten)).is_err());
    let good = consistency_proof(&all, 5).unwrap();
    verify_consistency(&good, &old_root, &root).unwrap();
    for k in 0..good.path.len() {
        let mut p = good.clone();
        p.path[k][0] ^= 0x80;
        assert!(verify_consistency(&p, &old_root, &root).is_err());
    }
    let bad = ConsistencyProof {
        old_size: 6,
        ..good.clone()
    };
    assert!(verify_consistency(&bad, &old_root, &root).is_err());
    let bad = ConsistencyProof {
        old_size: 0,
        new_size: 13,
        path: vec![],
    };
    assert!(verify_consistency(&bad, &empty_root(), &root).is_err());
    assert!(consistency_proof(&all, 0).is_err());
    assert!(consistency_proof(&all, 14).is_err());
    assert!(inclusion_proof(&all, 13).is_err());
}

#[test]
fn leaves_and_nodes_cannot_be_confused() {
    // A "leaf" made of two child hashes does not hash like the interior node.
    let all = leaves(2);
    let mut concat = all[0].to_vec();
    concat.extend_from_slice(&all[1]);
    assert_ne!(leaf_hash(&concat), tree_root(&all));
}

#[test]
fn signed_tree_heads_verify_and_refuse_any_change() {
    let key = SigningKey::generate(&mut ChaCha20Rng::seed_from_u64(3));
    let vk = key.verifying_key();
    let all = leaves(40);
    let head = SignedTreeHead::sign(
        "scrutin/cci-2026-ccir-75",
        3,
        40,
        tree_root(&all),
        "2026-03-12T10:05:00Z",
        &key,
    )
    .unwrap();
    head.verify(&vk).unwrap();
    let json = serde_json::to_string(&head).unwrap();
    let back: SignedTreeHead = serde_json::from_str(&json).unwrap();
    assert_eq!(back, head);
    assert_eq!(back.digest(), head.digest());
    let alterations: Vec<Box<dyn Fn(&mut SignedTreeHead)>> = vec![
        Box::new(|t| t.log_id.push('x')),
        Box::new(|t| t.epoch += 1),
        Box::new(|t| t.tree_size -= 1),
        Box::new(|t| t.root[7] ^= 1),
        Box::new(|t| t.time = "2026-03-12T10:05:01Z".into()),
        Box::new(|t| t.signature[0] ^= 1),
    ];
    for alter in alterations {
        let mut t = head.clone();
        alter(&mut t);
        assert!(t.verify(&vk).is_err());
    }
    let other = SigningKey::generate(&mut ChaCha20Rng::seed_from_u64(4));
    assert!(head.verify(&other.verifying_key()).is_err());
    assert!(SignedTreeHead::sign("x", 1, 0, empty_root(), "yesterday", &key).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn proofs_hold_for_random_sizes(size in 1u64..3000, a in any::<u64>(), b in any::<u64>()) {
        let all = leaves(size as usize);
        let tree = MerkleTree::from_leaf_hashes(&all);
        let root = tree.root();
        let index = a % size;
        let p = tree.inclusion_proof(index, size).unwrap();
        prop_assert!(p.verify(&all[index as usize], &root).is_ok());
        prop_assert!(p.path.len() <= 64 - size.leading_zeros() as usize);
        let old = 1 + b % size;
        let c = tree.consistency_proof(old, size).unwrap();
        prop_assert!(c.verify(&tree.root_at(old).unwrap(), &root).is_ok());
        prop_assert_eq!(tree.root_at(old).unwrap(), tree_root(&all[..old as usize]));
    }
}
