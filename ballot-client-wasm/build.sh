#!/usr/bin/env bash
# Builds the voter's ballot client for the browser and installs it where the voter pages
# load it: web/voter/wasm/scrutin_ballot.wasm (gitignored, rebuilt by CI).
set -euo pipefail
exec bash "$(dirname "$0")/../scripts/build-wasm.sh" scrutin-ballot-client voter/wasm/scrutin_ballot.wasm
