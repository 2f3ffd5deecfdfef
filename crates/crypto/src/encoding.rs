//! Canonical encodings and their strict decoding.
//!
//! * A group element travels as the 32-byte Ristretto255 compression; decoding refuses
//!   anything that is not the canonical encoding of a group element.
//! * A scalar travels as 32 bytes little-endian, fully reduced modulo ℓ; decoding refuses
//!   non-reduced values.
//! * In JSON both are lowercase hexadecimal strings of exactly 64 characters; uppercase or
//!   odd lengths are refused, so every object has exactly one JSON form.
//! * Byte strings that are signed or hashed use [`CanonicalWriter`]: fixed-width big-endian
//!   integers and length-prefixed fields, described in `specs/protocol.md` §1.

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;

use crate::error::{CryptoError, Result};

/// Decodes a canonical 32-byte Ristretto255 encoding.
pub fn decode_point(bytes: &[u8]) -> Result<RistrettoPoint> {
    let compressed = CompressedRistretto::from_slice(bytes).map_err(|_| {
        CryptoError::encoding("point", format!("expected 32 bytes, got {}", bytes.len()))
    })?;
    compressed
        .decompress()
        .ok_or_else(|| CryptoError::encoding("point", "not a canonical Ristretto255 encoding"))
}

/// Decodes a canonical 32-byte little-endian scalar (value below ℓ).
pub fn decode_scalar(bytes: &[u8]) -> Result<Scalar> {
    let arr: [u8; 32] = bytes.try_into().map_err(|_| {
        CryptoError::encoding("scalar", format!("expected 32 bytes, got {}", bytes.len()))
    })?;
    Option::from(Scalar::from_canonical_bytes(arr))
        .ok_or_else(|| CryptoError::encoding("scalar", "not reduced modulo the group order"))
}

/// The value of one lowercase hexadecimal digit. (Only public values travel in hex.)
fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// Decodes strict lowercase hexadecimal of exactly `out.len()` bytes into `out`: other
/// lengths, uppercase and non-hex characters are refused, so every value has one form.
fn decode_hex_into(s: &str, out: &mut [u8], what: &'static str) -> Result<()> {
    let digits = s.as_bytes();
    if digits.len() != 2 * out.len() {
        return Err(CryptoError::encoding(
            what,
            format!(
                "expected {} hex characters, got {}",
                2 * out.len(),
                digits.len()
            ),
        ));
    }
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let (Some(high), Some(low)) = (nibble(pair[0]), nibble(pair[1])) else {
            return Err(CryptoError::encoding(
                what,
                "expected lowercase hexadecimal",
            ));
        };
        *byte = (high << 4) | low;
    }
    Ok(())
}

/// Decodes strict lowercase hexadecimal of an exact byte length.
pub fn decode_hex(s: &str, len: usize, what: &'static str) -> Result<Vec<u8>> {
    let mut out = vec![0u8; len];
    decode_hex_into(s, &mut out, what)?;
    Ok(out)
}

/// [`decode_hex`] into an array, without allocating: a ballot carries hundreds of such
/// fields, and the verifier parses them all.
pub fn decode_hex_array<const N: usize>(s: &str, what: &'static str) -> Result<[u8; N]> {
    let mut out = [0u8; N];
    decode_hex_into(s, &mut out, what)?;
    Ok(out)
}

/// Decodes a point from its 64-character lowercase hex form.
pub fn point_from_hex(s: &str) -> Result<RistrettoPoint> {
    decode_point(&decode_hex_array::<32>(s, "point")?)
}

/// Decodes a scalar from its 64-character lowercase hex form.
pub fn scalar_from_hex(s: &str) -> Result<Scalar> {
    decode_scalar(&decode_hex_array::<32>(s, "scalar")?)
}

/// Hex form of a point.
pub fn point_to_hex(p: &RistrettoPoint) -> String {
    hex::encode(p.compress().as_bytes())
}

/// Hex form of a scalar.
pub fn scalar_to_hex(s: &Scalar) -> String {
    hex::encode(s.as_bytes())
}

/// Serde adapters, for use as `#[serde(with = "...")]`.
pub mod serde_hex {
    use super::*;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Reads a hex string of `N` bytes as the deserializer hands it (borrowed when it
    /// can), with no owned copy of the text.
    struct HexArray<const N: usize>(&'static str);

    impl<const N: usize> serde::de::Visitor<'_> for HexArray<N> {
        type Value = [u8; N];

        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            write!(f, "{} lowercase hexadecimal characters", 2 * N)
        }

        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<[u8; N], E> {
            decode_hex_array(s, self.0).map_err(E::custom)
        }
    }

