// The election structure: upload (national managers) with its report, and the scrutins
// and elections (contests) it defines.
import { api, get } from '../api.js';
import { h, fill, field, notice, num } from '../dom.js';
import { reportView } from '../report.js';

export default {
  title: 'Structure électorale',
  async render(main, ctx) {
    const s = await get('/admin/api/structure');
    const canUpload = ['national_admin', 'cci_france'].includes(ctx.user.role);
    const result = h('div', { 'aria-live': 'polite' });
    const parts = [h('h1', {}, 'Structure électorale')];
    if (canUpload) {
      const file = field('Fichier de structure (CSV)', { type: 'file', accept: '.csv,text/csv', required: true },
        'Une ligne par scrutin : CCI, catégorie, sous-catégorie, sièges CCIR et CCIT…');
      const form = h('form', { class: 'card' }, file.wrap, h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Charger la structure')));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const f = file.input.files[0];
        if (!f) return fill(result, notice('error', h('p', {}, 'Choisissez un fichier.')));
        try {
          const r = await api('POST', `/admin/api/structure?name=${encodeURIComponent(f.name)}`, f, { contentType: 'text/csv' });
          await ctx.loadStructure(true);
          fill(result, notice('ok', h('p', {}, `Structure chargée : ${r.structure.scrutins.length} scrutins. Empreinte SHA-256 ${r.sha256}.`)), reportView(r.report));
        } catch (e) {
          fill(result, notice('error', h('p', {}, e.message)), reportView(e.details && e.details.report));
        }
      });
      parts.push(h('h2', {}, 'Charger le fichier'), form, result);
    }
    if (!s.loaded) parts.push(notice('warn', h('p', {}, 'Aucune structure électorale n\'est chargée.')));
    else {
      parts.push(h('h2', {}, 'Scrutins'), h('p', {}, `Fichier en vigueur : empreinte ${s.sha256}.`),
        h('table', {},
          h('caption', {}, `Scrutins (${num(s.structure.scrutins.length)})`),
          h('thead', {}, h('tr', {}, ...['Scrutin', 'CCI', 'Catégorie', 'Sous-catégorie', 'Sièges CCIR', 'Sièges CCIT'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, ...s.structure.scrutins.map((x) => h('tr', {},
            h('th', { scope: 'row' }, x.id), h('td', {}, `${x.chamber} — ${x.chamber_label}`), h('td', {}, x.category_label),
            h('td', {}, x.sub_category_label || '—'), h('td', { class: 'num' }, String(x.seats_ccir)), h('td', { class: 'num' }, String(x.seats_ccit)))))));
    }
    fill(main, ...parts);
  },
};
