//! # scrutin-verifier-wasm
//!
//! The independent verifier of election records (`scrutin-verify`), compiled to
//! `wasm32-unknown-unknown` for the verification page `web/verify/`: the browser runs the
//! very checks `scrutin verify` runs, on a record archive the person drops in the page,
//! without sending it anywhere.
//!
//! ## Build and load
//! `verifier-wasm/build.sh` builds the release cdylib with cargo alone (no wasm-bindgen, as
//! `ballot-client-wasm`) into `web/verify/wasm/scrutin_verify.wasm`; the page's worker
//! (`web/verify/js/worker.js`) loads it. The module imports nothing.
//!
//! ## Export surface ([`abi`])
//! `scrutin_abi_version`, `scrutin_alloc`, `scrutin_free`, and
//! `scrutin_verify(archive_ptr, archive_len, options_ptr, options_len) -> response`: the
//! archive is the record as one tar file (the page builds one from chosen files), the
//! options are JSON `{"name", "seed", "platform_key"}` (`seed`: 32 bytes in hex from
//! `crypto.getRandomValues`, required; `platform_key`: 64 hex or null), and the response is
//! `u32 little-endian length ‖ UTF-8 JSON` — the verifier's report as `scrutin verify
//! --json` prints it, or `{"error": {"code", "message"}}` for bad options.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod abi;

use serde::Deserialize;

/// Options the page sends with an archive.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    /// The archive's file name, for the report.
    #[serde(default)]
    name: Option<String>,
    /// 32 random bytes (hex) seeding the batch verification's weights.
    seed: String,
    /// The platform's public key (hex), if the person has it.
    #[serde(default)]
    platform_key: Option<String>,
}

fn error(code: &str, message: &str) -> String {
    serde_json::json!({ "error": { "code": code, "message": message } }).to_string()
}

fn bytes32(hex_text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_text.trim(), &mut out).ok()?;
    Some(out)
}

/// Verifies a record archive with the page's options; returns the JSON report.
pub fn verify(archive: &[u8], options: &[u8]) -> String {
    let options: Options = match serde_json::from_slice(options) {
        Ok(o) => o,
        Err(e) => return error("bad_request", &format!("options: {e}")),
    };
    let Some(seed) = bytes32(&options.seed).filter(|s| s.iter().any(|&b| b != 0)) else {
        return error("entropy", "seed: 32 random bytes in hex expected");
    };
    let platform_key = match options.platform_key.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k) => match bytes32(k) {
            Some(k) => Some(k),
            None => {
                return error(
                    "platform_key",
                    "la clé de la plateforme doit faire 64 caractères hexadécimaux",
                );
            }
        },
    };
    let verify_options = scrutin_verify::VerifyOptions {
        platform_key,
        seed: Some(seed),
        progress: None,
    };
    let name = options.name.unwrap_or_else(|| "dossier.tar".into());
    scrutin_verify::verify_archive(&name, archive, &verify_options).to_json()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn options_are_checked_before_anything() {
        let v: serde_json::Value = serde_json::from_str(&verify(b"", b"{")).unwrap();
        assert_eq!(v["error"]["code"], "bad_request");
        let zero = format!(r#"{{"seed":"{}"}}"#, "00".repeat(32));
        let v: serde_json::Value = serde_json::from_str(&verify(b"", zero.as_bytes())).unwrap();
        assert_eq!(v["error"]["code"], "entropy");
        let bad_key = format!(r#"{{"seed":"{}","platform_key":"xyz"}}"#, "11".repeat(32));
        let v: serde_json::Value = serde_json::from_str(&verify(b"", bad_key.as_bytes())).unwrap();
        assert_eq!(v["error"]["code"], "platform_key");
    }

    #[test]
    fn garbage_is_an_unreadable_record_not_a_crash() {
        let opts = format!(r#"{{"seed":"{}"}}"#, "11".repeat(32));
        let v: serde_json::Value =
            serde_json::from_str(&verify(&[1, 2, 3], opts.as_bytes())).unwrap();
        assert!(v["error"].is_string(), "{v}");
        assert_eq!(v["checks"].as_array().unwrap().len(), 0);
    }
}
