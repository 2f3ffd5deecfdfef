// End-to-end: a vote and its tally through the browser, against `scrutin demo` (the voting
// server and the control interface in one process, SQLite, a real key ceremony among the
// COE's three key holders). The COE president uploads the chamber's logo; a demo voter
// sees it and votes in the voter pages; the COE president closes the vote in the control
// interface and starts the tally of the CCIR election; two of the three key holders send
// their decryption shares with `scrutin trustee decrypt`, as on their own computers; the
// tally page then shows results holding exactly the clicked vote, the recount from the
// ballot box agrees, the PV downloads as a PDF naming the candidate, and the tallying is
// closed (R-62…R-64). The pages of the tally are checked with axe-core.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { adminLogin, openView, waitNotice } from '../lib/admin-steps.mjs';
import { axeViolations, describeViolations } from '../lib/axe.mjs';
import { launch, watchPage } from '../lib/chromium.mjs';
import { runCli, startDemo } from '../lib/demo.mjs';
import { ARTIFACTS, requireWasm } from '../lib/paths.mjs';
import {
  chooseBlank,
  confirmAndWaitReceipt,
  contest,
  goToReview,
  loginToBallot,
  toggleCandidate,
} from '../lib/voter-steps.mjs';

let demo;
let browser;
let page;
let watch;
const checked = [];
/** The CCIR candidate the voter clicked, as the voter page names them. */
let chosenLabel;
let chamber;

async function accessible(name) {
  await page.waitForLoadState('networkidle');
  const violations = await axeViolations(page);
  assert.equal(violations.length, 0, `${name}: axe violations\n${describeViolations(violations)}`);
  assert.deepEqual(watch.problems, [], `${name}: console errors or CSP violations`);
  checked.push(name);
}

/** The status line of the tally page (not the single-page interface's notices). */
async function tallyStatus(text) {
  const status = page.locator('#status');
  try {
    await status.filter({ hasText: text }).waitFor({ timeout: 30000 });
  } catch (e) {
    throw new Error(`tally page status « ${text} » not shown; it says « ${await status.innerText()} »`);
  }
}

function account(labelPart) {
  const a = demo.accounts.find((x) => x.label.includes(labelPart));
  assert.ok(a, `demo account « ${labelPart} » in ${JSON.stringify(demo.accounts)}`);
  return a;
}

