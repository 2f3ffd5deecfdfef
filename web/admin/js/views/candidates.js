// Candidates and groupings of a chamber (R-20 … R-23): per election (CCIR, CCIT), the
// entries in registration order — groupings with their ordered candidates, individual
// candidacies — entered, reordered, saved; statements (PDF) uploaded; printable; editable
// until the candidates seal. A scrutin-candidates/1 file can fill the lists at once.
import { api, get, put } from '../api.js';
import { h, fill, field, notice, num, uid } from '../dom.js';
import { chamberPicker } from '../chambers.js';

const CIVILITIES = [['M.', 'M.'], ['MME', 'Mme'], ['MR', 'MR'], ['MLLE', 'Mlle']];

function candidateLine(c) {
  const extra = [c.activity, c.locality].filter(Boolean).join(', ');
  let s = `${c.civility} ${c.first_name} ${String(c.last_name).toUpperCase()}${extra ? `, ${extra}` : ''}`;
  if (c.delegation) s += ` — délégation ${c.delegation}`;
  if (c.substitute) s += ` — suppléant : ${c.substitute.civility} ${c.substitute.first_name} ${String(c.substitute.last_name).toUpperCase()}`;
  return s;
}

function move(list, i, by) {
  const j = i + by;
  if (j < 0 || j >= list.length) return;
  [list[i], list[j]] = [list[j], list[i]];
}

