// The verification page (web/verify) as the real voting server serves it at /verifier/,
// under its Content-Security-Policy, running the verifier compiled to WebAssembly
// (verifier-wasm) on a real election record: chamber 011 run end to end through the admin
// server and exported from its stores (crates/cli/examples/record_fixture.rs). Every check
// passes; the same record with one ballot altered fails, and the page says which checks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { axeViolations, describeViolations } from '../lib/axe.mjs';
import { launch, watchPage } from '../lib/chromium.mjs';
import { startFixture } from '../lib/fixture.mjs';
import { REPO } from '../lib/paths.mjs';

const VERIFY_WASM = join(REPO, 'web', 'verify', 'wasm', 'scrutin_verify.wasm');

/** Builds and runs the record fixture; returns {dir, tar, platform_key}. */
function makeRecord(out) {
  const targetDir = process.env.CARGO_TARGET_DIR || join(REPO, 'target');
  const build = spawnSync('cargo', ['build', '--quiet', '-p', 'scrutin', '--example', 'record_fixture'], {
    cwd: REPO,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('cargo build --example record_fixture failed');
  const run = spawnSync(join(targetDir, 'debug', 'examples', 'record_fixture'), ['--out', out], {
    cwd: REPO,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  if (run.status !== 0) throw new Error(`record_fixture failed (${run.status})`);
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** The record archive with one hex digit of a ballot changed (manifest left as it was). */
function tampered(tarPath, out) {
  const bytes = readFileSync(tarPath);
  const text = bytes.toString('latin1');
  const at = text.indexOf('"beta":"', text.indexOf('{"epoch":')) + 8;
  assert.ok(at > 8, 'a ballot in the archive');
  bytes[at] = bytes[at] === 0x61 ? 0x62 : 0x61; // 'a' <-> 'b'
  writeFileSync(out, bytes);
  return out;
}

let work;
let record;
let fixture;
let browser;
let page;
let watch;

async function verifyIn(page, tarPath, key) {
  await page.goto(`${fixture.url}/verifier/`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.setInputFiles('#archive-input', tarPath);
  if (key) await page.fill('#platform-key', key);
  await page.click('#verify-button');
  await page.waitForSelector('body[data-verified]', { timeout: 240_000 });
  return page.evaluate(() => ({
    verified: document.body.dataset.verified,
    summary: document.getElementById('summary').textContent,
    checks: Array.from(document.querySelectorAll('#checks > li')).map((li) => ({
      name: li.dataset.check,
      status: li.dataset.status,
      text: li.textContent,
    })),
  }));
}

describe('verification page in Chromium', () => {
  before(async () => {
    if (!existsSync(VERIFY_WASM)) {
      throw new Error(`${VERIFY_WASM} is missing: run bash verifier-wasm/build.sh first`);
    }
    work = mkdtempSync(join(tmpdir(), 'scrutin-record-'));
    record = makeRecord(work);
    fixture = await startFixture();
    browser = await launch();
    page = await browser.context.newPage();
    watch = watchPage(page);
  });

  after(async () => {
    await browser?.close();
    await fixture?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('is served by the voting server at /verifier/ and passes axe (WCAG 2.1 AA)', async () => {
    const response = await page.goto(`${fixture.url}/verifier`);
    assert.equal(response.status(), 200);
    assert.ok(page.url().endsWith('/verifier/'), page.url());
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.title(), 'Vérifier une élection — Élections des CCI');
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], describeViolations(violations));
    assert.deepEqual(watch.problems, []);
  });

  it('verifies a real exported record: every check passes', async () => {
    const r = await verifyIn(page, record.tar, record.platform_key);
    assert.equal(r.verified, 'passed', JSON.stringify(r, null, 1));
    assert.equal(r.summary, 'Tout est vérifié et correct.');
    assert.equal(r.checks.length, 16);
    for (const c of r.checks) assert.equal(c.status, 'passed', `${c.name}: ${c.text}`);
    assert.ok(r.checks.find((c) => c.name === 'ballots').text.includes('vérifiés une fois chacun'));
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], describeViolations(violations));
    assert.deepEqual(watch.problems, []);
  });

  it('a tampered record fails, and the page names the failing checks', async () => {
    const bad = tampered(record.tar, join(work, 'tampered.tar'));
    const r = await verifyIn(page, bad, record.platform_key);
    assert.equal(r.verified, 'failed', JSON.stringify(r, null, 1));
    assert.match(r.summary, /contrôle\(s\) en échec/);
    const failed = r.checks.filter((c) => c.status === 'failed').map((c) => c.name);
    assert.ok(failed.includes('manifest'), failed.join(', '));
    assert.ok(failed.includes('ballots'), failed.join(', '));
    assert.match(r.checks.find((c) => c.name === 'manifest').text, /Échec/);
  });

  it('refuses a platform key that is not 64 hex characters, in words', async () => {
    await page.goto(`${fixture.url}/verifier/`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.setInputFiles('#archive-input', record.tar);
    await page.fill('#platform-key', 'pas une clé');
    await page.click('#verify-button');
    assert.match(await page.textContent('#key-error'), /64 caractères/);
  });
});
