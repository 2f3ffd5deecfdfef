//! The raw WebAssembly export surface (the crate's only `unsafe` code), the same protocol as
//! `ballot-client-wasm`'s: buffers reserved with `scrutin_alloc`, responses laid out as
//! `u32 little-endian length ‖ UTF-8 JSON`, every buffer freed by `scrutin_free`.
#![allow(unsafe_code)]

/// Version of this export protocol; the page's worker refuses another one.
pub const ABI_VERSION: u32 = 1;

/// The version of this export protocol.
#[unsafe(no_mangle)]
pub extern "C" fn scrutin_abi_version() -> u32 {
    ABI_VERSION
}

/// Reserves `len` zeroed bytes and returns their address.
#[unsafe(no_mangle)]
pub extern "C" fn scrutin_alloc(len: usize) -> *mut u8 {
    Box::into_raw(vec![0u8; len].into_boxed_slice()).cast::<u8>()
}

/// Releases a buffer of `len` bytes.
///
/// # Safety
/// `ptr` and `len` must come from one `scrutin_alloc(len)`, or be a response of
/// `scrutin_verify` with `len` = 4 + its announced length, not freed already. Null is
/// ignored.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn scrutin_free(ptr: *mut u8, len: usize) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: by the contract above, (ptr, len) is exactly a leaked `Box<[u8]>`.
    drop(unsafe { Box::from_raw(core::ptr::slice_from_raw_parts_mut(ptr, len)) });
}

/// Reads `len` bytes at `ptr` (empty for a null pointer or zero length).
///
/// # Safety
/// `ptr` must point to `len` readable bytes alive for the call.
unsafe fn input<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 || ptr.is_null() {
        &[]
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { core::slice::from_raw_parts(ptr, len) }
    }
}

/// Verifies the record archive at (`archive`, `archive_len`) with the JSON options at
/// (`options`, `options_len`); returns the length-prefixed JSON report.
///
/// # Safety
/// Both (pointer, length) pairs must describe readable buffers (typically from
/// `scrutin_alloc`), which the call only reads.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn scrutin_verify(
    archive: *const u8,
    archive_len: usize,
    options: *const u8,
    options_len: usize,
) -> *mut u8 {
    // SAFETY: the caller's contract above.
    let (archive, options) = unsafe { (input(archive, archive_len), input(options, options_len)) };
    respond(crate::verify(archive, options))
}

fn respond(json: String) -> *mut u8 {
    let body = json.into_bytes();
    let announced = u32::try_from(body.len()).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(4 + body.len());
    out.extend_from_slice(&announced.to_le_bytes());
    out.extend_from_slice(&body);
    Box::into_raw(out.into_boxed_slice()).cast::<u8>()
}

/// getrandom's backend in the browser: none. Every randomised step of the verifier takes
/// the page's seed, so this is never reached; if it were, it fails instead of guessing.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn no_os_randomness(_: &mut [u8]) -> Result<(), getrandom::Error> {
    Err(getrandom::Error::UNSUPPORTED)
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
getrandom::register_custom_getrandom!(no_os_randomness);
