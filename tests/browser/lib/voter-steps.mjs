// What a voter does on the pages, written once for every test: through labels and roles,
// as a screen-reader user would find the controls.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { axeViolations, describeViolations } from './axe.mjs';
import { ARTIFACTS } from './paths.mjs';

export const WIDTHS = [375, 1280];

/**
 * Screenshots the page at every width of WIDTHS (artifacts/<name>-<width>.png) and runs
 * axe-core on it; fails on any violation.
 */
export async function checkpoint(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const original = page.viewportSize();
  // Reflow (WCAG 1.4.10): at 320 px wide — also what 1280 px at 400 % zoom gives — nothing
  // scrolls sideways.
  await page.setViewportSize({ width: 320, height: 900 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `"${name}" scrolls sideways by ${overflow} px at 320 px wide`);
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize(original);
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe-core on "${name}":\n${describeViolations(violations)}`);
}

/** The code as a hurried voter types it: lower case, spaces instead of dashes. */
export function sloppyCode(code) {
  return code.toLowerCase().replace(/-/g, ' ');
}

/** The identifier with spaces between groups. */
export function sloppyIdentifier(identifier) {
  return identifier.replace(/-/g, ' ');
}

/** Opens step 1 in a freshly loaded page (nothing kept from a previous voter). */
export async function openLogin(page, baseUrl) {
  await page.goto(`${baseUrl}/?start=${Date.now()}#/voter`);
  await page.getByRole('heading', { level: 1, name: 'Votre identifiant et votre code secret' }).waitFor();
}

/** Fills step 1 and submits. */
export async function submitCredentials(page, identifier, code) {
  await page.getByLabel('Identifiant').fill(identifier);
  await page.getByLabel('Code secret').fill(code);
  await page.getByRole('button', { name: 'Continuer' }).click();
}

/** Fills step 2 with JJMMAAAA and submits. */
export async function submitBirthDate(page, jjmmaaaa) {
  await page.getByLabel('Jour').fill(jjmmaaaa.slice(0, 2));
  await page.getByLabel('Mois').fill(jjmmaaaa.slice(2, 4));
  await page.getByLabel('Année').fill(jjmmaaaa.slice(4));
  await page.getByRole('button', { name: 'Continuer' }).click();
}

/** Logs a right in through both steps and waits for the ballot. */
export async function loginToBallot(page, baseUrl, right) {
  await openLogin(page, baseUrl);
  await submitCredentials(page, sloppyIdentifier(right.identifier), sloppyCode(right.code));
  if (right.birth_date !== '01011901') {
    await page.getByRole('heading', { level: 1, name: 'Votre date de naissance' }).waitFor();
    await submitBirthDate(page, right.birth_date);
  }
  await page.getByRole('heading', { level: 1, name: 'Votre vote' }).waitFor();
}

export function contest(page, index) {
  return page.locator('section.contest').nth(index);
}

export async function toggleCandidate(page, contestIndex, option) {
  await contest(page, contestIndex).locator(`input[data-option="${option}"]`).click();
}

export async function clickGrouping(page, contestIndex, grouping) {
  await contest(page, contestIndex).locator(`button[data-grouping="${grouping}"]`).click();
}

export async function chooseBlank(page, contestIndex) {
  await contest(page, contestIndex).getByLabel(/Je vote blanc/).click();
}

export async function counterText(page, contestIndex) {
  return (await contest(page, contestIndex).locator('.counter').textContent()).trim();
}

/** Options checked in one contest, as numbers, sorted. */
export async function checkedOptions(page, contestIndex) {
  const values = await contest(page, contestIndex)
    .locator('input[data-option]:checked')
    .evaluateAll((els) => els.map((e) => Number(e.dataset.option)));
  return values.sort((a, b) => a - b);
}

export async function goToReview(page) {
  await page.getByRole('button', { name: 'Continuer : vérifier mon vote' }).click();
  await page.getByRole('heading', { level: 1, name: 'Vérifiez votre vote' }).waitFor();
}

/** Confirms on the review page and waits for the receipt; returns its tracking code. */
export async function confirmAndWaitReceipt(page) {
  await page.getByRole('button', { name: 'Je confirme et j’envoie mon vote' }).click();
  await page.getByRole('heading', { level: 1, name: 'Votre vote est enregistré' }).waitFor();
  return (await page.locator('#tracking-code').textContent()).trim();
}

/** The element that has focus: its tag and text, to check focus moves to each new heading. */
export function focused(page) {
  return page.evaluate(() => ({ tag: document.activeElement.tagName, text: document.activeElement.textContent.trim() }));
}

/**
 * Presses Tab until the focused element matches `selector` (at most `max` presses): how a
 * keyboard-only voter reaches a control. Fails if it is never reached.
 */
export async function tabTo(page, selector, max = 150) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} was not reached with the Tab key`);
}

/** The focused element shows a visible focus indicator (WCAG 2.4.7). */
export async function focusIsVisible(page) {
  return page.evaluate(() => {
    const style = getComputedStyle(document.activeElement);
    return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  });
}
