// Small DOM helpers: build elements without innerHTML (server text is never parsed as HTML),
// announce changes to screen readers, and move focus to each new step's heading.

/**
 * Creates an element. attrs: plain attributes, plus `class`, `text`, `on{Event}` handlers
 * and boolean attributes (true adds, false/null/undefined skips).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'text') {
      el.textContent = value;
    } else if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the contents of `el` with `children`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** Says `text` through the polite live region (screen readers read it without moving focus). */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  // Emptying first makes a repeated identical message be read again.
  region.textContent = '';
  window.setTimeout(() => {
    region.textContent = text;
  }, 50);
}

/** Sets the page title (WCAG 2.4.2) and moves focus to the view's first heading. */
export function enterView(view, title) {
  document.title = `${title} — Élections des CCI`;
  const heading = view.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
  window.scrollTo(0, 0);
}

/** Unique ids for label/field pairs. */
let counter = 0;
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A labelled text field with its hint and error slot, wired for screen readers. */
export function field({ label, hint, name, type = 'text', autocomplete, inputmode, value, required = true, attrs = {} }) {
  const id = uid(name);
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const input = h('input', {
    id,
    name,
    type,
    autocomplete: autocomplete || 'off',
    inputmode,
    required,
    'aria-describedby': [hintId, errorId].filter(Boolean).join(' '),
    spellcheck: 'false',
    ...attrs,
  });
  if (value !== undefined) input.value = value;
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const wrapper = h(
    'div',
    { class: 'field' },
    h('label', { for: id, text: label }),
    hint ? h('p', { class: 'hint', id: hintId, text: hint }) : null,
    error,
    input,
  );
  return {
    wrapper,
    input,
    setError(text) {
      if (text) {
        error.textContent = `Erreur : ${text}`;
        error.hidden = false;
        input.setAttribute('aria-invalid', 'true');
        wrapper.classList.add('field--error');
      } else {
        error.textContent = '';
        error.hidden = true;
        input.removeAttribute('aria-invalid');
        wrapper.classList.remove('field--error');
      }
    },
  };
}

/** An alert box (role="alert" is read at once). kind: error | info | success. */
export function alertBox(kind, title, ...body) {
  const role = kind === 'error' ? 'alert' : 'status';
  const label = kind === 'error' ? 'Erreur' : kind === 'success' ? 'C’est fait' : 'Information';
  return h(
    'div',
    { class: `notice notice--${kind}`, role },
    h('p', { class: 'notice__title' }, h('span', { class: 'notice__kind', text: `${label} : ` }), title),
    ...body,
  );
}

/** A button styled as a link-like secondary action or a primary action. */
export function button(text, onClick, { kind = 'primary', type = 'button', attrs = {} } = {}) {
  return h('button', { type, class: `btn btn--${kind}`, onClick, ...attrs }, text);
}

/**
 * A link target from election data: web addresses in the structure file often come without
 * a scheme (« www.exemple.cci.fr »), which a browser would take as a path on our server.
 */
export function externalUrl(url) {
  if (!url) return null;
  if (/^https?:\/\//i.test(url) || url.startsWith('/')) return url;
  return `https://${url}`;
}
