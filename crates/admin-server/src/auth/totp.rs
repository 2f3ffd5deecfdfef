//! Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), the second factor of
//! users with national or extended rights. Authenticator apps use HMAC-SHA-1,
//! 6 digits and 30-second steps; SHA-256/512 and 8 digits are here for the RFC vectors.

use hmac::{Hmac, Mac};
use subtle::ConstantTimeEq;

/// Length of a new secret: 160 bits, as RFC 4226 recommends.
pub const SECRET_LEN: usize = 20;
/// Seconds per step.
pub const STEP: i64 = 30;
/// Steps accepted on each side of the current one (clock drift of the phone).
pub const WINDOW: i64 = 1;

/// The HMAC hash of a TOTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// HMAC-SHA-1 (what authenticator apps use).
    Sha1,
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-512.
    Sha512,
}

fn hmac_of<M: Mac + hmac::digest::KeyInit>(secret: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// The HOTP value of counter `counter` (RFC 4226 §5.3), as `digits` decimal digits.
pub fn hotp(secret: &[u8], counter: u64, digits: u32, alg: Algorithm) -> String {
    let msg = counter.to_be_bytes();
    let h = match alg {
        Algorithm::Sha1 => hmac_of::<Hmac<sha1::Sha1>>(secret, &msg),
        Algorithm::Sha256 => hmac_of::<Hmac<sha2::Sha256>>(secret, &msg),
        Algorithm::Sha512 => hmac_of::<Hmac<sha2::Sha512>>(secret, &msg),
    };
    let offset = (h[h.len() - 1] & 0x0f) as usize;
    let bin = (u32::from(h[offset] & 0x7f) << 24)
        | (u32::from(h[offset + 1]) << 16)
        | (u32::from(h[offset + 2]) << 8)
        | u32::from(h[offset + 3]);
    let modulus = 10u64.pow(digits);
    format!(
        "{:0width$}",
        u64::from(bin) % modulus,
        width = digits as usize
    )
}

/// The time step of a Unix time.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP)
}

/// The 6-digit SHA-1 code at a Unix time (what the user's app shows).
pub fn code_at(secret: &[u8], unix_seconds: i64) -> String {
    hotp(
        secret,
        step_of(unix_seconds).max(0) as u64,
        6,
        Algorithm::Sha1,
    )
}

/// Checks a 6-digit code typed at `unix_seconds` against the steps around it and returns
/// the matching step. Every candidate step is computed and compared in constant time, so
/// the answer's timing does not tell which step matched.
pub fn verify(secret: &[u8], unix_seconds: i64, typed: &str) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(unix_seconds);
    let mut found = None;
    for step in now - WINDOW..=now + WINDOW {
        if step < 0 {
            continue;
        }
        let code = hotp(secret, step as u64, 6, Algorithm::Sha1);
        if bool::from(code.as_bytes().ct_eq(typed.as_bytes())) {
            found = Some(step);
        }
    }
    found
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding: how authenticator apps take secrets.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes base32 (case-insensitive, spaces and padding ignored).
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = BASE32
            .iter()
            .position(|&b| b as char == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// The `otpauth://` URI an authenticator app reads (as a QR code or typed).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period={STEP}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B: seeds are the ASCII digits "1234567890" repeated to the hash
    /// length; 8-digit codes.
    #[test]
    fn rfc6238_test_vectors() {
        let sha1 = b"12345678901234567890".to_vec();
        let sha256 = b"12345678901234567890123456789012".to_vec();
        let sha512 = b"1234567890123456789012345678901234567890123456789012345678901234".to_vec();
        let table: [(i64, &str, &str, &str); 6] = [
            (59, "94287082", "46119246", "90693936"),
            (1111111109, "07081804", "68084774", "25091201"),
            (1111111111, "14050471", "67062674", "99943326"),
            (1234567890, "89005924", "91819424", "93441116"),
            (2000000000, "69279037", "90698825", "38618901"),
            (20000000000, "65353130", "77737706", "47863826"),
        ];
        for (t, c1, c256, c512) in table {
            let step = step_of(t) as u64;
            assert_eq!(hotp(&sha1, step, 8, Algorithm::Sha1), c1, "SHA-1 at {t}");
            assert_eq!(
                hotp(&sha256, step, 8, Algorithm::Sha256),
                c256,
                "SHA-256 at {t}"
            );
            assert_eq!(
                hotp(&sha512, step, 8, Algorithm::Sha512),
                c512,
                "SHA-512 at {t}"
            );
        }
    }

    /// RFC 4226 Appendix D: HOTP values of counters 0…9, 6 digits.
    #[test]
    fn rfc4226_test_vectors() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(
                hotp(b"12345678901234567890", counter as u64, 6, Algorithm::Sha1),
                *code
            );
        }
    }

    #[test]
    fn verify_accepts_one_step_of_drift_only() {
        let secret = b"12345678901234567890";
        let t = 1_111_111_111;
        let code = code_at(secret, t);
        assert_eq!(verify(secret, t, &code), Some(step_of(t)));
        assert_eq!(verify(secret, t + STEP, &code), Some(step_of(t)));
        assert_eq!(verify(secret, t - STEP, &code), Some(step_of(t)));
        assert_eq!(verify(secret, t + 2 * STEP, &code), None);
        assert_eq!(verify(secret, t, "12345"), None);
        assert_eq!(verify(secret, t, "abcdef"), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(verify(secret, t, &spaced), Some(step_of(t)));
    }

    #[test]
    fn base32_matches_rfc4648_and_round_trips() {
        // RFC 4648 §10 vectors, without padding.
        for (plain, enc) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(plain.as_bytes()), enc);
            assert_eq!(base32_decode(enc).unwrap(), plain.as_bytes());
        }
        assert_eq!(base32_decode("mzxw 6ytb oi======").unwrap(), b"foobar");
        assert!(base32_decode("MZ1").is_none());
        let uri = otpauth_uri("scrutin CCI", "a@b.fr", b"foobar");
        assert_eq!(
            uri,
            "otpauth://totp/scrutin%20CCI:a@b.fr?secret=MZXW6YTBOI&issuer=scrutin%20CCI&algorithm=SHA1&digits=6&period=30"
        );
    }
}
