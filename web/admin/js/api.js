// The control interface's JSON API: the session cookie goes by itself (same origin); the
// session's CSRF token goes with every state-changing request. Errors carry the server's
// French message and stable code.

let csrf = null;

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Remembers the CSRF token of the session. */
export function setCsrf(token) {
  csrf = token;
}

async function parse(response, raw) {
  const type = response.headers.get('content-type') || '';
  if (response.ok && raw) return response;
  const body = type.startsWith('application/json') ? await response.json() : null;
  if (!response.ok) {
    const e = (body && body.error) || {};
    throw new ApiError(response.status, e.code || 'error', e.message || `Erreur ${response.status}`, e.details || null);
  }
  return body;
}

/**
 * Calls the API. `body`: an object (sent as JSON), a File/Blob/ArrayBuffer (sent as is,
 * with `contentType`), or nothing. `raw`: resolve with the Response (downloads).
 */
export async function api(method, path, body, { contentType = null, raw = false } = {}) {
  const headers = {};
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let payload;
  if (body instanceof Blob || body instanceof ArrayBuffer) {
    payload = body;
    headers['Content-Type'] = contentType || (body.type || 'application/octet-stream');
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  return parse(response, raw);
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);
export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);
