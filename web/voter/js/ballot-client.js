// Loader of the ballot client (Rust compiled to WebAssembly, ballot-client-wasm/).
//
// The module exports four plain functions (see ballot-client-wasm/src/abi.rs): alloc, call,
// free and the ABI version. Every operation is one JSON request written into the module's
// memory and one length-prefixed JSON response read back; both buffers are wiped on free,
// because requests carry the voter's secret code.

const ABI_VERSION = 1;
const ENTROPY_BYTES = 32;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** An error returned by the module, with its stable code (see ballot-client-wasm/src/error.rs). */
export class BallotClientError extends Error {
  constructor(code, message, details) {
    super(message);
    this.name = 'BallotClientError';
    this.code = code;
    this.details = details || null;
  }
}

/** Fresh randomness for one call, as hex (the module seeds ChaCha20 with it). */
function entropyHex() {
  const bytes = crypto.getRandomValues(new Uint8Array(ENTROPY_BYTES));
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  bytes.fill(0);
  return hex;
}

async function compile(url) {
  if (typeof WebAssembly !== 'object') {
    throw new BallotClientError('unsupported', 'WebAssembly is not available in this browser');
  }
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) {
    throw new BallotClientError('load_failed', `HTTP ${response.status} for ${url}`);
  }
  if (WebAssembly.compileStreaming && response.headers.get('content-type') === 'application/wasm') {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/** The ballot client: one method per operation of ballot-client-wasm/src/ops.rs. */
export class BallotClient {
  constructor(module) {
    this.module = module;
    this.instance = null;
  }

  exports() {
    if (!this.instance) {
      this.instance = new WebAssembly.Instance(this.module, {});
      const version = this.instance.exports.scrutin_abi_version();
      if (version !== ABI_VERSION) {
        this.instance = null;
        throw new BallotClientError('abi_version', `module ABI ${version}, page expects ${ABI_VERSION}`);
      }
    }
    return this.instance.exports;
  }

  /** Runs one operation; returns its result or throws a BallotClientError. */
  call(op, args = {}) {
    const exports = this.exports();
    const request = encoder.encode(JSON.stringify({ op, ...args }));
    let text;
    try {
      const ptr = exports.scrutin_alloc(request.length) >>> 0;
      new Uint8Array(exports.memory.buffer, ptr, request.length).set(request);
      let resp;
      try {
        resp = exports.scrutin_call(ptr, request.length) >>> 0;
      } finally {
        exports.scrutin_free(ptr, request.length);
      }
      // Read through a fresh view: the call may have grown (and so replaced) the memory.
      const len = new DataView(exports.memory.buffer).getUint32(resp, true);
      text = decoder.decode(new Uint8Array(exports.memory.buffer, resp + 4, len).slice());
      exports.scrutin_free(resp, 4 + len);
    } catch (e) {
      // A trap leaves the instance unusable: start a fresh one at the next call.
      this.instance = null;
      throw new BallotClientError('internal', `ballot client failed: ${e && e.message}`);
    } finally {
      request.fill(0);
    }
    const message = JSON.parse(text);
    if (message.error) throw new BallotClientError(message.error.code, message.error.message, message.error.details);
    return message.ok;
  }

  /** Module versions ({abi_version, crate_version}). */
  info() {
    return this.call('info');
  }

  /** Normalises a typed identifier; throws identifier_length, identifier_character or identifier_check. */
  checkIdentifier(identifier) {
    return this.call('check_identifier', { identifier });
  }

  /** Normalises a typed secret code; throws code_length, code_character or code_check. */
  checkCode(code) {
    return this.call('check_code', { code });
  }

  /** Signs the server's login nonce with the login key derived from the code. */
  loginSign({ electionId, identifier, code, nonce }) {
    return this.call('login_sign', { election_id: electionId, identifier, code, nonce });
  }

  /** The voting public key of this code for one scrutin. */
  votingKey({ electionId, scrutinId, code }) {
    return this.call('voting_key', { election_id: electionId, scrutin_id: scrutinId, code });
  }

  /** Builds the style's tables now, so that encrypting later is quicker. */
  prepareStyle(style) {
    return this.call('prepare_style', { style });
  }

  /**
   * Encrypts, proves and signs the ballot.
   * choices: one entry per contest of the style, in order: {blank: true} or {selected: [indices]}.
   */
  encryptBallot({ style, choices, code }) {
    return this.call('encrypt_ballot', { style, choices, code, entropy: entropyHex() });
  }

  /** The tracking code of a ballot (JSON object as sent to the server). */
  trackingCode(ballot) {
    return this.call('tracking_code', { ballot });
  }

  /** Checks a board head's signature and the inclusion of a tracking code under its root. */
  verifyInclusion({ head, boardKey, trackingCode, proof }) {
    return this.call('verify_inclusion', {
      head,
      board_key: boardKey,
      tracking_code: trackingCode,
      proof,
    });
  }
}

let loading = null;

/** Loads (once per page) and returns the ballot client. */
export function loadBallotClient(url = new URL('../wasm/scrutin_ballot.wasm', import.meta.url)) {
  if (!loading) {
    loading = compile(url).then((module) => new BallotClient(module));
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}
