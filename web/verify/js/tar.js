// A POSIX ustar archive of files chosen one by one (a folder): the verifier reads one
// archive, so the page packs the folder the way `scrutin export-record --out x.tar` does.

const BLOCK = 512;

function octal(view, offset, length, value) {
  const text = value.toString(8).padStart(length - 1, '0') + '\0';
  for (let i = 0; i < length; i++) view[offset + i] = text.charCodeAt(i);
}

function header(path, size) {
  const h = new Uint8Array(BLOCK);
  const name = new TextEncoder().encode(path);
  if (name.length > 100) throw new Error(`chemin trop long pour l'archive : ${path}`);
  h.set(name, 0);
  octal(h, 100, 8, 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, 0);
  h[156] = 0x30; // '0': regular file
  h.set(new TextEncoder().encode('ustar\0'), 257);
  h.set(new TextEncoder().encode('00'), 263);
  for (let i = 148; i < 156; i++) h[i] = 0x20;
  const sum = h.reduce((a, b) => a + b, 0);
  const field = sum.toString(8).padStart(6, '0') + '\0 ';
  for (let i = 0; i < 8; i++) h[148 + i] = field.charCodeAt(i);
  return h;
}

/** Packs [{path, bytes: Uint8Array}] into one tar archive (Uint8Array). */
export function tarOf(files) {
  let total = 2 * BLOCK;
  for (const f of files) total += BLOCK + Math.ceil(f.bytes.length / BLOCK) * BLOCK;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const f of files) {
    out.set(header(f.path, f.bytes.length), pos);
    pos += BLOCK;
    out.set(f.bytes, pos);
    pos += Math.ceil(f.bytes.length / BLOCK) * BLOCK;
  }
  return out;
}
