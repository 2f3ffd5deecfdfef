// Steps of the control interface (web/admin) shared by the admin browser tests.
import { createHmac } from 'node:crypto';

/** RFC 6238 code (HMAC-SHA-1, 6 digits, 30 s) of a base32 secret at a time. */
export function totp(base32, unixSeconds) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

/** Waits for a notice of the single-page interface; on failure, says what the page shows. */
export async function waitNotice(page, text) {
  try {
    await page.locator('.notice', { hasText: text }).first().waitFor({ timeout: 30000 });
  } catch (e) {
    const shown = await page.locator('main').innerText();
    throw new Error(`notice « ${text} » not shown; the page says:\n${shown.slice(0, 2000)}`);
  }
}

/**
 * Logs in at `base`/admin/ with email and password, and the TOTP code of `totpSecret` when
 * the account needs the second factor; `onSecondFactor` runs on the code's page.
 */
export async function adminLogin(page, base, email, password, { totpSecret = null, onSecondFactor = null } = {}) {
  await page.goto(`${base}/admin/#/connexion`);
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  if (totpSecret) {
    await page.getByLabel('Code à usage unique').waitFor();
    if (onSecondFactor) await onSecondFactor();
    await page.getByLabel('Code à usage unique').fill(totp(totpSecret, Date.now() / 1000));
    await page.getByRole('button', { name: 'Se connecter' }).click();
  }
  await page.getByRole('heading', { level: 1, name: 'Accueil' }).waitFor();
}

/** Opens a view of the single-page interface by its hash and waits for its heading. */
export async function openView(page, base, hash, title) {
  await page.goto(`${base}/admin/${hash}`);
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  await page.waitForLoadState('networkidle');
}
