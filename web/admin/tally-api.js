// Calls of the control interface's JSON API for the ceremony and tally pages: the session's
// CSRF token goes with every state-changing request; errors carry the server's French
// message.

let csrf = null;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function parse(response) {
  const type = response.headers.get('content-type') || '';
  const body = type.startsWith('application/json') ? await response.json() : null;
  if (!response.ok) {
    const e = (body && body.error) || {};
    throw new ApiError(response.status, e.code || 'error', e.message || `Erreur ${response.status}`);
  }
  return body;
}

/** The current session (user and CSRF token), or null when nobody is logged in. */
export async function session() {
  const r = await fetch('/admin/api/session', { credentials: 'same-origin' });
  if (r.status === 401) return null;
  const s = await parse(r);
  csrf = s.csrf;
  return s;
}

export async function get(path) {
  return parse(await fetch(path, { credentials: 'same-origin' }));
}

export async function post(path, body) {
  const r = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf || '' },
    body: JSON.stringify(body ?? {}),
  });
  return parse(r);
}

/** POSTs and saves the answer as a file (for encrypted exports). */
export async function postDownload(path, body, fallbackName) {
  const r = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf || '' },
    body: JSON.stringify(body ?? {}),
  });
  if (!r.ok) await parse(r);
  const disposition = r.headers.get('content-disposition') || '';
  const m = /filename="([^"]+)"/.exec(disposition);
  const blob = await r.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = m ? m[1] : fallbackName;
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
  return a.download;
}

/** Builds an element: el('td', { class: 'num' }, 'texte', child…). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** Shows a message in the page's live region. */
export function announce(text, kind = 'info') {
  const region = document.getElementById('status');
  region.textContent = text;
  region.className = `status status-${kind}`;
  if (kind === 'error') region.focus();
}

export function frenchNumber(n) {
  return new Intl.NumberFormat('fr-FR').format(n);
}
