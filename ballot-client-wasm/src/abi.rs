//! The raw WebAssembly export surface: with `verifier-wasm`'s copy of this protocol, the only
//! place of the workspace with `unsafe` code.
//!
//! Why raw exports: wasm-bindgen needs a CLI that must match the crate's version exactly and
//! takes minutes to install here, and wasm-pack downloads tools at build time. Four plain
//! `extern "C"` functions and a small hand-written loader (`web/voter/js/ballot-client.js`)
//! do the same job for JSON messages, with no tool beyond cargo.
//!
//! ## Protocol between JavaScript and this module (ABI version [`ABI_VERSION`])
//! 1. `scrutin_alloc(len) -> ptr` reserves `len` bytes in linear memory; the caller writes the
//!    UTF-8 JSON request there.
//! 2. `scrutin_call(ptr, len) -> resp` runs the request (see [`crate::ops`]) and returns a new
//!    buffer laid out as `u32 little-endian length ‖ UTF-8 JSON response`. The request buffer
//!    is only read.
//! 3. The caller frees both buffers with `scrutin_free(ptr, len)` (for the response,
//!    `len` = 4 + the JSON length). Freeing overwrites the bytes with zeros first, since
//!    requests carry the voter's secret code.
//!
//! Each side frees what the protocol hands it, so no buffer outlives one call.
#![allow(unsafe_code)]

use zeroize::Zeroize;

/// Version of the export protocol above; the loader refuses a module with another one.
pub const ABI_VERSION: u32 = 1;

/// The version of this export protocol.
#[unsafe(no_mangle)]
pub extern "C" fn scrutin_abi_version() -> u32 {
    ABI_VERSION
}

/// Reserves `len` zeroed bytes and returns their address (for `len` = 0, a dangling but
/// valid address that `scrutin_free(ptr, 0)` accepts).
#[unsafe(no_mangle)]
pub extern "C" fn scrutin_alloc(len: usize) -> *mut u8 {
    let buffer = vec![0u8; len].into_boxed_slice();
    Box::into_raw(buffer).cast::<u8>()
}

/// Overwrites with zeros, then releases, a buffer of `len` bytes.
///
/// # Safety
/// `ptr` and `len` must come from one `scrutin_alloc(len)` or be a response of
/// `scrutin_call` with `len` = 4 + its announced length, and must not have been freed
/// already. A null `ptr` is ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn scrutin_free(ptr: *mut u8, len: usize) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: by the contract above, (ptr, len) is exactly a `Box<[u8]>` leaked by
    // `scrutin_alloc` or `respond`, so rebuilding the box restores its unique owner.
    let mut buffer = unsafe { Box::from_raw(core::ptr::slice_from_raw_parts_mut(ptr, len)) };
    buffer.zeroize();
}

/// Runs one JSON request and returns the length-prefixed JSON response.
///
/// # Safety
/// `ptr` must point to `len` readable bytes (typically from `scrutin_alloc(len)`), which the
/// call only reads. When `len` is 0, `ptr` is not read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn scrutin_call(ptr: *const u8, len: usize) -> *mut u8 {
    let request: &[u8] = if len == 0 || ptr.is_null() {
        &[]
    } else {
        // SAFETY: the caller guarantees `len` readable bytes at `ptr`, alive for this call.
        unsafe { core::slice::from_raw_parts(ptr, len) }
    };
    respond(crate::ops::handle(request))
}

/// Leaks `u32 LE length ‖ json` as a boxed slice for the caller to free.
fn respond(json: String) -> *mut u8 {
    let body = json.into_bytes();
    // A response longer than 4 GiB cannot exist in 32-bit linear memory.
    let announced = u32::try_from(body.len()).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(4 + body.len());
    out.extend_from_slice(&announced.to_le_bytes());
    out.extend_from_slice(&body);
    Box::into_raw(out.into_boxed_slice()).cast::<u8>()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives the exports exactly as the JavaScript loader does.
    fn call(request: &str) -> String {
        let ptr = scrutin_alloc(request.len());
        // SAFETY (test): the buffer has exactly `request.len()` bytes.
        unsafe { core::ptr::copy_nonoverlapping(request.as_ptr(), ptr, request.len()) };
        let resp = unsafe { scrutin_call(ptr, request.len()) };
        let mut len_bytes = [0u8; 4];
        unsafe { core::ptr::copy_nonoverlapping(resp, len_bytes.as_mut_ptr(), 4) };
        let len = u32::from_le_bytes(len_bytes) as usize;
        let body = unsafe { core::slice::from_raw_parts(resp.add(4), len) }.to_vec();
        unsafe {
            scrutin_free(resp, 4 + len);
            scrutin_free(ptr, request.len());
        }
        String::from_utf8(body).expect("responses are UTF-8")
    }

    #[test]
    fn round_trip_through_the_exports() {
        let out = call(r#"{"op":"info"}"#);
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!(v["ok"]["abi_version"], ABI_VERSION);
    }

    #[test]
    fn empty_and_garbage_requests_get_an_error_not_a_crash() {
        for req in ["", "{", "\u{0}\u{1}", r#"{"op":"nope"}"#] {
            let v: serde_json::Value = serde_json::from_str(&call(req)).expect("JSON");
            assert_eq!(v["error"]["code"], "bad_request", "request {req:?}");
        }
    }

    #[test]
    fn zero_length_buffers_are_accepted() {
        let ptr = scrutin_alloc(0);
        assert!(!ptr.is_null());
        unsafe { scrutin_free(ptr, 0) };
        unsafe { scrutin_free(core::ptr::null_mut(), 7) };
    }
}
