#!/usr/bin/env bash
# Builds the verifier for the browser and installs it where the verification page loads it:
# web/verify/wasm/scrutin_verify.wasm (gitignored, rebuilt by CI).
set -euo pipefail
exec bash "$(dirname "$0")/../scripts/build-wasm.sh" scrutin-verifier-wasm verify/wasm/scrutin_verify.wasm
