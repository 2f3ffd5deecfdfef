// The control interface: one page, one view per rubric (hash routes), shown according to
// the user's role. The key ceremony and the tally have their own pages (ceremony.html,
// tally.html). Each view module exports { title, roles, render(main, ctx) }.
import { api, get, setCsrf, ApiError } from './api.js';
import { h, fill, announce } from './dom.js';
import login from './views/login.js';
import activation from './views/activation.js';
import home from './views/home.js';
import structure from './views/structure.js';
import voters from './views/voters.js';
import candidates from './views/candidates.js';
import seals from './views/seals.js';
import material from './views/material.js';
import scrutins from './views/scrutins.js';
import participation from './views/participation.js';
import journal from './views/journal.js';
import users from './views/users.js';
import usage from './views/usage.js';

const VIEWS = {
  '': home,
  structure,
  electeurs: voters,
  candidats: candidates,
  scellements: seals,
  materiel: material,
  scrutins,
  participation,
  journal,
  utilisateurs: users,
  indicateurs: usage,
};

// Pages of their own (key ceremony, tally), shown to the roles that use them.
const PAGES = [
  { href: '/admin/ceremony.html', title: 'Cérémonie des clés', roles: ['coe_president', 'coe_member'] },
  { href: '/admin/tally.html', title: 'Dépouillement', roles: ['coe_president', 'coe_member', 'national_admin', 'cci_france', 'observer'] },
];

const ctx = { user: null, structure: null };

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query] = hash.split('?');
  return { path, params: new URLSearchParams(query || '') };
}

ctx.go = (hash) => {
  if (location.hash === hash) render();
  else location.hash = hash;
};

/** The structure (chambers within the perimeter), loaded once per session. */
ctx.loadStructure = async (force = false) => {
  if (!ctx.structure || force) {
    const s = await get('/admin/api/structure');
    ctx.structure = s.loaded ? s.structure : null;
  }
  return ctx.structure;
};

function renderWho() {
  const who = document.getElementById('who');
  if (!ctx.user) {
    fill(who);
    return;
  }
  const u = ctx.user;
  fill(who,
    `${u.first_name} ${u.last_name} — ${u.role_label} — périmètre ${u.perimeter === 'NATIONAL' ? 'national' : u.perimeter}`,
    h('button', { type: 'button', class: 'secondary', onclick: logout }, 'Se déconnecter'));
}

function renderNav(current) {
  const nav = document.getElementById('nav');
  if (!ctx.user) {
    nav.hidden = true;
    fill(nav);
    return;
  }
  const items = Object.entries(VIEWS)
    .filter(([, v]) => !v.roles || v.roles.includes(ctx.user.role))
    .map(([path, v]) => h('li', {}, h('a', { href: `#/${path}`, 'aria-current': path === current ? 'page' : null }, v.title)));
  for (const p of PAGES.filter((p) => p.roles.includes(ctx.user.role))) {
    items.push(h('li', {}, h('a', { href: p.href }, p.title)));
  }
  fill(nav, h('ul', {}, ...items));
  nav.hidden = false;
}

async function logout() {
  try {
    await api('DELETE', '/admin/api/session');
  } catch (e) {
    // Already ended: nothing more to do.
  }
  ctx.user = null;
  ctx.structure = null;
  setCsrf(null);
  ctx.go('#/connexion');
}

ctx.loggedIn = (session) => {
  ctx.user = session.user;
  setCsrf(session.csrf);
  ctx.go('#/');
};

async function render() {
  const main = document.getElementById('main');
  const { path, params } = route();
  let view;
  if (path === 'activation') view = activation;
  else if (!ctx.user || path === 'connexion') view = ctx.user ? home : login;
  else view = VIEWS[path] || home;
  if (view.roles && !view.roles.includes(ctx.user.role)) view = home;
  renderWho();
  renderNav(Object.keys(VIEWS).find((k) => VIEWS[k] === view));
  document.title = `${view.title} — Interface de contrôle — Élections CCI`;
  fill(main, h('h1', {}, view.title), h('p', {}, 'Chargement…'));
  try {
    await view.render(main, { ...ctx, params });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && view !== login && view !== activation) {
      ctx.user = null;
      return ctx.go('#/connexion');
    }
    main.append(h('div', { class: 'notice error', role: 'alert' }, h('p', {}, e.message)));
  }
  main.focus();
  announce(view.title);
}

async function start() {
  try {
    const s = await get('/admin/api/session');
    ctx.user = s.user;
    setCsrf(s.csrf);
  } catch (e) {
    ctx.user = null;
  }
  window.addEventListener('hashchange', render);
  await render();
}

start();
