//! The public board's Merkle log: RFC 9162 (Certificate Transparency 2.0) tree hashes,
//! inclusion proofs and consistency proofs, and signed tree heads per epoch.
//!
//! Leaves are hashed with the prefix `0x00`, interior nodes with `0x01`, so a leaf can never
//! pass for a node. A tree of `n` leaves splits at the largest power of two below `n`. The
//! verification algorithms are those of RFC 9162 §2.1.3.2 and §2.1.4.2, and
//! `specs/protocol.md` §11 restates them.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::encoding::{CanonicalWriter, serde_hex, sha256};
use crate::error::{CryptoError, Result};
use crate::timestamp::Timestamp;

/// A SHA-256 value in the tree.
pub type Hash = [u8; 32];

/// Domain tag of a signed tree head.
pub const TREE_HEAD_DOMAIN: &str = "scrutin-tree-head-v1";

/// Longest proof accepted: a tree of at most 2^64 leaves never needs more.
const MAX_PROOF_LEN: usize = 64;

/// `SHA-256(0x00 ‖ data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut buf = Vec::with_capacity(data.len() + 1);
    buf.push(0x00);
    buf.extend_from_slice(data);
    sha256(&buf)
}

/// `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut buf = [0u8; 65];
    buf[0] = 0x01;
    buf[1..33].copy_from_slice(left);
    buf[33..].copy_from_slice(right);
    sha256(&buf)
}

/// Root of the empty tree: `SHA-256("")`.
pub fn empty_root() -> Hash {
    sha256(&[])
}

/// The largest power of two strictly below `n` (n ≥ 2).
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// A Merkle tree that keeps every complete aligned subtree, so roots at any past size and
/// proofs cost O(log n) hashes. Appending is amortised O(1).
#[derive(Clone, Debug, Default)]
pub struct MerkleTree {
    /// `levels[h][i]` is the root of leaves `[i·2^h, (i+1)·2^h)`.
    levels: Vec<Vec<Hash>>,
}

impl MerkleTree {
    /// An empty tree.
    pub fn new() -> MerkleTree {
        MerkleTree::default()
    }

    /// A tree over the given leaf hashes.
    pub fn from_leaf_hashes(leaf_hashes: &[Hash]) -> MerkleTree {
        let mut tree = MerkleTree {
            levels: vec![Vec::with_capacity(leaf_hashes.len())],
        };
        for leaf in leaf_hashes {
            tree.push(*leaf);
        }
        tree
    }

    /// Appends a leaf hash (see [`leaf_hash`]).
    pub fn push(&mut self, leaf: Hash) {
        if self.levels.is_empty() {
            self.levels.push(Vec::new());
        }
        self.levels[0].push(leaf);
        let mut h = 0;
        while self.levels[h].len().is_multiple_of(2) {
            let level = &self.levels[h];
            let node = node_hash(&level[level.len() - 2], &level[level.len() - 1]);
            if self.levels.len() == h + 1 {
                self.levels.push(Vec::new());
            }
            self.levels[h + 1].push(node);
            h += 1;
        }
    }

    /// Number of leaves.
    pub fn len(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// Whether the tree has no leaf.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The current root.
    pub fn root(&self) -> Hash {
        self.subtree(0, self.len())
    }

    /// The root the tree had when it held its first `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash> {
        if size > self.len() {
            return Err(CryptoError::invalid(format!(
                "tree size {size} exceeds the {} leaves held",
                self.len()
            )));
        }
        Ok(self.subtree(0, size))
    }

    /// Root of leaves `[lo, hi)`, where the range is one the RFC 9162 recursion visits.
    fn subtree(&self, lo: u64, hi: u64) -> Hash {
        let n = hi - lo;
        match n {
            0 => empty_root(),
            _ if n.is_power_of_two() && lo.is_multiple_of(n) => {
                let h = n.trailing_zeros() as usize;
                // Positions are bounded by len(), which fits in usize.
                self.levels[h][(lo / n) as usize]
            }
            _ => {
                let k = split_point(n);
                node_hash(&self.subtree(lo, lo + k), &self.subtree(lo + k, hi))
            }
        }
    }

