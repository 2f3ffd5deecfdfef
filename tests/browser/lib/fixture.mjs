// The real voting server on a test election, started by the `scrutin-browser-fixture`
// binary (tests/browser/provision): SQLite stores in a temporary directory, an election key
// from a DKG run among three test trustees, rights and their secret codes known to the test.
//
// The binary prints one JSON line when it listens, then serves the voter API on `url` and a
// test-only control API on `control_url` (suspend/resume a scrutin, close a board epoch,
// verify and decrypt a stored ballot, tally a scrutin with the trustees' key shares).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { REPO, WEB_VOTER } from './paths.mjs';
import { firstJsonLine, startServer } from './server-process.mjs';

const PACKAGE = 'scrutin-browser-fixture';

/** Builds the fixture binary (a no-op when it is up to date) and returns its path. */
export function buildFixture() {
  const targetDir = process.env.CARGO_TARGET_DIR || join(REPO, 'target');
  const build = spawnSync('cargo', ['build', '--quiet', '-p', PACKAGE], { cwd: REPO, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`cargo build -p ${PACKAGE} failed`);
  const binary = join(targetDir, 'debug', PACKAGE);
  if (!existsSync(binary)) throw new Error(`${binary} not found after the build`);
  return binary;
}

/** Starts the fixture; resolves once it listens. `stop()` ends it and removes its data. */
export async function startFixture() {
  const binary = buildFixture();
  const { info, stop } = await startServer(binary, (dataDir) => ['--data-dir', dataDir, '--web-dir', WEB_VOTER], firstJsonLine);

  const control = async (method, path, body) => {
    const response = await fetch(info.control_url + path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`control ${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };

  return {
    ...info,
    /** Rights of the test election, with their secret codes and birth dates. */
    rights: info.rights,
    suspend: (scrutin, message) => control('POST', `/scrutins/${encodeURIComponent(scrutin)}/suspend`, { message }),
    resume: (scrutin) => control('POST', `/scrutins/${encodeURIComponent(scrutin)}/resume`, {}),
    closeEpoch: (scrutin) => control('POST', `/board/${encodeURIComponent(scrutin)}/close-epoch`, {}),
    /** The stored ballot with this tracking code, verified and decrypted by the trustees. */
    decryptBallot: (trackingCode) => control('GET', `/ballots/${trackingCode}`),
    /** The tally of a scrutin's box with 2 of the 3 trustees' key shares. */
    tally: (scrutin) => control('GET', `/tally/${encodeURIComponent(scrutin)}`),
    stop,
  };
}
