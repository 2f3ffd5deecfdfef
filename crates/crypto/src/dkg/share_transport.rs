//! Encrypted transport of a dealer's share to its recipient.
//!
//! Per share the dealer draws an ephemeral `e`, publishes `E = e·G`, and both sides derive
//! `K = e·Z_j = z_j·E`. The AEAD key is SHA-256 of a canonical string holding the context,
//! both indices, `E`, `Z_j` and `K`; the cipher is ChaCha20-Poly1305 with the all-zero
//! nonce, which is safe because every key encrypts exactly one message (a fresh `E` per
//! share). The associated data binds the context, sender, recipient and `E`, so a
//! ciphertext cannot be moved to another ceremony, dealer or recipient.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use super::{DkgParameters, EncryptedShare};
use crate::elgamal::base_mul;
use crate::encoding::{CanonicalWriter, decode_scalar, sha256};
use crate::error::{CryptoError, Result};

/// Domain tag of the share-encryption key derivation.
pub const SHARE_KEY_DOMAIN: &str = "scrutin-dkg-share-key-v1";
/// Domain tag of the share ciphertext's associated data.
pub const SHARE_AAD_DOMAIN: &str = "scrutin-dkg-share-aad-v1";
/// Length of a share ciphertext: a 32-byte scalar and a 16-byte tag.
pub const SHARE_CIPHERTEXT_LEN: usize = 48;

fn derive_key(
    params: &DkgParameters,
    dealer: u32,
    recipient: u32,
    ephemeral: &RistrettoPoint,
    recipient_key: &RistrettoPoint,
    shared: &RistrettoPoint,
) -> Zeroizing<[u8; 32]> {
    let mut w = CanonicalWriter::new(SHARE_KEY_DOMAIN);
    params.write_to(&mut w);
    w.u32(dealer)
        .u32(recipient)
        .point(ephemeral)
        .point(recipient_key)
        .point(shared);
    let bytes = Zeroizing::new(w.finish());
    Zeroizing::new(sha256(&bytes))
}

pub(super) fn associated_data(
    params: &DkgParameters,
    dealer: u32,
    recipient: u32,
    ephemeral: &RistrettoPoint,
) -> Vec<u8> {
    let mut w = CanonicalWriter::new(SHARE_AAD_DOMAIN);
    params.write_to(&mut w);
    w.u32(dealer).u32(recipient).point(ephemeral);
    w.finish()
}

/// Encrypts `share` (the value `f_dealer(recipient)`) to the recipient's transport key.
pub(super) fn encrypt_share<R: RngCore + CryptoRng>(
    params: &DkgParameters,
    dealer: u32,
    recipient: u32,
    recipient_key: &RistrettoPoint,
    share: &Scalar,
    rng: &mut R,
) -> Result<EncryptedShare> {
    let e = Zeroizing::new(Scalar::random(rng));
    let ephemeral = base_mul(&e);
    let shared = recipient_key * *e;
    let key = derive_key(
        params,
        dealer,
        recipient,
        &ephemeral,
        recipient_key,
        &shared,
    );
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key.as_slice()));
    let aad = associated_data(params, dealer, recipient, &ephemeral);
    let ciphertext = cipher
        .encrypt(
            &Nonce::default(),
            Payload {
                msg: share.as_bytes(),
                aad: &aad,
            },
        )
        .map_err(|_| CryptoError::invalid("share encryption failed"))?;
    Ok(EncryptedShare {
        recipient,
        ephemeral,
        ciphertext,
    })
}

/// Decrypts a share given the Diffie–Hellman secret `K` (computed by the recipient as
/// `z·E`, or revealed in a complaint). Fails if the AEAD tag or the scalar is invalid.
pub(super) fn decrypt_share(
    params: &DkgParameters,
    dealer: u32,
    recipient_key: &RistrettoPoint,
    enc: &EncryptedShare,
    shared: &RistrettoPoint,
) -> Result<Zeroizing<Scalar>> {
    let key = derive_key(
        params,
        dealer,
        enc.recipient,
        &enc.ephemeral,
        recipient_key,
        shared,
    );
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key.as_slice()));
    let aad = associated_data(params, dealer, enc.recipient, &enc.ephemeral);
    let plain = Zeroizing::new(
        cipher
            .decrypt(
                &Nonce::default(),
                Payload {
                    msg: &enc.ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::verification("share ciphertext does not decrypt"))?,
    );
    Ok(Zeroizing::new(decode_scalar(&plain)?))
}
