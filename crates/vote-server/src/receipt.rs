//! The receipt of a cast (R-46, protocol §6): scrutin, tracking code, émargement instant,
//! signed by the platform key; nothing about the ballot's content.

use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use scrutin_crypto::encoding::CanonicalWriter;

/// Domain tag of the receipt's signed bytes.
pub const RECEIPT_DOMAIN: &str = "scrutin-receipt-v1";

/// The instant as signed: RFC 3339 UTC, second precision, `Z`.
pub fn receipt_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `str("scrutin-receipt-v1") ‖ str(scrutin) ‖ raw(tracking code) ‖ str(émargement time)`.
pub fn receipt_bytes(scrutin: &str, tracking_code: &[u8; 32], at: DateTime<Utc>) -> Vec<u8> {
    let mut w = CanonicalWriter::new(RECEIPT_DOMAIN);
    w.str(scrutin).raw(tracking_code).str(&receipt_time(at));
    w.finish()
}

/// Signs a receipt.
pub fn sign_receipt(
    key: &SigningKey,
    scrutin: &str,
    tracking_code: &[u8; 32],
    at: DateTime<Utc>,
) -> [u8; 64] {
    key.sign(&receipt_bytes(scrutin, tracking_code, at))
        .to_bytes()
}

/// Checks a receipt's signature (strict Ed25519).
pub fn verify_receipt(
    key: &VerifyingKey,
    scrutin: &str,
    tracking_code: &[u8; 32],
    at: DateTime<Utc>,
    signature: &[u8; 64],
) -> bool {
    key.verify_strict(
        &receipt_bytes(scrutin, tracking_code, at),
        &Signature::from_bytes(signature),
    )
    .is_ok()
}
