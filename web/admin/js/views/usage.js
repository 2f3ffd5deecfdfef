// Usage indicators for CCI France: national aggregates that identify nobody.
import { get } from '../api.js';
import { h, fill, num } from '../dom.js';

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
        h('dt', {}, 'Demandes de renvoi'), h('dd', {}, `${num(u.resend_requests.pending)} en attente, ${num(u.resend_requests.approved)} acceptées, ${num(u.resend_requests.refused)} refusées`)),
      h('table', {}, h('caption', {}, 'Votes confirmés par jour'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Jour'), h('th', { scope: 'col', class: 'num' }, 'Votes'))),
        h('tbody', {}, ...u.votes_by_day.map((d) => h('tr', {}, h('td', {}, d.day), h('td', { class: 'num' }, num(d.votes)))))));
  },
};
