// Paths of the repository as the tests see them.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BROWSER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = resolve(BROWSER_DIR, '..', '..');
export const WEB_VOTER = join(REPO, 'web', 'voter');
export const WASM_FILE = join(WEB_VOTER, 'wasm', 'scrutin_ballot.wasm');
export const ARTIFACTS = join(BROWSER_DIR, 'artifacts');

/** Fails early with the command to run when the ballot client was not built. */
export function requireWasm() {
  if (!existsSync(WASM_FILE)) {
    throw new Error(`${WASM_FILE} is missing: run bash ballot-client-wasm/build.sh first`);
  }
}
