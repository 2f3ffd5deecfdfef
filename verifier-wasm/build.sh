#!/usr/bin/env bash
# Builds the verifier for the browser and installs it where the verification page loads it:
# web/verify/wasm/scrutin_verify.wasm (gitignored, rebuilt by CI). Only cargo is needed.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"

# Small code, but the field and point arithmetic at full speed: verifying is where the
# page spends its time.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=s
export CARGO_PROFILE_RELEASE_LTO=fat
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
export CARGO_PROFILE_RELEASE_PANIC=abort
export CARGO_PROFILE_RELEASE_STRIP=true
export CARGO_PROFILE_RELEASE_DEBUG=false

cd "$repo"
cargo build --release -p scrutin-verifier-wasm --target wasm32-unknown-unknown \
  --config 'profile.release.package.curve25519-dalek.opt-level=3'

mkdir -p "$repo/web/verify/wasm"
cp "$target_dir/wasm32-unknown-unknown/release/scrutin_verifier_wasm.wasm" \
  "$repo/web/verify/wasm/scrutin_verify.wasm"
size=$(wc -c <"$repo/web/verify/wasm/scrutin_verify.wasm")
gz=$(gzip -9 -c "$repo/web/verify/wasm/scrutin_verify.wasm" | wc -c)
echo "web/verify/wasm/scrutin_verify.wasm: $size bytes ($gz bytes gzipped)"
