// Building the page without innerHTML: every text from the server goes in as text.

/** Creates an element: h('p', { class: 'x' }, 'text', child…). `on*` props add listeners. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the content of an element. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Says something to screen-reader users without moving the focus. */
export function announce(message) {
  const region = document.getElementById('announce');
  region.textContent = '';
  // A fresh text node, so that the same message is read again.
  setTimeout(() => { region.textContent = message; }, 50);
}

let nextId = 0;
/** A unique id for label/field pairs. */
export function uid(prefix = 'f') {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** A labelled field: returns { wrap, input }. */
export function field(label, attrs = {}, hint = null) {
  const id = uid('field');
  const hintId = hint ? `${id}-hint` : null;
  const tag = attrs.tag || 'input';
  const input = h(tag, { id, name: attrs.name || id, 'aria-describedby': hintId, ...Object.fromEntries(Object.entries(attrs).filter(([k]) => k !== 'tag' && k !== 'options')) });
  if (tag === 'select') {
    for (const [value, text] of attrs.options || []) input.append(h('option', { value }, text));
  }
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), hint ? h('p', { class: 'hint', id: hintId }, hint) : null, input);
  return { wrap, input };
}

/** A notice box (ok, error, warn) whose text is announced. */
export function notice(kind, ...children) {
  const role = kind === 'error' ? 'alert' : null;
  return h('div', { class: `notice ${kind}`, role }, ...children);
}

/** Formats a number the French way. */
export function num(n) {
  return new Intl.NumberFormat('fr-FR').format(n);
}

/** Offers bytes as a download. */
export function download(bytes, name, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = h('a', { href: url, download: name }, name);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
