// Voter lists of a chamber: upload of the CELE's file with its report and control list
// consultation and printing, the reproducible spot check.
import { api, get } from '../api.js';
import { h, fill, field, notice, num } from '../dom.js';
import { reportView } from '../report.js';
import { chamberPicker } from '../chambers.js';

async function show(code, area, ctx) {
  if (!code) return;
  const canEdit = ['cele', 'national_admin'].includes(ctx.user.role);
  const result = h('div', { 'aria-live': 'polite' });
  const parts = [];
  if (canEdit) {
    const file = field('Fichier des électeurs (CSV, 37 colonnes)', { type: 'file', accept: '.csv,text/csv', required: true },
      'Le fichier remplace la liste de la CCI tant qu\'elle n\'est pas scellée.');
    const form = h('form', { class: 'card' }, file.wrap, h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Charger la liste')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = file.input.files[0];
      if (!f) return fill(result, notice('error', h('p', {}, 'Choisissez un fichier.')));
      try {
        const r = await api('POST', `/admin/api/chambers/${code}/voters?name=${encodeURIComponent(f.name)}`, f, { contentType: 'text/csv' });
        fill(result, notice('ok', h('p', {}, `Liste chargée : ${num(r.rights)} droits de vote. Empreinte SHA-256 ${r.sha256}.`)),
          reportView(r.report), ...(r.control || []).map((c) => h('pre', { class: 'report' }, c.text)));
        await list();
      } catch (e) {
        fill(result, notice('error', h('p', {}, e.message)), reportView(e.details && e.details.report));
      }
    });
    parts.push(h('h2', {}, 'Charger la liste électorale'), form, result);
  }
  const control = await get(`/admin/api/chambers/${code}/control-list`);
  parts.push(h('h2', {}, 'Liste de contrôle'),
    h('table', {}, h('caption', {}, `Droits de vote par scrutin — total ${num(control.total)}`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Scrutin'), h('th', { scope: 'col', class: 'num' }, 'Droits de vote'))),
      h('tbody', {}, ...control.by_scrutin.map((s) => h('tr', {}, h('th', { scope: 'row' }, s.scrutin), h('td', { class: 'num' }, num(s.rights)))))),
    h('p', {}, `Empreinte de la liste enregistrée : ${control.rights_digest}`));

  const seed = field('Graine du tirage', { required: true, maxlength: 200 }, 'Choisie par la CELE : le même mot redonne le même échantillon.');
  const spotOut = h('div', { 'aria-live': 'polite' });
  const spotForm = h('form', { class: 'card no-print' }, seed.wrap, h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Tirer l\'échantillon de contrôle')));
  spotForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const s = await get(`/admin/api/chambers/${code}/spot-check?seed=${encodeURIComponent(seed.input.value)}`);
      fill(spotOut, h('p', {}, `${num(s.sample_size)} droits tirés sur ${num(s.population)} :`), h('p', {}, s.voter_ids.join(', ')));
    } catch (e) {
      fill(spotOut, notice('error', h('p', {}, e.message)));
    }
  });
  parts.push(h('h2', {}, 'Contrôle par sondage'), spotForm, spotOut);

  const tableArea = h('div');
  parts.push(h('h2', {}, 'Liste électorale'),
    h('p', { class: 'no-print' }, h('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, 'Imprimer la liste')), tableArea);
  async function list() {
    const l = await get(`/admin/api/chambers/${code}/voter-list?limit=1000`);
    fill(tableArea,
      l.sealed ? notice('ok', h('p', {}, 'Liste scellée : elle ne peut plus changer.')) : null,
      h('table', {}, h('caption', {}, `Électeurs de la CCI ${code} (${num(l.total)})`),
        h('thead', {}, h('tr', {}, ...['Droit de vote', 'Scrutin', 'Nom', 'Prénom', 'Entreprise', 'Commune', 'Matériel'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...l.rows.map((r) => h('tr', {},
          h('td', {}, r.right), h('td', {}, r.scrutin), h('td', {}, r.usage_name), h('td', {}, r.first_name || ''),
          h('td', {}, r.company || ''), h('td', {}, `${r.postcode || ''} ${r.city || ''}`), h('td', {}, r.has_credentials ? 'généré' : 'à générer'))))));
  }
  fill(area, ...parts);
  await list();
}

export default {
  title: 'Listes électorales',
  roles: ['cele', 'coe_member', 'coe_president', 'national_admin', 'observer'],
  async render(main, ctx) {
    const area = h('div');
    const picker = await chamberPicker(ctx, (code) => show(code, area, ctx).catch((e) => fill(area, notice('error', h('p', {}, e.message)))));
    fill(main, h('h1', {}, 'Listes électorales'), picker.element, area);
    await show(picker.code, area, ctx);
  },
};