    fn array<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
        what: &'static str,
    ) -> Result<[u8; N], D::Error> {
        d.deserialize_str(HexArray::<N>(what))
    }

    /// A point as 64 lowercase hex characters.
    pub mod point {
        use super::*;

        /// Serializes a point.
        pub fn serialize<S: Serializer>(p: &RistrettoPoint, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&point_to_hex(p))
        }

        /// Deserializes a point, refusing non-canonical encodings.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<RistrettoPoint, D::Error> {
            decode_point(&array::<D, 32>(d, "point")?).map_err(D::Error::custom)
        }
    }

    /// A list of points.
    pub mod points {
        use super::*;
        use serde::ser::SerializeSeq;

        /// Serializes a list of points.
        pub fn serialize<S: Serializer>(ps: &[RistrettoPoint], s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(ps.len()))?;
            for p in ps {
                seq.serialize_element(&point_to_hex(p))?;
            }
            seq.end()
        }

        /// Deserializes a list of points.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Vec<RistrettoPoint>, D::Error> {
            let v = Vec::<String>::deserialize(d)?;
            v.iter()
                .map(|s| point_from_hex(s).map_err(D::Error::custom))
                .collect()
        }
    }

    /// A scalar as 64 lowercase hex characters.
    pub mod scalar {
        use super::*;

        /// Serializes a scalar.
        pub fn serialize<S: Serializer>(x: &Scalar, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&scalar_to_hex(x))
        }

        /// Deserializes a scalar, refusing non-reduced values.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
            decode_scalar(&array::<D, 32>(d, "scalar")?).map_err(D::Error::custom)
        }
    }

    /// A list of scalars.
    pub mod scalars {
        use super::*;
        use serde::ser::SerializeSeq;

        /// Serializes a list of scalars.
        pub fn serialize<S: Serializer>(xs: &[Scalar], s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(xs.len()))?;
            for x in xs {
                seq.serialize_element(&scalar_to_hex(x))?;
            }
            seq.end()
        }

        /// Deserializes a list of scalars.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Scalar>, D::Error> {
            let v = Vec::<String>::deserialize(d)?;
            v.iter()
                .map(|s| scalar_from_hex(s).map_err(D::Error::custom))
                .collect()
        }
    }

    /// Serializes `b` as lowercase hex written into `buf` (twice its length): a ballot
    /// holds about 190 such fields, so none of them allocates.
    fn hex_str<S: Serializer>(b: &[u8], buf: &mut [u8], s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        hex::encode_to_slice(b, buf).map_err(S::Error::custom)?;
        s.serialize_str(core::str::from_utf8(buf).map_err(S::Error::custom)?)
    }

    /// A 32-byte digest or key as 64 lowercase hex characters.
    pub mod bytes32 {
        use super::*;

        /// Serializes 32 bytes.
        pub fn serialize<S: Serializer>(b: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
            hex_str(b, &mut [0u8; 64], s)
        }

        /// Deserializes 32 bytes.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
            array(d, "32-byte value")
        }
    }

    /// A 64-byte value (an Ed25519 signature) as 128 lowercase hex characters.
    pub mod bytes64 {
        use super::*;

        /// Serializes 64 bytes.
        pub fn serialize<S: Serializer>(b: &[u8; 64], s: S) -> Result<S::Ok, S::Error> {
            hex_str(b, &mut [0u8; 128], s)
        }

        /// Deserializes 64 bytes.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 64], D::Error> {
            array(d, "64-byte value")
        }
    }

    /// A byte string of any length as lowercase hex (ciphertexts, payloads).
    pub mod bytes {
        use super::*;

        /// Serializes bytes.
        pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&hex::encode(b))
        }

        /// Deserializes bytes, refusing uppercase and odd lengths.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
            let s = String::deserialize(d)?;
            if s.len() % 2 != 0 {
                return Err(D::Error::custom("odd number of hex characters"));
            }
            decode_hex(&s, s.len() / 2, "byte string").map_err(D::Error::custom)
        }
    }
}

/// Builds the canonical byte strings that are hashed or signed.
///
/// Integers are fixed-width big-endian; variable-length fields carry a u32 big-endian length
/// prefix; points and scalars are their fixed 32-byte encodings. Each structure starts with
/// a domain tag (a length-prefixed ASCII string), so two structures never share an encoding.
#[derive(Default, Clone, Debug)]
pub struct CanonicalWriter {
    buf: Vec<u8>,
}

impl CanonicalWriter {
    /// Starts an encoding with its domain tag.
    pub fn new(domain: &str) -> Self {
        let mut w = CanonicalWriter { buf: Vec::new() };
        w.str(domain);
        w
    }

