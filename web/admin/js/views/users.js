// Users of the interface: the authorised-users file with its report, creation
// one by one, role and perimeter, disabling, new activation links.
import { api, get, post } from '../api.js';
import { h, fill, field, notice } from '../dom.js';
import { reportView } from '../report.js';

const ROLES = [
  ['coe_president', 'Président de COE'], ['coe_member', 'Membre de COE'], ['cele', 'CELE'],
  ['observer', 'Observateur / expert'], ['cci_france', 'CCI France'], ['national_admin', 'Administrateur national'], ['operator', 'Opérateur'],
];

export default {
  title: 'Utilisateurs',
  roles: ['national_admin', 'cci_france'],
  async render(main, ctx) {
    const status = h('div', { 'aria-live': 'polite' });
    const listArea = h('div');
    const draw = async () => {
      const u = await get('/admin/api/users');
      fill(listArea, h('table', {}, h('caption', {}, `Comptes (${u.users.length})`),
        h('thead', {}, h('tr', {}, ...['Nom', 'Adresse', 'Profil', 'Périmètre', 'État', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...u.users.map((x) => h('tr', {},
          h('td', {}, `${x.first_name} ${x.last_name}`), h('td', {}, x.email), h('td', {}, x.role_label),
          h('td', {}, x.perimeter), h('td', {}, `${x.active ? 'actif' : 'à activer ou désactivé'}${x.needs_totp ? ', code à usage unique' : ''}${x.locked ? ', bloqué' : ''}`),
          h('td', {},
            h('button', { type: 'button', class: 'secondary', onclick: () => act(`/admin/api/users/${x.id}/reset`, `Nouveau lien pour ${x.email}`) }, `Nouveau lien (${x.email})`),
            h('button', { type: 'button', class: 'secondary', onclick: () => act(`/admin/api/users/${x.id}/${x.active ? 'disable' : 'enable'}`, `${x.email}`) }, `${x.active ? 'Désactiver' : 'Réactiver'} (${x.email})`)))))));
    };
    const act = async (path, label) => {
      try {
        const r = await post(path);
        fill(status, notice('ok', h('p', {}, `${label} : fait.`), r.activation_link ? h('p', {}, `Lien d'activation : ${r.activation_link}${r.emailed ? ' (envoyé par courriel)' : ''}`) : null));
        await draw();
      } catch (e) {
        fill(status, notice('error', h('p', {}, e.message)));
      }
    };
    const file = field('Fichier des personnes habilitées (CSV)', { type: 'file', accept: '.csv,text/csv' }, 'Colonnes : GROUPE, NOM, PRENOM, EMAIL, PERIMETRE.');
    const importOut = h('div', { 'aria-live': 'polite' });
    const importForm = h('form', { class: 'card' }, file.wrap, h('button', { type: 'submit' }, 'Importer le fichier'), importOut);
    importForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = file.input.files[0];
      if (!f) return;
      try {
        const r = await api('POST', '/admin/api/users/import', f, { contentType: 'text/csv' });
        fill(importOut, notice('ok', h('p', {}, `${r.created} compte(s) créé(s), ${r.updated} mis à jour.`)), reportView(r.report));
        await draw();
      } catch (e) {
        fill(importOut, notice('error', h('p', {}, e.message)), reportView(e.details && e.details.report));
      }
    });
    const email = field('Adresse électronique', { type: 'email', required: true });
    const last = field('Nom', { required: true });
    const first = field('Prénom', { required: true });
    const role = field('Profil', { tag: 'select', options: ROLES });
    const perimeter = field('Périmètre', { required: true }, '« NATIONAL » ou codes CCI séparés par des virgules (011,381).');
    const createForm = h('form', { class: 'card' }, email.wrap, last.wrap, first.wrap, role.wrap, perimeter.wrap, h('button', { type: 'submit' }, 'Créer le compte'));
    createForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const r = await post('/admin/api/users', { email: email.input.value, last_name: last.input.value, first_name: first.input.value, role: role.input.value, perimeter: perimeter.input.value });
        fill(status, notice('ok', h('p', {}, `Compte créé pour ${r.user.email}.`), h('p', {}, `Lien d'activation : ${r.activation_link}${r.emailed ? ' (envoyé par courriel)' : ''}`)));
        await draw();
      } catch (e) {
        fill(status, notice('error', h('p', {}, e.message)));
      }
    });
    fill(main, h('h1', {}, 'Utilisateurs'), status, h('h2', {}, 'Comptes'), listArea,
      h('h2', {}, 'Importer le fichier des personnes habilitées'), importForm, h('h2', {}, 'Créer un compte'), createForm);
    void ctx;
    await draw();
  },
};
