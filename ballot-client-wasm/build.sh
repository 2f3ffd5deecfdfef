#!/usr/bin/env bash
# Builds the voter's ballot client for the browser and installs it where the voter pages
# load it: web/voter/wasm/scrutin_ballot.wasm (gitignored, rebuilt by CI).
# Only cargo (and rustup, to add the wasm32 target) is needed: no wasm-bindgen, no wasm-pack,
# no wasm-opt.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"

# Release profile tuned for the page weight (R-80) without touching the workspace's native
# release profile: small code everywhere, but the field and point arithmetic of
# curve25519-dalek keeps opt-level 3, because it is where the voter waits.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=s
export CARGO_PROFILE_RELEASE_LTO=fat
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
export CARGO_PROFILE_RELEASE_PANIC=abort
export CARGO_PROFILE_RELEASE_STRIP=true
export CARGO_PROFILE_RELEASE_DEBUG=false

cd "$repo"
# The wasm target of the toolchain in use (a no-op when it is installed already; without
# rustup, cargo says below if the target is missing).
if command -v rustup >/dev/null 2>&1; then
  rustup target add wasm32-unknown-unknown
fi
cargo build --release -p scrutin-ballot-client --target wasm32-unknown-unknown \
  --config 'profile.release.package.curve25519-dalek.opt-level=3'

mkdir -p "$repo/web/voter/wasm"
cp "$target_dir/wasm32-unknown-unknown/release/scrutin_ballot_client.wasm" \
  "$repo/web/voter/wasm/scrutin_ballot.wasm"
size=$(wc -c <"$repo/web/voter/wasm/scrutin_ballot.wasm")
gz=$(gzip -9 -c "$repo/web/voter/wasm/scrutin_ballot.wasm" | wc -c)
echo "web/voter/wasm/scrutin_ballot.wasm: $size bytes ($gz bytes gzipped)"