    /// Appends a u8.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }

    /// Appends a u32, big-endian.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// Appends a u64, big-endian.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// Appends a length-prefixed byte string.
    ///
    /// # Panics
    /// Never in practice: inputs over 4 GiB are not representable and abort the encoding.
    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        let len = u32::try_from(v.len()).unwrap_or(u32::MAX);
        self.u32(len);
        self.buf.extend_from_slice(v);
        self
    }

    /// Appends a length-prefixed UTF-8 string.
    pub fn str(&mut self, v: &str) -> &mut Self {
        self.bytes(v.as_bytes())
    }

    /// Appends fixed-size raw bytes (digests, keys): no length prefix.
    pub fn raw(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }

    /// Appends a point's 32-byte encoding.
    pub fn point(&mut self, p: &RistrettoPoint) -> &mut Self {
        self.raw(p.compress().as_bytes())
    }

    /// Appends a scalar's 32-byte encoding.
    pub fn scalar(&mut self, s: &Scalar) -> &mut Self {
        self.raw(s.as_bytes())
    }

    /// The finished encoding.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }

    /// The encoding so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }
}

/// SHA-256 of a byte string.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT as G;

    #[test]
    fn point_round_trip_and_strictness() {
        let p = G * Scalar::from(7u64);
        let h = point_to_hex(&p);
        assert_eq!(point_from_hex(&h).unwrap(), p);
        assert!(point_from_hex(&h.to_uppercase()).is_err());
        assert!(point_from_hex(&h[..62]).is_err());
        // 0xff..ff is not a canonical field element encoding.
        assert!(decode_point(&[0xff; 32]).is_err());
    }

    #[test]
    fn scalar_must_be_reduced() {
        let s = Scalar::from(5u64);
        assert_eq!(scalar_from_hex(&scalar_to_hex(&s)).unwrap(), s);
        assert!(decode_scalar(&[0xff; 32]).is_err());
        assert!(decode_scalar(&[0u8; 31]).is_err());
    }

    #[test]
    fn fixed_hex_decodes_exactly_lowercase_of_its_length() {
        let bytes: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(37)).collect();
        let text = hex::encode(&bytes);
        assert_eq!(decode_hex_array::<32>(&text, "t").unwrap().to_vec(), bytes);
        let err = |s: &str| decode_hex_array::<32>(s, "t").unwrap_err().to_string();
        assert!(err(&text[..62]).contains("expected 64 hex characters, got 62"));
        assert!(err(&format!("{text}00")).contains("got 66"));
        assert!(err(&text.to_uppercase()).contains("lowercase"));
        let mut wrong = text.clone().into_bytes();
        wrong[63] = b'g';
        assert!(err(std::str::from_utf8(&wrong).unwrap()).contains("lowercase"));
        // Two bytes of a multi-byte character: right length, refused as not hex.
        assert!(err(&format!("{}é", &text[..62])).contains("lowercase"));
    }

    #[test]
    fn serde_reads_hex_borrowed_escaped_or_from_a_value() {
        #[derive(serde::Deserialize)]
        struct T {
            #[serde(with = "serde_hex::bytes32")]
            k: [u8; 32],
            #[serde(with = "serde_hex::point")]
            p: RistrettoPoint,
        }
        let p = G * Scalar::from(3u64);
        let k = [0xabu8; 32];
        let json = format!(r#"{{"k":"{}","p":"{}"}}"#, hex::encode(k), point_to_hex(&p));
        let t: T = serde_json::from_str(&json).unwrap();
        assert_eq!((t.k, t.p), (k, p));
        let escaped = json.replacen("ab", "\\u0061b", 1);
        let t: T = serde_json::from_str(&escaped).unwrap();
        assert_eq!(t.k, k);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let t: T = serde_json::from_value(value).unwrap();
        assert_eq!((t.k, t.p), (k, p));
        let upper = json.replace(&hex::encode(k), &hex::encode_upper(k));
        assert!(serde_json::from_str::<T>(&upper).is_err());
        assert!(
            serde_json::from_str::<T>(&json.replacen("\"k\":\"", "\"k\":7,\"x\":\"", 1)).is_err()
        );
    }

    #[test]
    fn writer_prefixes_lengths() {
        let mut w = CanonicalWriter::new("t");
        w.str("ab").u32(1);
        assert_eq!(
            w.finish(),
            vec![0, 0, 0, 1, b't', 0, 0, 0, 2, b'a', b'b', 0, 0, 0, 1]
        );
    }
}
