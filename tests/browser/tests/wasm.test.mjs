// The ballot client (ballot-client-wasm) in headless Chromium, through the page's own loader
// (web/voter/js/ballot-client.js), under the voting server's Content-Security-Policy.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launch, watchPage } from '../lib/chromium.mjs';
import { buildFixture } from '../lib/fixture.mjs';
import { BROWSER_DIR, WEB_VOTER, requireWasm } from '../lib/paths.mjs';
import { startStaticServer } from '../lib/static-server.mjs';

let server;
let browser;
let page;
let watch;

/** Runs one operation of the ballot client in the page; returns {ok} or {error}. */
function call(op, args = {}) {
  return page.evaluate(
    async ([op, args]) => {
      const { loadBallotClient } = await import('/js/ballot-client.js');
      const client = await loadBallotClient();
      try {
        return { ok: client.call(op, args) };
      } catch (e) {
        const error = { name: e.name, code: e.code, message: e.message };
        if (e.details) error.details = e.details;
        return { error };
      }
    },
    [op, args],
  );
}

describe('ballot client in Chromium', () => {
  before(async () => {
    requireWasm();
    server = await startStaticServer({ '/': WEB_VOTER, '/test/': join(BROWSER_DIR, 'pages') });
    browser = await launch();
    page = await browser.context.newPage();
    watch = watchPage(page);
    await page.goto(`${server.url}/test/blank.html`);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads under the strict CSP and reports its ABI version', async () => {
    const r = await call('info');
    assert.equal(r.ok.abi_version, 1);
    assert.match(r.ok.crate_version, /^\d+\.\d+\.\d+/);
    assert.deepEqual(watch.problems, []);
  });

  it('answers malformed requests with a stable error code, and keeps working', async () => {
    const r = await call('no_such_operation');
    assert.equal(r.error.name, 'BallotClientError');
    assert.equal(r.error.code, 'bad_request');
    assert.equal((await call('info')).ok.abi_version, 1);
  });

  it('computes byte for byte what the native build computes', async () => {
    assert.ok(vectors().length >= 8);
    for (const { request, response } of vectors()) {
      const { op, ...args } = request;
      const got = await call(op, args);
      // Compared as JSON text: a structural diff of two large ballots is slow to compute
      // and unreadable, and the first differing position says enough.
      let actual = got;
      if (got.error) {
        const { name, ...error } = got.error;
        assert.equal(name, 'BallotClientError');
        actual = { error };
      }
      const [a, e] = [JSON.stringify(actual), JSON.stringify(response)];
      if (a !== e) {
        let i = 0;
        while (a[i] === e[i]) i++;
        assert.fail(`operation ${op}: Chromium and native differ at character ${i}: …${a.slice(i, i + 60)}… vs …${e.slice(i, i + 60)}…`);
      }
    }
  });

  it('draws fresh randomness for every ballot, so two encryptions differ', async () => {
    const encrypt = vectors().find((v) => v.request.op === 'encrypt_ballot' && v.response.ok).request;
    const tracking = await page.evaluate(async ({ style, choices, code }) => {
      const { loadBallotClient } = await import('/js/ballot-client.js');
      const client = await loadBallotClient();
      const a = client.encryptBallot({ style, choices, code });
      const b = client.encryptBallot({ style, choices, code });
      return [a.tracking_code, b.tracking_code, client.trackingCode(a.ballot).tracking_code];
    }, encrypt);
    assert.notEqual(tracking[0], tracking[1]);
    assert.equal(tracking[2], tracking[0]);
    assert.deepEqual(watch.problems, []);
  });
});

let cached = null;

/** Fixed requests and the native build's responses (tests/browser/provision/src/vectors.rs). */
function vectors() {
  if (!cached) cached = JSON.parse(execFileSync(buildFixture(), ['--vectors'], { encoding: 'utf8' }));
  return cached;
}
