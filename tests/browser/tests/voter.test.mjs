// End-to-end: the voter pages in headless Chromium against the real voting server on a test
// election (tests/browser/provision). Every step is screenshotted at 375 px and 1280 px and
// checked with axe-core; what the server stored is verified and decrypted with the test
// trustees' key shares and compared with what was clicked.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launch, watchPage } from '../lib/chromium.mjs';
import { startFixture } from '../lib/fixture.mjs';
import { ARTIFACTS, requireWasm } from '../lib/paths.mjs';
import {
  checkedOptions,
  checkpoint,
  chooseBlank,
  focusIsVisible,
  clickGrouping,
  confirmAndWaitReceipt,
  contest,
  counterText,
  focused,
  goToReview,
  loginToBallot,
  openLogin,
  sloppyCode,
  sloppyIdentifier,
  submitBirthDate,
  submitCredentials,
  tabTo,
  toggleCandidate,
} from '../lib/voter-steps.mjs';

let fixture;
let browser;
let page;
let watch;
const used = new Set();
/** Every ballot cast by these tests: scrutin → list of per-contest choices. */
const cast = new Map();

/** A right of the test election not used yet by another test. */
function takeRight(filter = () => true) {
  const right = fixture.rights.find((r) => !used.has(r.identifier) && filter(r));
  assert.ok(right, 'the fixture has enough rights for every test');
  used.add(right.identifier);
  return right;
}

/** Records a cast ballot for the final tally check, and checks the stored ballot decrypts to it. */
async function expectStored(trackingCode, scrutin, choices) {
  const stored = await fixture.decryptBallot(trackingCode);
  assert.equal(stored.scrutin, scrutin);
  assert.equal(stored.verified, true, 'the stored ballot verifies (signature and every proof)');
  assert.deepEqual(
    stored.contests.map((c) => ({ blank: c.blank, selected: c.selected })),
    choices,
    'the stored ballot decrypts to exactly what was clicked',
  );
  if (!cast.has(scrutin)) cast.set(scrutin, []);
  cast.get(scrutin).push(choices);
}

async function expectFocusOnHeading(text) {
  const f = await focused(page);
  assert.equal(f.tag, 'H1', 'focus moves to the new step’s heading');
  assert.equal(f.text, text);
}

