// Runs the verifier (verifier-wasm) off the page's thread, so the page stays usable while
// thousands of ballots are checked. The module imports nothing; see verifier-wasm/src/abi.rs.

const ABI_VERSION = 1;
let exportsPromise;

function load() {
  if (!exportsPromise) {
    exportsPromise = (async () => {
      const url = new URL('../wasm/scrutin_verify.wasm', import.meta.url);
      const response = await fetch(url);
      if (!response.ok) throw new Error(`vérificateur introuvable (${response.status})`);
      const { instance } = await WebAssembly.instantiate(await response.arrayBuffer(), {});
      const e = instance.exports;
      if (e.scrutin_abi_version() !== ABI_VERSION) throw new Error('version du vérificateur inattendue');
      return e;
    })();
  }
  return exportsPromise;
}

function put(e, bytes) {
  const ptr = e.scrutin_alloc(bytes.length);
  new Uint8Array(e.memory.buffer, ptr, bytes.length).set(bytes);
  return ptr;
}

self.onmessage = async (event) => {
  const { archive, options } = event.data;
  try {
    const e = await load();
    const data = new Uint8Array(archive);
    const opts = new TextEncoder().encode(JSON.stringify(options));
    const a = put(e, data);
    const o = put(e, opts);
    const resp = e.scrutin_verify(a, data.length, o, opts.length);
    const len = new DataView(e.memory.buffer, resp, 4).getUint32(0, true);
    const text = new TextDecoder().decode(new Uint8Array(e.memory.buffer, resp + 4, len).slice());
    e.scrutin_free(resp, 4 + len);
    e.scrutin_free(a, data.length);
    e.scrutin_free(o, opts.length);
    self.postMessage({ report: JSON.parse(text) });
  } catch (err) {
    self.postMessage({ failure: String(err && err.message ? err.message : err) });
  }
};
