// The voters' HTTP API (specs/api.md). Every call returns parsed JSON or throws ApiError.

const BASE = '/api/v1';

/** An API error: HTTP status, the server's stable code and its plain French message. */
export class ApiError extends Error {
  constructor(status, code, message, retryAfterSeconds) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

async function request(method, path, { body, token, form } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (form) {
    payload = form;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(BASE + path, {
      method,
      headers,
      body: payload,
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', 'Le serveur ne répond pas. Vérifiez votre connexion à internet.');
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(
      response.status,
      error.code || 'http_' + response.status,
      error.message || 'Le serveur a refusé la demande.',
      error.retry_after_seconds,
    );
  }
  return data;
}

export const api = {
  scrutins: () => request('GET', '/scrutins'),
  scrutin: (id) => request('GET', `/scrutins/${encodeURIComponent(id)}`),
  platformKey: () => request('GET', '/platform-key'),
  loginChallenge: (identifier) => request('POST', '/login/challenge', { body: { identifier } }),
  loginKey: (identifier, challenge, signature) =>
    request('POST', '/login/key', { body: { identifier, challenge, signature } }),
  birthDate: (token, birthDate) =>
    request('POST', '/login/birth-date', { token, body: { birth_date: birthDate } }),
  ballotSheet: (token) => request('GET', '/ballot-sheet', { token }),
  cast: (token, ballot) => request('POST', '/ballots', { token, body: ballot }),
  receipt: (trackingCode) => request('GET', `/receipts/${encodeURIComponent(trackingCode)}`),
  board: (scrutinId) => request('GET', `/board/${encodeURIComponent(scrutinId)}`),
  inclusion: (scrutinId, trackingCode) =>
    request('GET', `/board/${encodeURIComponent(scrutinId)}/inclusion/${encodeURIComponent(trackingCode)}`),
  resendRequest: (formData) => request('POST', '/resend-requests', { form: formData }),
};
