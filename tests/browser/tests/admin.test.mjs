// End-to-end: the control interface in headless Chromium against the real admin server on
// fresh SQLite stores (crates/admin-server/examples/admin_browser_fixture.rs). The path of
// an election's preparation and conduct: the national administrator logs in with the
// second factor and uploads the structure and a voter file; the COE president seals the
// voters, enters candidates, seals them, creates the ballot boxes, generates the material,
// seals it, opens and closes the vote and checks the seals. Every page is checked with
// axe-core (WCAG 2.1 A/AA) and must have zero violations, no console error and no CSP
// violation.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { adminLogin, openView, waitNotice } from '../lib/admin-steps.mjs';
import { axeViolations, describeViolations } from '../lib/axe.mjs';
import { launch, watchPage } from '../lib/chromium.mjs';
import { REPO } from '../lib/paths.mjs';
import { firstJsonLine, startServer } from '../lib/server-process.mjs';

const FIXTURES = join(REPO, 'fixtures');

async function startAdmin() {
  const build = spawnSync('cargo', ['build', '--quiet', '-p', 'scrutin-admin', '--example', 'admin_browser_fixture'], { cwd: REPO, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('cargo build of the admin fixture failed');
  const targetDir = process.env.CARGO_TARGET_DIR || join(REPO, 'target');
  const binary = join(targetDir, 'debug', 'examples', 'admin_browser_fixture');
  if (!existsSync(binary)) throw new Error(`${binary} not found`);
  const { info, stop } = await startServer(
    binary,
    (dataDir) => ['--data-dir', dataDir, '--web-dir', join(REPO, 'web', 'admin')],
    firstJsonLine,
    { prefix: 'scrutin-admin-browser-' },
  );
  return { ...info, stop };
}

let server;
let browser;
let page;
let watch;
const checkedPages = [];

async function accessible(name) {
  await page.waitForLoadState('networkidle');
  const violations = await axeViolations(page);
  assert.equal(violations.length, 0, `${name}: axe violations\n${describeViolations(violations)}`);
  assert.deepEqual(watch.problems, [], `${name}: console errors or CSP violations`);
  checkedPages.push(name);
}

async function notice(text) {
  await waitNotice(page, text);
}

async function login(email, secret = null) {
  await adminLogin(page, server.url, email, server.password, {
    totpSecret: secret,
    onSecondFactor: () => accessible('connexion (second facteur)'),
  });
}

async function go(hash, title) {
  await openView(page, server.url, hash, title);
}

describe('control interface: preparation and conduct of a chamber\'s vote', () => {
  before(async () => {
    server = await startAdmin();
    browser = await launch();
    page = await browser.context.newPage();
    watch = watchPage(page);
    page.on('console', () => {});
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('logs in with the second factor and uploads the structure and the voters', async () => {
    await page.goto(`${server.url}/admin/`);
    await page.getByRole('heading', { level: 1, name: 'Connexion' }).waitFor();
    await accessible('connexion');
    await login(server.admin.email, server.admin.totp_secret);
    await accessible('accueil');

    await go('#/structure', 'Structure électorale');
    await accessible('structure (vide)');
    await page.getByLabel('Fichier de structure (CSV)').setInputFiles(join(FIXTURES, 'structure.csv'));
    await page.getByRole('button', { name: 'Charger la structure' }).click();
    await notice('Structure chargée : 15 scrutins');
    await accessible('structure chargée');

    await go('#/electeurs', 'Listes électorales');
    await page.getByLabel('Fichier des électeurs (CSV, 37 colonnes)').setInputFiles(join(FIXTURES, 'voters-011.csv'));
    await page.getByRole('button', { name: 'Charger la liste' }).click();
    await notice('Liste chargée : 24 droits de vote');
    await page.getByRole('table', { name: /Électeurs de la CCI 011 \(24\)/ }).waitFor();
    await accessible('listes électorales');

    // A broken file is refused with its report in the page.
    await page.getByLabel('Fichier des électeurs (CSV, 37 colonnes)').setInputFiles(join(FIXTURES, 'broken', 'voters', 'v14-siren-too-short.csv'));
    await page.getByRole('button', { name: 'Charger la liste' }).click();
    await notice('Fichier des électeurs refusé');
    await page.getByRole('table', { name: /Anomalies/ }).waitFor();
    await accessible('liste refusée avec son rapport');

    // CCI France's anonymous indicators: nobody has logged in to vote yet.
    await go('#/indicateurs', 'Indicateurs d\'usage');
    await page.getByRole('table', { name: 'Connexions et votes confirmés par jour' }).waitFor();
    assert.equal(await page.locator('dt:has-text("Connexions d\'électeurs") + dd').innerText(), '0');
    await accessible('indicateurs d\'usage');

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('heading', { level: 1, name: 'Connexion' }).waitFor();
  });

  it('lets the COE seal the voters, enter and seal the candidates', async () => {
    await login(server.president.email);
    await go('#/scellements', 'Scellements');
    await accessible('scellements');
    await page.getByRole('button', { name: 'Sceller la liste électorale de la CCI 011' }).click();
    await notice('Liste électorale de la CCI 011 : scellé');

    await go('#/candidats', 'Candidatures');
    await accessible('candidatures (vides)');
    await page.getByLabel('Fichier de candidatures (format scrutin-candidates/1, JSON)').setInputFiles(join(FIXTURES, 'candidates.json'));
    await page.getByRole('button', { name: 'Importer les candidatures' }).click();
    await notice('6 liste(s) importée(s)');

    // One more candidacy entered by hand in the commerce CCIT election.
    const card = page.locator('section.card', { has: page.getByRole('heading', { level: 2, name: /011-C\/CCIT/ }) });
    await card.getByLabel('Nom', { exact: true }).fill('Berthier');
    await card.getByLabel('Prénom', { exact: true }).fill('Lucie');
    await card.getByLabel('Date de naissance').fill('1975-04-12');
    await card.getByLabel('Activité').fill('fleuriste');
    await card.getByLabel('Commune').fill('Belley');
    await card.getByRole('button', { name: 'Ajouter le candidat' }).click();
    await card.getByText('Lucie BERTHIER, fleuriste, Belley').waitFor();
    await card.getByRole('button', { name: 'Enregistrer la liste 011-C/CCIT' }).click();
    await card.locator('.notice', { hasText: 'Liste enregistrée' }).waitFor();
    await accessible('candidatures saisies');

    await go('#/scellements', 'Scellements');
    await page.getByRole('button', { name: 'Sceller les candidatures de la CCI 011' }).click();
    await notice('Candidatures de la CCI 011 : scellé');
    await go('#/candidats', 'Candidatures');
    await notice('Candidatures scellées');
    await page.getByText('Lucie BERTHIER, fleuriste, Belley').waitFor();
    await accessible('candidatures scellées');
  });

  it('creates the ballot boxes and the voting material, then seals it', async () => {
    await go('#/materiel', 'Urnes et matériel de vote');
    await accessible('urnes et matériel');
    await page.getByLabel('Ouverture du vote (heure de Paris)').fill('2026-12-01T09:00');
    await page.getByLabel('Dernier jour du vote (clôture à minuit, heure de Paris)').fill('2026-12-08');
    await page.getByRole('button', { name: 'Créer les urnes de la CCI' }).click();
    await notice('Urnes créées : 011-C, 011-I, 011-S');
    await page.getByLabel('Phrase de passe du fichier des courriers').fill('la phrase de passe de la COE');
    await page.getByRole('button', { name: 'Générer le matériel de vote' }).click();
    await notice('Matériel généré : 24 courriers');
    await accessible('matériel généré');

    await go('#/scellements', 'Scellements');
    await page.getByRole('button', { name: 'Sceller le matériel de vote de la CCI 011' }).click();
    await notice('Matériel de vote de la CCI 011 : scellé');
  });

  it('opens and closes the vote, and the seals check intact', async () => {
    await go('#/scrutins', 'Conduite du vote');
    await accessible('conduite du vote');
    await page.getByLabel('Tous les scrutins de mon périmètre').check();
    await page.getByRole('button', { name: 'Ouvrir' }).click();
    await notice('Ouvrir : 011-C');
    await page.getByRole('button', { name: 'Clore' }).click();
    await notice('Clore : 011-C (clos)');
    await page.getByRole('cell', { name: 'clos' }).first().waitFor();
    await accessible('vote clos');

    await go('#/participation', 'Participation');
    await accessible('participation');
    await page.getByRole('button', { name: 'Émargement 011-C' }).click();
    await page.getByRole('heading', { level: 2, name: 'Liste d\'émargement 011-C (0)' }).waitFor();
    await accessible('liste d\'émargement');
    await go('#/journal', 'Journal');
    await page.getByRole('button', { name: 'Vérifier l\'intégrité du journal' }).click();
    await notice('Journal intègre');
    await accessible('journal');

    await go('#/scellements', 'Scellements');
    await page.getByRole('button', { name: 'Vérifier les scellements maintenant' }).click();
    await notice('Tous les scellements sont intacts');
    await page.getByRole('cell', { name: 'box-closed' }).or(page.getByRole('cell', { name: 'Urne à la clôture' })).first().waitFor();
    await accessible('vérification des scellements');
    assert.ok(checkedPages.length >= 15, `pages checked with axe: ${checkedPages.join(', ')}`);
  });
});
