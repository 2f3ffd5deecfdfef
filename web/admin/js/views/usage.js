// Usage indicators for CCI France: national aggregates that identify nobody.
import { get } from '../api.js';
import { h, fill, num } from '../dom.js';

/** The days of either series, oldest first, with both figures (0 where a day has none). */
function byDay(u) {
  const days = new Map();
  for (const d of u.logins_by_day) days.set(d.day, { day: d.day, logins: d.logins, votes: 0 });
  for (const d of u.votes_by_day) days.set(d.day, { ...(days.get(d.day) || { day: d.day, logins: 0 }), votes: d.votes });
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}

export default {
  title: 'Indicateurs',
  roles: ['cci_france', 'national_admin'],
  async render(main) {
    const u = await get('/admin/api/usage');
    fill(main, h('h1', {}, 'Indicateurs d\'usage'),
      h('p', {}, 'Chiffres nationaux anonymes : ils ne permettent d\'identifier personne.'),
      h('dl', { class: 'facts' },
        h('dt', {}, 'CCI'), h('dd', {}, num(u.chambers)),
        h('dt', {}, 'Inscrits'), h('dd', {}, num(u.registered)),
        h('dt', {}, 'Votes confirmés'), h('dd', {}, num(u.voters)),
        h('dt', {}, 'Participation'), h('dd', {}, `${num(u.turnout)} %`),
        h('dt', {}, 'Connexions d\'électeurs'), h('dd', {}, num(u.logins)),
        h('dt', {}, 'Votes confirmés pour 100 connexions'), h('dd', {}, num(u.confirmed_vote_rate)),
        h('dt', {}, 'Demandes de renvoi'), h('dd', {}, `${num(u.resend_requests.pending)} en attente, ${num(u.resend_requests.approved)} acceptées, ${num(u.resend_requests.refused)} refusées`)),
      h('table', {}, h('caption', {}, 'Connexions et votes confirmés par jour'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Jour'), h('th', { scope: 'col', class: 'num' }, 'Connexions'), h('th', { scope: 'col', class: 'num' }, 'Votes'))),
        h('tbody', {}, ...byDay(u).map((d) => h('tr', {}, h('td', {}, d.day), h('td', { class: 'num' }, num(d.logins)), h('td', { class: 'num' }, num(d.votes)))))));
  },
};