describe('a vote and its tally through the browser, on the demo election', () => {
  before(async () => {
    requireWasm();
    demo = await startDemo();
    browser = await launch({ viewport: { width: 1280, height: 900 } });
    page = await browser.context.newPage();
    watch = watchPage(page);
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('the COE president gives the chamber its logo', async () => {
    const president = account('COE president');
    await adminLogin(page, demo.adminUrl, president.email, president.password);
    await openView(page, demo.adminUrl, '#/materiel', 'Urnes et matériel de vote');
    // A small JPEG drawn by the browser itself, so the test needs no binary fixture.
    const jpeg = await page.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 96;
      canvas.height = 96;
      const g = canvas.getContext('2d');
      g.fillStyle = '#1d4f91';
      g.fillRect(0, 0, 96, 96);
      g.fillStyle = '#ffffff';
      g.fillRect(24, 24, 48, 48);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
      return [...new Uint8Array(await blob.arrayBuffer())];
    });
    await page.getByLabel('Logo de la CCI (image JPEG)').setInputFiles({ name: 'logo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(jpeg) });
    await page.getByRole('button', { name: 'Déposer le logo' }).click();
    await waitNotice(page, 'Logo enregistré');
  });

  it('a demo voter sees the logo and votes for one CCIR candidate and blank in the CCIT election', async () => {
    const voter = demo.voters.find((v) => v.scrutin.endsWith('-C') && !v.voted);
    assert.ok(voter, `a commerce voter among ${JSON.stringify(demo.voters)}`);
    chamber = voter.scrutin.split('-')[0];
    await loginToBallot(page, demo.voteUrl, voter);
    const logo = page.locator('#chamber-logo');
    assert.match(await logo.getAttribute('src'), new RegExp(`^/api/v1/chambers/${chamber}/logo\\?v=[0-9a-f]{16}$`));
    assert.equal(await logo.evaluate((img) => img.complete && img.naturalWidth), 96, 'the logo loads under the CSP');
    const first = contest(page, 0).locator('input[data-option="0"]');
    chosenLabel = (await first.evaluate((input) => input.labels[0].innerText)).trim();
    await toggleCandidate(page, 0, 0);
    await chooseBlank(page, 1);
    await goToReview(page);
    const tracking = await confirmAndWaitReceipt(page);
    assert.match(tracking, /\S{8,}/, 'a tracking code on the receipt');
  });

  it('the COE president closes the vote and starts the CCIR tally', async () => {
    // Still logged in since the logo step (same browser, the control interface's origin).
    await openView(page, demo.adminUrl, '#/scrutins', 'Conduite du vote');
    await page.getByLabel('Tous les scrutins de mon périmètre').check();
    await page.getByRole('button', { name: 'Clore' }).click();
    await waitNotice(page, 'Clore :');
    await page.getByRole('cell', { name: 'clos' }).first().waitFor();

    await page.goto(`${demo.adminUrl}/admin/tally.html`);
    await page.getByRole('heading', { level: 1, name: 'Dépouillement' }).waitFor();
    const ccir = `${chamber}-C/CCIR`;
    await page.getByRole('button', { name: `Démarrer le dépouillement de ${ccir}` }).click();
    await tallyStatus(`Dépouillement de ${ccir} démarré`);
    // The president holds share 1: the page shows the command to run with it.
    await page.locator('#d-trustee').filter({ hasText: 'détenteur n° 1' }).waitFor();
    assert.match(await page.locator('#d-command').innerText(), new RegExp(`trustee decrypt .*--contest ${ccir}`));
    await accessible('dépouillement démarré');
  });

  it('two of the three key holders decrypt, and the page shows the results of the click', async () => {
    const ccir = `${chamber}-C/CCIR`;
    await decryptWith(['key holder 1', 'key holder 3'], ccir);
    await showResults(ccir);
    assert.equal(await figure('Votants (émargements)'), '1');
    assert.equal(await figure('Bulletins dans l\u2019urne'), '1');
    assert.equal(await figure('Bulletins = émargements'), 'conforme');
    assert.equal(await figure('Blancs'), '0');
    assert.equal(await figure('Suffrages exprimés'), '1');

    const rows = await page.locator('#d-candidates tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
    const withVotes = rows.filter((r) => r[2] !== '0');
    assert.equal(withVotes.length, 1, `one candidate has votes: ${JSON.stringify(rows)}`);
    assert.equal(withVotes[0][2], '1');
    const lastName = withVotes[0][1].split(/\s+/).find((w) => w.length > 1 && w === w.toUpperCase() && /\p{L}/u.test(w));
    assert.ok(lastName && chosenLabel.toUpperCase().includes(lastName), `the voter clicked « ${chosenLabel} », the tally counts ${withVotes[0][1]}`);
    await accessible('résultats');

    await page.locator('#d-verify').click();
    await tallyStatus('identique aux résultats');

    const pdf = await page.request.get(new URL(await page.locator('#d-pv-pdf').getAttribute('href'), demo.adminUrl).href);
    assert.equal(pdf.status(), 200);
    const bytes = await pdf.body();
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'pv-ccir.pdf'), bytes);
    const dir = mkdtempSync(join(tmpdir(), 'scrutin-pv-'));
    try {
      writeFileSync(join(dir, 'pv.pdf'), bytes);
      const text = spawnSync('pdftotext', ['-layout', join(dir, 'pv.pdf'), '-'], { encoding: 'utf8' });
      assert.equal(text.status, 0, text.stderr);
      assert.ok(text.stdout.toUpperCase().includes(lastName), `the PV names ${lastName}:\n${text.stdout}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the tallying closes only once every election of the box is counted, and then it is frozen', async () => {
    const scrutin = `${chamber}-C`;
    const ccit = `${scrutin}/CCIT`;
    await page.locator('#close-scrutin').fill(scrutin);
    await page.getByRole('button', { name: 'Clore le dépouillement' }).click();
    await tallyStatus(`Clôture impossible : élection(s) non dépouillée(s) : ${ccit}`);

    await page.getByRole('button', { name: `Démarrer le dépouillement de ${ccit}` }).click();
    await tallyStatus(`Dépouillement de ${ccit} démarré`);
    await decryptWith(['key holder 2', 'key holder 3'], ccit);
    await showResults(ccit);
    assert.equal(await figure('Bulletins dans l\u2019urne'), '1');
    assert.equal(await figure('Blancs'), '1', 'the CCIT ballot was blank');
    assert.equal(await figure('Suffrages exprimés'), '0');

    await page.locator('#close-scrutin').fill(scrutin);
    await page.getByRole('button', { name: 'Clore le dépouillement' }).click();
    await tallyStatus(`Dépouillement du scrutin ${scrutin} clos et scellé`);
    await page.getByRole('row', { name: new RegExp(ccit) }).filter({ hasText: 'clos' }).waitFor();
    await accessible('dépouillement clos');
    assert.deepEqual(checked, ['dépouillement démarré', 'résultats', 'dépouillement clos']);
  });
});

/** The demo key holders whose labels are given send their decryption share with the CLI. */
async function decryptWith(labels, contestId) {
  for (const label of labels) {
    const holder = account(label);
    const share = demo.shareFiles.find((s) => s.email === holder.email);
    assert.ok(share, `key-share file of ${holder.email}`);
    await runCli(demo.binary, [
      'trustee', 'decrypt', '--server', demo.adminUrl, '--email', holder.email,
      '--share-file', share.file, '--contest', contestId,
    ], { SCRUTIN_ADMIN_PASSWORD: holder.password, SCRUTIN_SHARE_PASSWORD: demo.sharePassword });
  }
}

/** Reloads the tally page and opens a decrypted election's results. */
async function showResults(contestId) {
  await page.reload();
  await page.getByRole('button', { name: `Voir l'élection ${contestId}` }).click();
  await page.locator('#d-state').filter({ hasText: 'dépouillé' }).waitFor();
}

/** A figure of the results table, as shown. */
async function figure(label) {
  return (await page.locator('#d-figures').getByRole('row', { name: label }).getByRole('cell').innerText()).trim();
}
