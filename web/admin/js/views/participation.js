// Participation: voters so far, turnout and voters by day, per scrutin — for
// the commissions and authorised users only. No result exists before the tally.
import { get } from '../api.js';
import { h, fill, num, notice } from '../dom.js';

// The émargement list of a scrutin: who voted, when; never what.
async function emargement(id, area) {
  try {
    const e = await get(`/admin/api/scrutins/${encodeURIComponent(id)}/emargement`);
    fill(area, h('h2', {}, `Liste d'émargement ${id} (${num(e.count)})`),
      h('p', { class: 'no-print' }, h('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, 'Imprimer la liste d\'émargement')),
      h('table', {}, h('caption', {}, `Émargements du scrutin ${id}`),
        h('thead', {}, h('tr', {}, ...['Droit de vote', 'Nom', 'Prénom', 'Entreprise', 'Date et heure (Paris)'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...e.rows.map((r) => h('tr', {}, h('td', {}, r.right), h('td', {}, r.usage_name || ''), h('td', {}, r.first_name || ''), h('td', {}, r.company || ''), h('td', {}, r.at_paris))))));
  } catch (err) {
    fill(area, notice('error', h('p', {}, err.message)));
  }
}

export default {
  title: 'Participation',
  roles: ['coe_president', 'coe_member', 'national_admin', 'observer'],
  async render(main) {
    const p = await get('/admin/api/participation');
    const area = h('div');
    fill(main, h('h1', {}, 'Participation'),
      h('p', {}, `Au ${p.at_paris}. Seul le nombre de votants est connu pendant le vote : aucun résultat partiel n'existe.`),
      h('table', {}, h('caption', {}, 'Participation par scrutin'),
        h('thead', {}, h('tr', {}, ...['Scrutin', 'Inscrits', 'Votants', 'Participation', 'Votants par jour', 'Liste d\'émargement'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...p.scrutins.map((s) => h('tr', {},
          h('th', { scope: 'row' }, `${s.scrutin} — ${s.label}`), h('td', { class: 'num' }, num(s.registered)), h('td', { class: 'num' }, num(s.voters)),
          h('td', { class: 'num' }, `${num(s.turnout)} %`), h('td', {}, s.by_day.map((d) => `${d.day} : ${num(d.voters)}`).join(' ; ') || '—'),
          h('td', {}, h('button', { type: 'button', class: 'secondary', onclick: () => emargement(s.scrutin, area) }, `Émargement ${s.scrutin}`)))))),
      area);
  },
};