    /// The audit path of leaf `index` in the tree of the first `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<InclusionProof> {
        if size > self.len() || index >= size {
            return Err(CryptoError::invalid(format!(
                "no leaf {index} in a tree of size {size} ({} leaves held)",
                self.len()
            )));
        }
        let mut path = Vec::new();
        self.path(index, 0, size, &mut path);
        Ok(InclusionProof {
            leaf_index: index,
            tree_size: size,
            path,
        })
    }

    fn path(&self, m: u64, lo: u64, hi: u64, out: &mut Vec<Hash>) {
        let n = hi - lo;
        if n <= 1 {
            return;
        }
        let k = split_point(n);
        if m < k {
            self.path(m, lo, lo + k, out);
            out.push(self.subtree(lo + k, hi));
        } else {
            self.path(m - k, lo + k, hi, out);
            out.push(self.subtree(lo, lo + k));
        }
    }

    /// The proof that the tree of `old_size` leaves is a prefix of the tree of `new_size`.
    pub fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<ConsistencyProof> {
        if old_size == 0 || old_size > new_size || new_size > self.len() {
            return Err(CryptoError::invalid(format!(
                "no consistency proof from size {old_size} to {new_size} ({} leaves held); \
                 sizes must satisfy 0 < old ≤ new",
                self.len()
            )));
        }
        let mut path = Vec::new();
        self.subproof(old_size, 0, new_size, true, &mut path);
        Ok(ConsistencyProof {
            old_size,
            new_size,
            path,
        })
    }

    fn subproof(&self, m: u64, lo: u64, hi: u64, whole: bool, out: &mut Vec<Hash>) {
        let n = hi - lo;
        if m == n {
            if !whole {
                out.push(self.subtree(lo, hi));
            }
            return;
        }
        let k = split_point(n);
        if m <= k {
            self.subproof(m, lo, lo + k, whole, out);
            out.push(self.subtree(lo + k, hi));
        } else {
            self.subproof(m - k, lo + k, hi, false, out);
            out.push(self.subtree(lo, lo + k));
        }
    }
}

/// The root of a tree over the given leaf hashes (the empty root for none).
pub fn tree_root(leaf_hashes: &[Hash]) -> Hash {
    MerkleTree::from_leaf_hashes(leaf_hashes).root()
}

/// The inclusion proof of leaf `index` in the tree over `leaf_hashes`.
pub fn inclusion_proof(leaf_hashes: &[Hash], index: u64) -> Result<InclusionProof> {
    MerkleTree::from_leaf_hashes(leaf_hashes).inclusion_proof(index, leaf_hashes.len() as u64)
}

/// The consistency proof between the tree of the first `old_size` leaves and the tree over
/// all of `leaf_hashes`.
pub fn consistency_proof(leaf_hashes: &[Hash], old_size: u64) -> Result<ConsistencyProof> {
    MerkleTree::from_leaf_hashes(leaf_hashes).consistency_proof(old_size, leaf_hashes.len() as u64)
}

/// Proof that a leaf is in a tree (RFC 9162 §2.1.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    /// Position of the leaf, from 0.
    pub leaf_index: u64,
    /// Number of leaves in the tree.
    pub tree_size: u64,
    /// Sibling hashes from the leaf up to the root.
    #[serde(with = "hashes_hex")]
    pub path: Vec<Hash>,
}

impl InclusionProof {
    /// Checks that `leaf` (a leaf hash) is at `leaf_index` in the tree with root `root`.
    pub fn verify(&self, leaf: &Hash, root: &Hash) -> Result<()> {
        verify_inclusion(leaf, self, root)
    }
}

/// Proof that one tree is a prefix of another (RFC 9162 §2.1.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    /// Size of the earlier tree (at least 1).
    pub old_size: u64,
    /// Size of the later tree.
    pub new_size: u64,
    /// The proof's hashes, in RFC 9162 order.
    #[serde(with = "hashes_hex")]
    pub path: Vec<Hash>,
}

impl ConsistencyProof {
    /// Checks the proof between two roots.
    pub fn verify(&self, old_root: &Hash, new_root: &Hash) -> Result<()> {
        verify_consistency(self, old_root, new_root)
    }
}

fn fail(what: &str) -> CryptoError {
    CryptoError::verification(format!("Merkle {what}"))
}