function contestCard(contest, sealed, canEdit, code, refresh) {
  const entries = structuredClone(contest.entries);
  const isCcir = contest.kind === 'CCIR';
  const status = h('div', { 'aria-live': 'polite' });
  const listArea = h('div');
  const card = h('section', { class: 'card', 'aria-labelledby': `t-${contest.id.replace(/\W/g, '-')}` });

  const drawList = () => {
    if (entries.length === 0) return fill(listArea, h('p', {}, 'Aucune candidature.'));
    fill(listArea, h('ol', {}, ...entries.map((e, i) => {
      const controls = canEdit && !sealed ? h('span', { class: 'no-print' },
        h('button', { type: 'button', class: 'secondary', onclick: () => { move(entries, i, -1); drawList(); }, 'aria-label': `Monter l'entrée ${i + 1}` }, '↑'),
        h('button', { type: 'button', class: 'secondary', onclick: () => { move(entries, i, 1); drawList(); }, 'aria-label': `Descendre l'entrée ${i + 1}` }, '↓'),
        h('button', { type: 'button', class: 'secondary', onclick: () => { entries.splice(i, 1); drawList(); }, 'aria-label': `Retirer l'entrée ${i + 1}` }, 'Retirer')) : null;
      if (e.grouping) {
        const g = e.grouping;
        return h('li', { class: 'entry' },
          h('p', {}, h('strong', {}, `Groupement « ${g.name} »`), ` (${g.candidates.length} candidat${g.candidates.length > 1 ? 's' : ''}) `, controls),
          h('ol', {}, ...g.candidates.map((c, k) => h('li', {}, candidateLine(c), canEdit && !sealed ? h('span', { class: 'no-print' },
            h('button', { type: 'button', class: 'secondary', onclick: () => { move(g.candidates, k, -1); drawList(); }, 'aria-label': `Monter ${c.last_name}` }, '↑'),
            h('button', { type: 'button', class: 'secondary', onclick: () => { g.candidates.splice(k, 1); drawList(); }, 'aria-label': `Retirer ${c.last_name}` }, 'Retirer')) : null))));
      }
      return h('li', { class: 'entry' }, h('strong', {}, 'Candidature individuelle : '), candidateLine(e.candidate), ' ', controls);
    })));
  };

  card.append(h('h2', { id: `t-${contest.id.replace(/\W/g, '-')}` }, `${contest.id} — ${contest.title}`),
    h('p', {}, `Élection ${contest.kind}, ${contest.seats} siège${contest.seats > 1 ? 's' : ''}${contest.pooled ? ', commune aux sous-catégories' : ''}.`),
    listArea, status);
  drawList();

  if (contest.statements.length) {
    card.append(h('h3', {}, 'Professions de foi'), h('ul', {}, ...contest.statements.map((s) =>
      h('li', {}, h('a', { href: `/admin/api/statements/${s.id}` }, `${s.subject.replace(/^grouping:/, 'Groupement ').replace(/^candidate:/, 'Candidat ')} — ${s.file_name}`), ` (${num(s.size)} octets)`))));
  }

  if (canEdit && !sealed) {
    // Adding a grouping.
    const gName = field('Nom du groupement', { maxlength: 200 });
    const gForm = h('form', { class: 'inline-form no-print' }, gName.wrap, h('button', { type: 'submit' }, 'Ajouter le groupement'));
    gForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const name = gName.input.value.trim();
      if (!name) return;
      entries.push({ grouping: { name, candidates: [] } });
      gName.input.value = '';
      drawList();
      refreshTargets();
    });
    // Adding a candidate.
    const target = field('Ajouter à', { tag: 'select', options: [] });
    const refreshTargets = () => {
      fill(target.input, h('option', { value: '' }, 'Candidature individuelle'),
        ...entries.map((e, i) => (e.grouping ? h('option', { value: String(i) }, `Groupement « ${e.grouping.name} »`) : null)));
    };
    refreshTargets();
    const civ = field('Civilité', { tag: 'select', options: CIVILITIES });
    const last = field('Nom', { required: true, maxlength: 100, autocomplete: 'off' });
    const first = field('Prénom', { required: true, maxlength: 100, autocomplete: 'off' });
    const born = field('Date de naissance', { type: 'date', required: true }, 'À égalité de voix, le candidat le plus âgé est élu.');
    const activity = field('Activité', { maxlength: 100 });
    const locality = field('Commune', { maxlength: 100 });
    const delegation = field('Délégation (facultatif)', { maxlength: 100 });
    const subParts = [];
    let sub = null;
    if (isCcir) {
      sub = {
        civ: field('Civilité du suppléant', { tag: 'select', options: CIVILITIES }),
        last: field('Nom du suppléant', { required: true, maxlength: 100, autocomplete: 'off' }),
        first: field('Prénom du suppléant', { required: true, maxlength: 100, autocomplete: 'off' }),
      };
      subParts.push(h('fieldset', {}, h('legend', {}, 'Suppléant (obligatoire en élection CCIR)'), sub.civ.wrap, sub.last.wrap, sub.first.wrap));
    }
    const cForm = h('form', { class: 'no-print' },
      h('fieldset', {}, h('legend', {}, 'Nouveau candidat'), target.wrap, civ.wrap, last.wrap, first.wrap, born.wrap, activity.wrap, locality.wrap, delegation.wrap),
      ...subParts, h('button', { type: 'submit' }, 'Ajouter le candidat'));
    cForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!last.input.value.trim() || !first.input.value.trim() || !born.input.value) {
        fill(status, notice('error', h('p', {}, 'Nom, prénom et date de naissance sont obligatoires.')));
        return;
      }
      const c = {
        civility: civ.input.value, last_name: last.input.value.trim(), first_name: first.input.value.trim(), birth_date: born.input.value,
      };
      if (activity.input.value.trim()) c.activity = activity.input.value.trim();
      if (locality.input.value.trim()) c.locality = locality.input.value.trim();
      if (delegation.input.value.trim()) c.delegation = delegation.input.value.trim();
      if (sub) c.substitute = { civility: sub.civ.input.value, last_name: sub.last.input.value.trim(), first_name: sub.first.input.value.trim() };
      if (target.input.value === '') entries.push({ candidate: c });
      else entries[Number(target.input.value)].grouping.candidates.push(c);
      for (const f of [last, first, born, activity, locality, delegation]) f.input.value = '';
      if (sub) { sub.last.input.value = ''; sub.first.input.value = ''; }
      fill(status, notice('ok', h('p', {}, `${c.first_name} ${c.last_name} ajouté : enregistrez la liste.`)));
      drawList();
    });
    const save = h('button', {
      type: 'button',
      onclick: async () => {
        try {
          const r = await put(`/admin/api/candidates?contest=${encodeURIComponent(contest.id)}`, { entries });
          const blocking = r.issues.filter((i) => i.outcome === 'blocking');
          fill(status, blocking.length
            ? notice('warn', h('p', {}, 'Liste enregistrée comme brouillon, avec des erreurs à corriger avant le scellement :'), h('ul', {}, ...r.issues.map((i) => h('li', {}, `${i.location} : ${i.message}`))))
            : notice('ok', h('p', {}, 'Liste enregistrée.'), ...r.issues.map((i) => h('p', {}, `${i.location} : ${i.message}`))));
        } catch (e) {
          fill(status, notice('error', h('p', {}, e.message)));
        }
      },
    }, `Enregistrer la liste ${contest.id}`);
    // Statement upload.
    const subject = field('Profession de foi de', { tag: 'select', options: [] });
    fill(subject.input, ...entries.flatMap((e) => (e.grouping
      ? [h('option', { value: `grouping:${e.grouping.name}` }, `Groupement « ${e.grouping.name} »`)]
      : [h('option', { value: `candidate:${e.candidate.id || ''}` }, candidateLine(e.candidate))])));
    const pdfFile = field('Fichier PDF', { type: 'file', accept: 'application/pdf,.pdf' });
    const sForm = h('form', { class: 'inline-form no-print' }, subject.wrap, pdfFile.wrap, h('button', { type: 'submit' }, 'Déposer la profession de foi'));
    sForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = pdfFile.input.files[0];
      if (!f || !subject.input.value) return;
      try {
        await api('PUT', `/admin/api/statements?contest=${encodeURIComponent(contest.id)}&subject=${encodeURIComponent(subject.input.value)}&name=${encodeURIComponent(f.name)}`, f, { contentType: 'application/pdf' });
        await refresh(notice('ok', h('p', {}, 'Profession de foi déposée.')));
      } catch (e) {
        fill(status, notice('error', h('p', {}, e.message)));
      }
    });
    card.append(h('h3', { class: 'no-print' }, 'Ajouter'), gForm, cForm, h('div', { class: 'actions no-print' }, save),
      entries.length ? h('h3', { class: 'no-print' }, 'Déposer une profession de foi') : null, entries.length ? sForm : null);
  }
  return card;
}

