// Conduct of the vote (R-49): open, suspend with a message for voters, resume, close —
// one scrutin, several or all of the perimeter.
import { get, post } from '../api.js';
import { h, fill, field, notice } from '../dom.js';

export default {
  title: 'Conduite du vote',
  async render(main, ctx) {
    const canAct = ['coe_president', 'national_admin'].includes(ctx.user.role);
    const status = h('div', { 'aria-live': 'polite' });
    const tableArea = h('div');
    const boxes = [];
    const draw = async () => {
      const s = await get('/admin/api/scrutins');
      boxes.length = 0;
      fill(tableArea,
        h('p', {}, `Heure de Paris : ${s.now_paris}.`),
        s.scrutins.length === 0 ? notice('warn', h('p', {}, 'Aucune urne n\'est encore créée.')) : h('table', {},
          h('caption', {}, 'Scrutins'),
          h('thead', {}, h('tr', {}, ...[canAct ? 'Choisir' : null, 'Scrutin', 'État', 'Ouverture', 'Clôture', 'Message aux électeurs'].filter(Boolean).map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, ...s.scrutins.map((x) => {
            const box = h('input', { type: 'checkbox', value: x.id, id: `pick-${x.id}`, 'aria-label': `Choisir ${x.id}` });
            boxes.push(box);
            return h('tr', {}, canAct ? h('td', {}, box) : null,
              h('th', { scope: 'row' }, h('label', { for: `pick-${x.id}` }, `${x.id} — ${x.label}`)),
              h('td', {}, x.state_label), h('td', {}, x.opens_at_paris), h('td', {}, x.closes_at_paris), h('td', {}, x.message || '—'));
          }))));
    };
    const parts = [h('h1', {}, 'Conduite du vote'), status, tableArea];
    if (canAct) {
      const all = field('Tous les scrutins de mon périmètre', { type: 'checkbox' });
      const message = field('Message aux électeurs (obligatoire pour suspendre)', { tag: 'textarea', rows: 2, maxlength: 500 });
      const act = (action, label, cls) => h('button', {
        type: 'button', class: cls,
        onclick: async () => {
          const ids = all.input.checked ? ['*'] : boxes.filter((b) => b.checked).map((b) => b.value);
          if (ids.length === 0) return fill(status, notice('error', h('p', {}, 'Choisissez au moins un scrutin.')));
          try {
            const r = await post('/admin/api/scrutins/state', { scrutins: ids, action, message: message.input.value });
            fill(status, notice('ok', h('p', {}, `${label} : ${r.scrutins.map((x) => `${x.id} (${x.state_label})`).join(', ')}.`)));
            await draw();
          } catch (e) {
            fill(status, notice('error', h('p', {}, e.message)));
          }
        },
      }, label);
      parts.push(h('form', { class: 'card', onsubmit: (e) => e.preventDefault() }, all.wrap, message.wrap,
        h('div', { class: 'actions' }, act('open', 'Ouvrir'), act('suspend', 'Suspendre', 'secondary'), act('resume', 'Reprendre', 'secondary'), act('close', 'Clore', 'danger'))));
    }
    fill(main, ...parts);
    await draw();
  },
};