describe('voter pages against the real voting server', () => {
  before(async () => {
    requireWasm();
    fixture = await startFixture();
    browser = await launch({ viewport: { width: 1280, height: 900 } });
    page = await browser.context.newPage();
    watch = watchPage(page);
  });

  after(async () => {
    await browser?.close();
    await fixture?.stop();
  });

  it('home: state of the vote, what to have at hand, help, Paris time', async () => {
    const response = await page.goto(`${fixture.url}/`);
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/, 'the page runs under a CSP that forbids inline script');
    await page.locator('#vote-state.state').waitFor();
    assert.match(await page.locator('#vote-state').textContent(), /Le vote est ouvert/);
    assert.match(await page.locator('main').textContent(), /votre date de naissance/);
    assert.match(await page.locator('#clock').textContent(), /\d{1,2} \p{L}+ 20\d\d à \d\d:\d\d/u);
    // Paris time whatever the device's zone (the browser runs in New York time).
    const shown = await page.locator('#clock').getAttribute('datetime');
    const paris = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(new Date(shown));
    assert.ok((await page.locator('#clock').textContent()).includes(paris));
    // Help contacts of the voter's chamber, from the structure file.
    await page.getByLabel('Les contacts de votre CCI').selectOption('011');
    assert.match(await page.locator('#chamber-contacts').textContent(), /Téléphone : 04 74 32 13 00/);
    await checkpoint(page, '01-home');
    assert.deepEqual(watch.problems, []);
  });

  it('wrong code: a typo is caught in the browser, before any request', async () => {
    const right = takeRight();
    await openLogin(page, fixture.url);
    await expectFocusOnHeading('Votre identifiant et votre code secret');
    const requests = [];
    const onRequest = (r) => r.url().includes('/api/') && requests.push(r.url());
    page.on('request', onRequest);
    const code = right.code.replace(/-/g, '');
    // Swap two adjacent different characters: the check character must notice.
    const i = [...code].findIndex((c, k) => k + 1 < code.length && c !== code[k + 1]);
    const typo = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
    await submitCredentials(page, sloppyIdentifier(right.identifier), sloppyCode(typo));
    await page.getByRole('alert').filter({ hasText: 'faute de frappe' }).first().waitFor();
    assert.equal(await page.getByLabel('Code secret').getAttribute('aria-invalid'), 'true');
    await checkpoint(page, '02-login-typo');
    // A mistyped identifier too.
    const id = right.identifier.replace(/-/g, '');
    const badId = id.slice(0, 3) + String((Number(id[3]) + 1) % 10) + id.slice(4);
    await submitCredentials(page, badId, sloppyCode(right.code));
    await page.getByRole('alert').filter({ hasText: 'identifiant contient une faute de frappe' }).first().waitFor();
    page.off('request', onRequest);
    assert.deepEqual(requests, [], 'nothing was sent for a mistyped code or identifier');
    used.delete(right.identifier);
  });

  it('wrong code: a well-formed but wrong code is refused by the server', async () => {
    const right = takeRight();
    const other = takeRight();
    await openLogin(page, fixture.url);
    await submitCredentials(page, right.identifier, other.code);
    await page.getByRole('alert').filter({ hasText: 'L’identifiant ou le code secret est faux' }).first().waitFor();
    await checkpoint(page, '03-login-failed');
    used.delete(right.identifier);
    used.delete(other.identifier);
  });

  it('a full vote through the UI: grouping selection, the N limit, back from review; the stored ballot decrypts to the clicks', async () => {
    const right = takeRight((r) => r.birth_date !== '01011901' && r.contests.length === 2 && r.contests[0].seats >= 2);
    await openLogin(page, fixture.url);
    await submitCredentials(page, sloppyIdentifier(right.identifier), sloppyCode(right.code));
    await page.getByRole('heading', { level: 1, name: 'Votre date de naissance' }).waitFor();
    await expectFocusOnHeading('Votre date de naissance');
    // Wrong birth date first.
    const wrong = right.birth_date.slice(0, 4) + String(Number(right.birth_date.slice(4)) - 1);
    await submitBirthDate(page, wrong);
    await page.getByRole('alert').filter({ hasText: 'ne correspond pas' }).first().waitFor();
    await checkpoint(page, '04-birth-date-wrong');
    await submitBirthDate(page, right.birth_date);
    await page.getByRole('heading', { level: 1, name: 'Votre vote' }).waitFor();
    await expectFocusOnHeading('Votre vote');
    // Statements one click away: the chamber's page of professions de foi.
    const statements = page.getByRole('link', { name: /Toutes les professions de foi/ });
    assert.match(await statements.getAttribute('href'), /^https:\/\//);
    await checkpoint(page, '05-ballot');

    const [ccir, ccit] = right.contests;
    // CCIT: one click selects a whole grouping, a second click removes it.
    const grouping = ccit.groupings.findIndex((g) => g.length > 0 && g.length <= ccit.seats);
    await clickGrouping(page, 1, grouping);
    assert.deepEqual(await checkedOptions(page, 1), [...ccit.groupings[grouping]].sort((a, b) => a - b));
    assert.match(await counterText(page, 1), new RegExp(`^${ccit.groupings[grouping].length} sur ${ccit.seats} choisis?`));
    await clickGrouping(page, 1, grouping);
    assert.deepEqual(await checkedOptions(page, 1), []);
    await clickGrouping(page, 1, grouping);

    // CCIR: N candidates, then the N+1-th is refused with a message.
    const options = ccir.options;
    for (let k = 0; k < ccir.seats; k++) await toggleCandidate(page, 0, options[k]);
    await toggleCandidate(page, 0, options[ccir.seats]);
    await contest(page, 0).getByRole('alert').filter({ hasText: 'c’est le maximum' }).waitFor();
    assert.deepEqual(await checkedOptions(page, 0), options.slice(0, ccir.seats));
    assert.match(await counterText(page, 0), new RegExp(`^${ccir.seats} sur ${ccir.seats} choisis — maximum atteint`));
    // Blank is refused while candidates are chosen.
    await chooseBlank(page, 0);
    await contest(page, 0).getByRole('alert').filter({ hasText: 'Pour voter blanc, enlevez d’abord vos choix' }).waitFor();
    assert.equal(await contest(page, 0).getByLabel(/Je vote blanc/).isChecked(), false);
    await checkpoint(page, '06-ballot-limit');

    await goToReview(page);
    await expectFocusOnHeading('Vérifiez votre vote');
    assert.equal(await page.locator(`[data-review-contest="${ccir.id}"] li`).count(), ccir.seats);
    // Back from review: the choices are kept; change one.
    await page.getByRole('button', { name: 'Modifier mes choix' }).click();
    await page.getByRole('heading', { level: 1, name: 'Votre vote' }).waitFor();
    assert.deepEqual(await checkedOptions(page, 0), options.slice(0, ccir.seats));
    await toggleCandidate(page, 0, options[0]);
    await toggleCandidate(page, 0, options[ccir.seats]);
    const expectedCcir = [...options.slice(1, ccir.seats), options[ccir.seats]].sort((a, b) => a - b);
    assert.deepEqual(await checkedOptions(page, 0), expectedCcir);
    const expectedCcit = await checkedOptions(page, 1);
    await goToReview(page);
    const reviewed = await page.locator(`[data-review-contest="${ccir.id}"] li`).evaluateAll((els) => els.map((e) => Number(e.dataset.option)));
    assert.deepEqual(reviewed.sort((a, b) => a - b), expectedCcir);
    await checkpoint(page, '07-review');

    const tracking = await confirmAndWaitReceipt(page);
    await expectFocusOnHeading('Votre vote est enregistré');
    assert.match(tracking, /^[0-9a-f]{64}$/);
    assert.match(await page.locator('#receipt-time').textContent(), /20\d\d à \d\d:\d\d:\d\d \(heure de Paris\)/);
    const receiptText = await page.locator('main').textContent();
    for (const name of right.candidate_names) assert.ok(!receiptText.includes(name), 'the receipt says nothing about the content');
    await checkpoint(page, '08-receipt');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Télécharger le reçu' }).click()]);
    const file = readFileSync(await download.path(), 'utf8');
    assert.ok(file.includes(tracking));
    for (const name of right.candidate_names) assert.ok(!file.includes(name));

    await expectStored(tracking, right.scrutin, [
      { blank: false, selected: expectedCcir },
      { blank: false, selected: expectedCcit },
    ]);
    fixture.lastTracking = { code: tracking, scrutin: right.scrutin };

    // The same material cannot vote again.
    await page.getByRole('button', { name: 'Voter avec un autre courrier' }).click();
    await submitCredentials(page, right.identifier, right.code);
    await submitBirthDate(page, right.birth_date);
    await page.getByRole('heading', { level: 1, name: 'Vous avez déjà voté' }).waitFor();
    await checkpoint(page, '09-already-voted');
    assert.deepEqual(watch.problems, []);
  });

  it('keyboard only: a whole vote with Tab, Space and Enter, focus always visible', async () => {
    const right = takeRight((r) => r.contests.length === 2 && r.contests[1].groupings.length > 0);
    await page.goto(`${fixture.url}/?keyboard=1#/`);
    await page.locator('#vote-state.state').waitFor();
    await tabTo(page, '#start-vote');
    assert.ok(await focusIsVisible(page));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Votre identifiant et votre code secret' }).waitFor();
    await tabTo(page, 'input[name="identifier"]');
    await page.keyboard.type(right.identifier);
    await page.keyboard.press('Tab');
    await page.keyboard.type(sloppyCode(right.code));
    await page.keyboard.press('Enter');
    if (right.birth_date !== '01011901') {
      await page.getByRole('heading', { level: 1, name: 'Votre date de naissance' }).waitFor();
      await tabTo(page, 'input[name="birth-day"]');
      await page.keyboard.type(right.birth_date.slice(0, 2));
      await page.keyboard.press('Tab');
      await page.keyboard.type(right.birth_date.slice(2, 4));
      await page.keyboard.press('Tab');
      await page.keyboard.type(right.birth_date.slice(4));
      await page.keyboard.press('Enter');
    }
    await page.getByRole('heading', { level: 1, name: 'Votre vote' }).waitFor();
    // First contest: one candidate with Space; second contest: a whole grouping with Enter.
    const option = right.contests[0].options[0];
    await tabTo(page, `section.contest:nth-of-type(1) input[data-option="${option}"]`);
    assert.ok(await focusIsVisible(page));
    await page.keyboard.press('Space');
    await tabTo(page, 'section.contest:nth-of-type(2) button[data-grouping="0"]');
    assert.ok(await focusIsVisible(page));
    await page.keyboard.press('Enter');
    const grouping = [...right.contests[1].groupings[0]].sort((a, b) => a - b);
    assert.deepEqual(await checkedOptions(page, 0), [option]);
    assert.deepEqual(await checkedOptions(page, 1), grouping);
    await tabTo(page, '#to-review');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Vérifiez votre vote' }).waitFor();
    await tabTo(page, '#confirm-vote');
    assert.ok(await focusIsVisible(page));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Votre vote est enregistré' }).waitFor();
    const tracking = (await page.locator('#tracking-code').textContent()).trim();
    await expectStored(tracking, right.scrutin, [
      { blank: false, selected: [option] },
      { blank: false, selected: grouping },
    ]);
  });

  it('blank vote: blank in one contest, nobody chosen in the other; both stored as blank', async () => {
    const right = takeRight((r) => r.contests.length === 2);
    await loginToBallot(page, fixture.url, right);
    await chooseBlank(page, 0);
    assert.match(await counterText(page, 0), /vote blanc/);
    // A candidate is refused while blank is chosen.
    await toggleCandidate(page, 0, right.contests[0].options[0]);
    await contest(page, 0).getByRole('alert').filter({ hasText: 'décochez d’abord' }).waitFor();
    assert.deepEqual(await checkedOptions(page, 0), []);
    await goToReview(page);
    assert.equal(await page.locator('[data-review-blank]').count(), 2);
    await checkpoint(page, '10-review-blank');
    // Hold the real request for a moment, to see the progress state the voter sees.
    let release;
    const held = new Promise((resolve) => {
      release = resolve;
    });
    await page.route('**/api/v1/ballots', async (route) => {
      await held;
      await route.continue();
    });
    try {
      await page.getByRole('button', { name: 'Je confirme et j’envoie mon vote' }).click();
      await page.locator('#cast-progress').waitFor();
      assert.equal(await page.locator('#cast-progress').getAttribute('aria-busy'), 'true');
      // The page says "Chiffrement…" while the browser encrypts, then "Envoi…" once the
      // request (held above) is on its way: wait for the second state, do not race it.
      await page.getByRole('status').filter({ hasText: 'Envoi de votre vote…' }).first().waitFor();
      await checkpoint(page, '10b-cast-progress');
    } finally {
      // Never leave the cast held: the next tests cast through the same page.
      release();
    }
    await page.getByRole('heading', { level: 1, name: 'Votre vote est enregistré' }).waitFor();
    await page.unroute('**/api/v1/ballots');
    const tracking = (await page.locator('#tracking-code').textContent()).trim();
    await expectStored(tracking, right.scrutin, [
      { blank: true, selected: [] },
      { blank: true, selected: [] },
    ]);
  });

  it('a voter with several rights votes once per right, logging in again for each', async () => {
    const holder = fixture.rights.find((r) => !used.has(r.identifier) && fixture.rights.filter((o) => o.holder === r.holder && !used.has(o.identifier)).length >= 2)?.holder;
    assert.ok(holder, 'the fixture has a person with two rights');
    const [first, second] = fixture.rights.filter((r) => r.holder === holder);
    for (const right of [first, second]) {
      used.add(right.identifier);
      if (right === first) {
        await loginToBallot(page, fixture.url, right);
      } else {
        // From the receipt, the way the page tells the voter to use another letter.
        await page.getByRole('button', { name: 'Voter avec un autre courrier' }).click();
        await page.getByRole('heading', { level: 1, name: 'Votre identifiant et votre code secret' }).waitFor();
        assert.equal(await page.getByLabel('Identifiant').inputValue(), '', 'nothing of the previous letter is kept');
        await submitCredentials(page, sloppyIdentifier(right.identifier), sloppyCode(right.code));
        if (right.birth_date !== '01011901') {
          await page.getByRole('heading', { level: 1, name: 'Votre date de naissance' }).waitFor();
          await submitBirthDate(page, right.birth_date);
        }
        await page.getByRole('heading', { level: 1, name: 'Votre vote' }).waitFor();
      }
      const last = right.contests[right.contests.length - 1];
      await toggleCandidate(page, right.contests.length - 1, last.options[0]);
      await goToReview(page);
      const tracking = await confirmAndWaitReceipt(page);
      const choices = right.contests.map((c, i) => (i === right.contests.length - 1 ? { blank: false, selected: [last.options[0]] } : { blank: true, selected: [] }));
      await expectStored(tracking, right.scrutin, choices);
      assert.match(await page.locator('main').textContent(), /Vous avez un autre courrier/);
    }
  });

  it('lockout: after 5 wrong birth dates the right is locked, even with the right answer', async () => {
    const right = takeRight((r) => r.birth_date !== '01011901');
    await openLogin(page, fixture.url);
    await submitCredentials(page, right.identifier, right.code);
    await page.getByRole('heading', { level: 1, name: 'Votre date de naissance' }).waitFor();
    for (let k = 0; k < 5; k++) {
      await submitBirthDate(page, '01011950' === right.birth_date ? '02011950' : '01011950');
      await page.getByRole('alert').first().waitFor();
    }
    await page.getByRole('alert').filter({ hasText: 'trop d’essais' }).first().waitFor();
    await checkpoint(page, '11-locked');
    await submitBirthDate(page, right.birth_date);
    await page.getByRole('alert').filter({ hasText: 'trop d’essais' }).first().waitFor();
    // Starting again from step 1 with the right code does not help either.
    await openLogin(page, fixture.url);
    await submitCredentials(page, right.identifier, right.code);
    await page.getByRole('alert').filter({ hasText: 'trop d’essais' }).first().waitFor();
  });

  it('suspended scrutin: the commission’s message on the home page and after login; casting is refused', async () => {
    const voter = takeRight((r) => r.contests.length === 2);
    const other = takeRight((r) => r.scrutin === voter.scrutin);
    // `other` reaches the review while the scrutin is open.
    await loginToBallot(page, fixture.url, other);
    await toggleCandidate(page, 1, other.contests[1].options[0]);
    await goToReview(page);
    const message = 'Incident technique : le vote reprendra à 14 h.';
    await fixture.suspend(voter.scrutin, message);
    try {
      await page.getByRole('button', { name: 'Je confirme et j’envoie mon vote' }).click();
      await page.getByRole('heading', { level: 1, name: 'Votre vote n’est pas envoyé' }).waitFor();
      assert.match(await page.locator('main').textContent(), /le vote reprendra à 14 h/);
      await checkpoint(page, '12-cast-refused-suspended');

      await page.goto(`${fixture.url}/`);
      await page.locator('#vote-state.state').waitFor();
      assert.ok((await page.locator('#vote-state').textContent()).includes(message));
      await checkpoint(page, '13-home-suspended');

      await loginToBallotOrState(voter);
      await page.getByRole('heading', { level: 1, name: 'Le vote est suspendu' }).waitFor();
      assert.ok((await page.locator('main').textContent()).includes(message));
      await checkpoint(page, '14-suspended');
    } finally {
      await fixture.resume(voter.scrutin);
    }
  });

  it('tracking-code check: the inclusion proof is verified in the browser', async () => {
    const { code, scrutin } = fixture.lastTracking;
    // Before its epoch closes, the ballot is in the box but not on the board yet.
    await page.goto(`${fixture.url}/#/suivi/${code}`);
    await page.locator('#track-result .notice--info').waitFor();
    assert.match(await page.locator('#track-result').textContent(), /pas encore sur le tableau public/);
    await checkpoint(page, '15-tracking-not-yet-published');
    await fixture.closeEpoch(scrutin);
    await page.getByRole('button', { name: 'Vérifier' }).click();
    await page.locator('#track-result .notice--success').waitFor();
    assert.match(await page.locator('#track-result').textContent(), /Votre appareil l’a vérifié/);
    await checkpoint(page, '16-tracking-verified');
    // An unknown code.
    await page.goto(`${fixture.url}/#/suivi`);
    await page.getByLabel('Code de suivi complet').fill('ab'.repeat(32));
    await page.getByRole('button', { name: 'Vérifier' }).click();
    await page.locator('#track-result .notice--error').waitFor();
    assert.match(await page.locator('#track-result').textContent(), /Aucun bulletin/);
    await checkpoint(page, '17-tracking-unknown');
  });

  it('request for new material: errors named, then the request is accepted', async () => {
    await page.goto(`${fixture.url}/#/nouveau-code`);
    await page.getByRole('heading', { level: 1, name: 'Demander un nouveau code' }).waitFor();
    await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
    await page.getByRole('alert').filter({ hasText: 'erreurs' }).waitFor();
    await checkpoint(page, '18-resend-errors');
    const right = fixture.rights[0];
    await page.getByLabel('Votre CCI').selectOption(right.chamber_code);
    await page.getByLabel('Nom de famille').fill('Martin');
    await page.getByLabel('Prénom').fill('Jeanne');
    await page.getByLabel('Date de naissance').fill('27/03/1968');
    await page.getByLabel('Nom de l’entreprise').fill('Boulangerie Martin');
    await page.getByLabel('Adresse e-mail').fill('jeanne.martin@example.fr');
    // A tiny valid PNG as the identity document.
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f60000000049454e44ae426082', 'hex');
    await page.getByLabel('Pièce d’identité').setInputFiles({ name: 'piece.png', mimeType: 'image/png', buffer: png });
    await page.getByRole('button', { name: 'Envoyer ma demande' }).click();
    await page.getByRole('heading', { level: 1, name: 'Votre demande est envoyée' }).waitFor();
    assert.match(await page.locator('#resend-request-id').textContent(), /\S+/);
    await checkpoint(page, '19-resend-done');
  });

  it('the voting path transfers less than 400 KB compressed', async () => {
    // A fresh browser: nothing cached.
    const fresh = await launch({ viewport: { width: 375, height: 800 } });
    try {
      const p = await fresh.context.newPage();
      const responses = [];
      p.on('response', (r) => responses.push(r));
      const right = takeRight((r) => r.contests.length === 2);
      await p.goto(`${fixture.url}/`);
      await p.locator('#vote-state.state').waitFor();
      const original = page;
      page = p;
      try {
        await p.locator('#start-vote').click();
        await p.getByRole('heading', { level: 1, name: 'Votre identifiant et votre code secret' }).waitFor();
        await submitCredentials(p, right.identifier, right.code);
        if (right.birth_date !== '01011901') {
          await p.getByRole('heading', { level: 1, name: 'Votre date de naissance' }).waitFor();
          await submitBirthDate(p, right.birth_date);
        }
        await p.getByRole('heading', { level: 1, name: 'Votre vote' }).waitFor();
        await toggleCandidate(p, 0, right.contests[0].options[0]);
        await goToReview(p);
        const tracking = await confirmAndWaitReceipt(p);
        await expectStored(tracking, right.scrutin, right.contests.map((c, i) => (i === 0 ? { blank: false, selected: [c.options[0]] } : { blank: true, selected: [] })));
      } finally {
        page = original;
      }
      let compressed = 0;
      let decoded = 0;
      const rows = [];
      for (const r of responses) {
        const sizes = await r.request().sizes();
        const body = await r.body().catch(() => Buffer.alloc(0));
        const wire = sizes.responseBodySize + sizes.responseHeadersSize;
        compressed += wire;
        decoded += body.length;
        rows.push({ url: new URL(r.url()).pathname, status: r.status(), encoding: r.headers()['content-encoding'] || 'identity', wire, body: body.length });
      }
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, 'transfer.json'), JSON.stringify({ total_wire_bytes: compressed, total_body_bytes: decoded, responses: rows }, null, 2));
      console.log(`voting path: ${rows.length} responses, ${compressed} bytes on the wire (headers included), ${decoded} bytes decoded`);
      assert.ok(compressed < 400 * 1024, `the voting path transferred ${compressed} bytes`);
    } finally {
      await fresh.close();
    }
  });

  it('the tally of the test trustees matches every ballot cast', async () => {
    for (const [scrutin, ballots] of cast) {
      const tally = await fixture.tally(scrutin);
      tally.contests.forEach((t, i) => {
        const expectedBlank = ballots.filter((b) => b[i].blank).length;
        assert.equal(t.ballots, ballots.length, `${scrutin} contest ${i}: ballots counted`);
        assert.equal(t.blank, expectedBlank, `${scrutin} contest ${i}: blank votes`);
        const votes = t.votes.map(() => 0);
        for (const b of ballots) for (const o of b[i].selected) votes[o] += 1;
        assert.deepEqual(t.votes, votes, `${scrutin} contest ${i}: votes per candidate`);
      });
    }
  });
});

/** Logs in; the page may stop before the ballot (suspended, closed, already voted). */
async function loginToBallotOrState(right) {
  await openLogin(page, fixture.url);
  await submitCredentials(page, sloppyIdentifier(right.identifier), sloppyCode(right.code));
  if (right.birth_date !== '01011901') {
    await page.getByRole('heading', { level: 1, name: 'Votre date de naissance' }).waitFor();
    await submitBirthDate(page, right.birth_date);
  }
}
