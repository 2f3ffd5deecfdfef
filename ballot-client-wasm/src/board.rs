//! The voter's check of the public board (protocol §7): the epoch head is signed by the
//! platform, and the tracking code is a leaf of the tree under that head's root.

use ed25519_dalek::VerifyingKey;
use scrutin_crypto::merkle::{InclusionProof, SignedTreeHead, leaf_hash};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ClientError;

/// `verify_inclusion`: `{head, board_key, tracking_code, proof}` → `{epoch, tree_size,
/// leaf_index}`.
///
/// `head` is scrutin-crypto's `SignedTreeHead` JSON, `board_key` the platform's Ed25519
/// public key (hex), `tracking_code` 64 hex characters, `proof` an `InclusionProof` JSON.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyInclusion {
    head: SignedTreeHead,
    board_key: String,
    tracking_code: String,
    proof: InclusionProof,
}

fn hex32(what: &str, text: &str) -> Result<[u8; 32], ClientError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out)
        .map_err(|e| ClientError::bad_request(format!("{what}: {e}")))?;
    Ok(out)
}

impl VerifyInclusion {
    /// Runs the operation.
    pub fn run(self) -> Result<Value, ClientError> {
        let key_bytes = hex32("board_key", &self.board_key)?;
        let key = VerifyingKey::from_bytes(&key_bytes)
            .map_err(|e| ClientError::board_signature(format!("board key: {e}")))?;
        self.head
            .verify(&key)
            .map_err(|e| ClientError::board_signature(e.to_string()))?;
        if self.proof.tree_size != self.head.tree_size {
            return Err(ClientError::inclusion_proof(format!(
                "proof for a tree of {} leaves, head of {}",
                self.proof.tree_size, self.head.tree_size
            )));
        }
        let leaf = leaf_hash(&hex32("tracking_code", &self.tracking_code)?);
        self.proof
            .verify(&leaf, &self.head.root)
            .map_err(|e| ClientError::inclusion_proof(e.to_string()))?;
        Ok(json!({
            "epoch": self.head.epoch,
            "tree_size": self.head.tree_size,
            "leaf_index": self.proof.leaf_index,
        }))
    }
}
