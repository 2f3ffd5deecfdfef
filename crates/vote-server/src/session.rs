//! Stateless session and login-challenge tokens (several voting servers behind a load
//! balancer share only the session key): `base64url(JSON claims) . base64url(HMAC-SHA-256)`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token of ours (bad form or signature).
    Invalid,
    /// Ours, but past its expiry.
    Expired,
}

/// What a token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "k", deny_unknown_fields)]
pub enum Claims {
    /// Login step 1a: a nonce issued for an identifier.
    #[serde(rename = "challenge")]
    Challenge {
        /// The identifier, canonical form (or as typed when it does not parse).
        i: String,
        /// The nonce (hex).
        n: String,
        /// Expiry (Unix seconds).
        e: i64,
    },
    /// After step 1b, before the birth date.
    #[serde(rename = "step1")]
    Step1 {
        /// The right.
        r: String,
        /// Material generation.
        m: i64,
        /// Expiry.
        e: i64,
    },
    /// A full session.
    #[serde(rename = "session")]
    Session {
        /// The right.
        r: String,
        /// Its scrutin.
        s: String,
        /// Material generation (a resend invalidates older sessions at once).
        m: i64,
        /// Expiry.
        e: i64,
    },
}

impl Claims {
    fn expiry(&self) -> i64 {
        match self {
            Claims::Challenge { e, .. } | Claims::Step1 { e, .. } | Claims::Session { e, .. } => *e,
        }
    }
}

/// Signs and checks tokens with the servers' shared session key.
#[derive(Clone)]
pub struct TokenKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(***)")
    }
}

impl TokenKey {
    /// From the 32-byte key.
    pub fn new(key: [u8; 32]) -> TokenKey {
        TokenKey(Zeroizing::new(key))
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0[..])
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(b"scrutin-session-v1:");
        mac.update(payload);
        mac
    }

    /// Issues a token.
    pub fn issue(&self, claims: &Claims) -> String {
        let payload = serde_json::to_vec(claims).unwrap_or_default();
        let tag = self.mac(&payload).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// Checks a token's signature and expiry at `now`.
    pub fn check(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let (p, t) = token.split_once('.').ok_or(TokenError::Invalid)?;
        let payload = URL_SAFE_NO_PAD.decode(p).map_err(|_| TokenError::Invalid)?;
        let tag = URL_SAFE_NO_PAD.decode(t).map_err(|_| TokenError::Invalid)?;
        // verify_slice compares in constant time.
        self.mac(&payload)
            .verify_slice(&tag)
            .map_err(|_| TokenError::Invalid)?;
        let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenError::Invalid)?;
        if now.timestamp() >= claims.expiry() {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn tokens_verify_expire_and_resist_tampering() {
        let key = TokenKey::new([7; 32]);
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap();
        let claims = Claims::Session {
            r: "1810000000001".into(),
            s: "181-C".into(),
            m: 0,
            e: now.timestamp() + 60,
        };
        let token = key.issue(&claims);
        assert_eq!(key.check(&token, now), Ok(claims));
        assert_eq!(
            key.check(&token, now + chrono::Duration::seconds(60)),
            Err(TokenError::Expired)
        );
        assert_eq!(
            TokenKey::new([8; 32]).check(&token, now),
            Err(TokenError::Invalid)
        );
        // Another right in the payload, same tag: refused.
        let (_, tag) = token.split_once('.').unwrap();
        let forged = Claims::Session {
            r: "1810000000002".into(),
            s: "181-C".into(),
            m: 0,
            e: now.timestamp() + 60,
        };
        let forged = format!(
            "{}.{tag}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap())
        );
        assert_eq!(key.check(&forged, now), Err(TokenError::Invalid));
        assert_eq!(key.check("garbage", now), Err(TokenError::Invalid));
    }
}