async function show(code, area, ctx, flash = null) {
  if (!code) return;
  const data = await get(`/admin/api/chambers/${code}/candidates`);
  const canEdit = ['coe_member', 'coe_president', 'national_admin'].includes(ctx.user.role);
  const refresh = (message = null) => show(code, area, ctx, message);
  const parts = [flash];
  parts.push(data.sealed
    ? notice('ok', h('p', {}, 'Candidatures scellées : elles ne peuvent plus changer.'))
    : notice('warn', h('p', {}, 'Candidatures modifiables jusqu\'au scellement.')));
  if (data.issues.length) {
    parts.push(h('section', { class: 'card', 'aria-label': 'Points à vérifier' }, h('h2', {}, 'Points à vérifier'),
      h('ul', {}, ...data.issues.map((i) => h('li', {}, `${i.outcome === 'blocking' ? 'Bloquant' : 'Avertissement'} — ${i.contest || ''} ${i.location} : ${i.message}`)))));
  }
  if (canEdit && !data.sealed) {
    const file = field('Fichier de candidatures (format scrutin-candidates/1, JSON)', { type: 'file', accept: '.json,application/json' });
    const out = h('div', { 'aria-live': 'polite' });
    const form = h('form', { class: 'card no-print' }, file.wrap, h('button', { type: 'submit' }, 'Importer les candidatures'), out);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = file.input.files[0];
      if (!f) return;
      try {
        const parsed = JSON.parse(await f.text());
        const mine = (parsed.contests || []).filter((c) => data.contests.some((k) => k.id === c.contest));
        for (const c of mine) await put(`/admin/api/candidates?contest=${encodeURIComponent(c.contest)}`, { entries: c.entries });
        await refresh(notice('ok', h('p', {}, `${mine.length} liste(s) importée(s).`)));
      } catch (e) {
        fill(out, notice('error', h('p', {}, e.message)));
      }
    });
    parts.push(form);
  }
  parts.push(h('p', { class: 'no-print' }, h('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, 'Imprimer les listes de candidats')));
  for (const c of data.contests) parts.push(contestCard(c, data.sealed, canEdit, code, refresh));
  fill(area, ...parts);
}

export default {
  title: 'Candidatures',
  async render(main, ctx) {
    const area = h('div');
    const picker = await chamberPicker(ctx, (code) => show(code, area, ctx).catch((e) => fill(area, notice('error', h('p', {}, e.message)))));
    fill(main, h('h1', {}, 'Candidatures'), picker.element, area);
    await show(picker.code, area, ctx);
  },
};
void uid;
