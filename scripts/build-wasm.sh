#!/usr/bin/env bash
# Builds one of our browser modules for wasm32-unknown-unknown and installs it where its
# pages load it. Used by ballot-client-wasm/build.sh and verifier-wasm/build.sh.
# Usage: scripts/build-wasm.sh <cargo package> <path under web/ of the installed .wasm>
# Only cargo (and rustup, to add the wasm32 target) is needed: no wasm-bindgen, no
# wasm-pack, no wasm-opt.
set -euo pipefail
package="$1"
dest_rel="$2"
repo="$(cd "$(dirname "$0")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"

# Release profile tuned for page weight (R-80) without touching the workspace's native
# release profile: small code everywhere, but the field and point arithmetic of
# curve25519-dalek keeps opt-level 3, because it is where the voter (or the verifier) waits.
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
cargo build --release -p "$package" --target wasm32-unknown-unknown \
  --config 'profile.release.package.curve25519-dalek.opt-level=3'

dest="$repo/web/$dest_rel"
mkdir -p "$(dirname "$dest")"
cp "$target_dir/wasm32-unknown-unknown/release/${package//-/_}.wasm" "$dest"
size=$(wc -c <"$dest")
gz=$(gzip -9 -c "$dest" | wc -c)
echo "web/$dest_rel: $size bytes ($gz bytes gzipped)"
