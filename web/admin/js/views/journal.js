// The journal: every action, in order, and the verification of its hash chain and
// signed checkpoints.
import { get } from '../api.js';
import { h, fill, notice } from '../dom.js';

export default {
  title: 'Journal',
  roles: ['national_admin', 'coe_president', 'coe_member', 'observer', 'operator'],
  async render(main) {
    const out = h('div', { 'aria-live': 'polite' });
    const verify = h('button', {
      type: 'button',
      onclick: async () => {
        const v = await get('/admin/api/journal/verify');
        fill(out, notice(v.result.valid ? 'ok' : 'error', h('p', {}, v.result.message)));
      },
    }, 'Vérifier l\'intégrité du journal');
    const page = await get('/admin/api/journal?limit=200');
    fill(main, h('h1', {}, 'Journal'), h('p', {}, `${page.length} entrées. Les plus récentes :`), verify, out,
      h('table', {}, h('caption', {}, 'Entrées du journal'),
        h('thead', {}, h('tr', {}, ...['N°', 'Date (heure de Paris)', 'Action', 'Détails'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...page.entries.slice().reverse().map((e) => h('tr', {},
          h('td', { class: 'num' }, String(e.sequence)), h('td', {}, e.time_paris || e.time), h('td', {}, e.kind),
          h('td', {}, h('code', {}, JSON.stringify(e.details))))))));
  },
};
