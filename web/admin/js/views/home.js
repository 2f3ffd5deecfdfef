// Home: who is logged in, the notifications of the user's chambers (operator accesses,
// R-54) and the rubrics.
import { get, post } from '../api.js';
import { h, fill, notice } from '../dom.js';

export default {
  title: 'Accueil',
  async render(main, ctx) {
    const n = await get('/admin/api/notifications');
    const list = h('section', { 'aria-labelledby': 'notif-title' },
      h('h2', { id: 'notif-title' }, `Notifications (${n.unread} non lue${n.unread > 1 ? 's' : ''})`));
    if (n.notifications.length === 0) list.append(h('p', {}, 'Aucune notification.'));
    else {
      list.append(h('ul', {}, ...n.notifications.map((item) => h('li', {},
        h('p', {}, h('strong', {}, item.read ? 'Lue' : 'Nouvelle'), ` — ${item.created_at_paris} — CCI ${item.chamber} — ${item.message}`),
        item.read ? null : h('button', {
          type: 'button', class: 'secondary',
          onclick: async () => { await post(`/admin/api/notifications/${item.id}/read`); ctx.go('#/'); },
        }, 'Marquer comme lue')))));
    }
    fill(main,
      h('h1', {}, 'Accueil'),
      h('p', {}, `Bonjour ${ctx.user.first_name}. Vous êtes connecté comme ${ctx.user.role_label}.`),
      n.unread > 0 ? notice('warn', h('p', {}, 'Un opérateur a accédé à la plate-forme : voyez les notifications ci-dessous.')) : null,
      list);
  },
};