/// RFC 9162 §2.1.3.2: verifies that `leaf` is leaf `proof.leaf_index` of the tree of
/// `proof.tree_size` leaves whose root is `root`.
pub fn verify_inclusion(leaf: &Hash, proof: &InclusionProof, root: &Hash) -> Result<()> {
    if proof.leaf_index >= proof.tree_size {
        return Err(fail("inclusion proof: leaf index beyond the tree size"));
    }
    if proof.path.len() > MAX_PROOF_LEN {
        return Err(fail("inclusion proof: path too long"));
    }
    let mut f = proof.leaf_index;
    let mut s = proof.tree_size - 1;
    let mut r = *leaf;
    for p in &proof.path {
        if s == 0 {
            return Err(fail("inclusion proof: path longer than the tree is deep"));
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(fail("inclusion proof: path shorter than the tree is deep"));
    }
    if r != *root {
        return Err(fail("inclusion proof: recomputed root differs"));
    }
    Ok(())
}

/// RFC 9162 §2.1.4.2: verifies that the tree of `proof.old_size` leaves with root `old_root`
/// is a prefix of the tree of `proof.new_size` leaves with root `new_root`.
pub fn verify_consistency(
    proof: &ConsistencyProof,
    old_root: &Hash,
    new_root: &Hash,
) -> Result<()> {
    let (first, second) = (proof.old_size, proof.new_size);
    if first == 0 || first > second {
        return Err(fail("consistency proof: sizes must satisfy 0 < old ≤ new"));
    }
    if proof.path.len() > MAX_PROOF_LEN {
        return Err(fail("consistency proof: path too long"));
    }
    if first == second {
        if !proof.path.is_empty() {
            return Err(fail("consistency proof: equal sizes need an empty path"));
        }
        if old_root != new_root {
            return Err(fail("consistency proof: equal sizes but different roots"));
        }
        return Ok(());
    }
    if proof.path.is_empty() {
        return Err(fail("consistency proof: empty path"));
    }
    let mut path = proof.path.iter();
    let start = if first.is_power_of_two() {
        *old_root
    } else {
        *path
            .next()
            .ok_or_else(|| fail("consistency proof: empty path"))?
    };
    let mut f = first - 1;
    let mut s = second - 1;
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (start, start);
    for c in path {
        if s == 0 {
            return Err(fail("consistency proof: path longer than needed"));
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(fail("consistency proof: path shorter than needed"));
    }
    if fr != *old_root {
        return Err(fail("consistency proof: old root differs"));
    }
    if sr != *new_root {
        return Err(fail("consistency proof: new root differs"));
    }
    Ok(())
}

/// A signed head of the board's log at the close of an epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedTreeHead {
    /// The log's identifier (the scrutin's).
    pub log_id: String,
    /// Epoch number, from 1.
    pub epoch: u64,
    /// Number of leaves (ballots) in the log at the close of the epoch.
    pub tree_size: u64,
    /// Root of the tree of `tree_size` leaves.
    #[serde(with = "serde_hex::bytes32")]
    pub root: Hash,
    /// UTC time of the close of the epoch (strict RFC 3339).
    pub time: String,
    /// Ed25519 signature by the platform's key over [`SignedTreeHead::signed_bytes`].
    #[serde(with = "serde_hex::bytes64")]
    pub signature: [u8; 64],
}

impl SignedTreeHead {
    /// Signs a tree head.
    pub fn sign(
        log_id: &str,
        epoch: u64,
        tree_size: u64,
        root: Hash,
        time: &str,
        key: &SigningKey,
    ) -> Result<SignedTreeHead> {
        Timestamp::parse(time)?;
        if log_id.is_empty() || log_id.chars().any(char::is_control) {
            return Err(CryptoError::invalid(
                "log id must be non-empty, without control characters",
            ));
        }
        let mut head = SignedTreeHead {
            log_id: log_id.to_owned(),
            epoch,
            tree_size,
            root,
            time: time.to_owned(),
            signature: [0u8; 64],
        };
        head.signature = key.sign(&head.signed_bytes()).to_bytes();
        Ok(head)
    }

    /// The byte string that is signed.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut w = CanonicalWriter::new(TREE_HEAD_DOMAIN);
        w.str(&self.log_id)
            .u64(self.epoch)
            .u64(self.tree_size)
            .raw(&self.root)
            .str(&self.time);
        w.finish()
    }

    /// SHA-256 of the signed bytes followed by the signature: what the journal records.
    pub fn digest(&self) -> Hash {
        let mut bytes = self.signed_bytes();
        bytes.extend_from_slice(&self.signature);
        sha256(&bytes)
    }

    /// Checks the time's form and the signature (strict Ed25519).
    pub fn verify(&self, key: &VerifyingKey) -> Result<()> {
        Timestamp::parse(&self.time)?;
        key.verify_strict(
            &self.signed_bytes(),
            &Signature::from_bytes(&self.signature),
        )
        .map_err(|_| CryptoError::verification("tree head signature does not verify"))
    }
}

mod hashes_hex {
    use serde::de::Error as _;
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Hash;
    use crate::encoding::decode_hex;

    pub fn serialize<S: Serializer>(hs: &[Hash], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(hs.len()))?;
        for h in hs {
            seq.serialize_element(&hex::encode(h))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Hash>, D::Error> {
        let v = Vec::<String>::deserialize(d)?;
        v.iter()
            .map(|s| {
                let b = decode_hex(s, 32, "hash").map_err(D::Error::custom)?;
                let mut h = [0u8; 32];
                h.copy_from_slice(&b);
                Ok(h)
            })
            .collect()
    }
}
