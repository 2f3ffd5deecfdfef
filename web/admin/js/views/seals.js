// Seals (R-50 … ): seal each stage of a chamber, check every seal now (read
// only, it never disturbs the vote), the national check that every box is sealed, and the
// platform's final national seal.
import { get, post } from '../api.js';
import { h, fill, notice } from '../dom.js';
import { chamberPicker } from '../chambers.js';

const KINDS = {
  software: 'Logiciel de la plate-forme',
  voters: 'Liste électorale',
  candidates: 'Candidatures',
  credentials: 'Matériel de vote',
  'box-closed': 'Urne à la clôture',
  'emargement-closed': 'Liste d\'émargement à la clôture',
  results: 'Résultats',
  'custom:national': 'Scellement national',
};

function sealTable(list) {
  return h('table', {}, h('caption', {}, `Chaîne des scellements (${list.length})`),
    h('thead', {}, h('tr', {}, ...['N°', 'Objet', 'Portée', 'Date (heure de Paris)', 'Empreinte scellée'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...list.map((s) => h('tr', {},
      h('td', { class: 'num' }, String(s.seq ?? '')), h('td', {}, KINDS[s.kind] || s.kind), h('td', {}, s.scope),
      h('td', {}, s.time_paris || s.time), h('td', {}, h('code', {}, s.subject))))));
}

export default {
  title: 'Scellements',
  async render(main, ctx) {
    const canSeal = ['coe_president', 'coe_member', 'national_admin'].includes(ctx.user.role);
    const national = ctx.user.perimeter === 'NATIONAL';
    const status = h('div', { 'aria-live': 'polite' });
    const chain = h('div');
    const checkOut = h('div', { 'aria-live': 'polite' });
    const drawChain = async () => {
      const s = await get('/admin/api/seals');
      fill(chain, h('p', {}, 'Clé publique de scellement de la plate-forme : ', h('code', {}, s.platform_key)), sealTable(s.seals));
    };
    const parts = [h('h1', {}, 'Scellements'), status];

    const check = h('button', {
      type: 'button',
      onclick: async () => {
        fill(checkOut, h('p', {}, 'Vérification en cours…'));
        const r = await get('/admin/api/seals/check');
        fill(checkOut,
          r.all_ok ? notice('ok', h('p', {}, `Tous les scellements sont intacts (${r.checks.length} vérifiés).`))
            : notice('error', h('p', {}, 'ATTENTION : au moins un scellement ne correspond plus.')),
          h('table', {}, h('caption', {}, 'Résultat de la vérification'),
            h('thead', {}, h('tr', {}, ...['N°', 'Objet', 'Portée', 'Signature', 'Contenu', 'Constat'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, ...r.checks.map((c) => h('tr', {},
              h('td', { class: 'num' }, String(c.seq)), h('td', {}, KINDS[c.kind] || c.kind), h('td', {}, c.scope),
              h('td', {}, c.signature_ok ? 'valide' : 'INVALIDE'), h('td', {}, c.subject_ok ? 'intact' : 'MODIFIÉ'), h('td', {}, c.message))))));
      },
    }, 'Vérifier les scellements maintenant');
    parts.push(h('h2', {}, 'Vérification'), h('p', {}, 'La vérification relit les données et recalcule chaque empreinte. Elle ne perturbe pas le vote.'), check, checkOut);

    if (canSeal) {
      const area = h('div');
      const picker = await chamberPicker(ctx, (code) => drawActions(code));
      const drawActions = async (code) => {
        if (!code) return;
        const s = await get('/admin/api/scrutins');
        const boxes = s.scrutins.filter((x) => x.chamber === code);
        const act = (kind, scope, label) => h('button', {
          type: 'button',
          onclick: async () => {
            try {
              const r = await post('/admin/api/seals', { kind, scope });
              fill(status, notice('ok', h('p', {}, `${label} : scellé (empreinte ${r.subject}).`)));
              await drawChain();
            } catch (e) {
              fill(status, notice('error', h('p', {}, e.message)));
            }
          },
        }, label);
        fill(area,
          h('p', {}, act('voters', `chamber/${code}`, `Sceller la liste électorale de la CCI ${code}`)),
          h('p', {}, act('candidates', `chamber/${code}`, `Sceller les candidatures de la CCI ${code}`)),
          h('p', {}, act('credentials', `chamber/${code}`, `Sceller le matériel de vote de la CCI ${code}`)),
          ...boxes.filter((b) => b.state === 'closed').flatMap((b) => [
            h('p', {}, act('box-closed', `scrutin/${b.id}`, `Sceller l'urne ${b.id}`)),
            h('p', {}, act('emargement-closed', `scrutin/${b.id}`, `Sceller la liste d'émargement ${b.id}`)),
          ]));
      };
      parts.push(h('h2', {}, 'Sceller une étape'), picker.element, area);
      fill(main, ...parts);
      await drawActions(picker.code);
    }
    if (national) {
      const natOut = h('div');
      const drawNational = async () => {
        const n = await get('/admin/api/seals/national');
        fill(natOut,
          n.all_boxes_sealed && n.software_sealed ? notice('ok', h('p', {}, 'Toutes les urnes et le logiciel sont scellés.'))
            : notice('warn', h('p', {}, `${n.missing} urne(s) sans tous leurs scellements${n.software_sealed ? '' : ' ; logiciel non scellé'}.`)),
          h('table', {}, h('caption', {}, 'Urnes'),
            h('thead', {}, h('tr', {}, ...['Scrutin', 'Scellements', 'État'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, ...n.boxes.map((b) => h('tr', {}, h('td', {}, `${b.scrutin} — ${b.label}`),
              h('td', {}, b.seals.map((s) => `${KINDS[s.kind] || s.kind} : ${s.sealed ? 'oui' : 'non'}`).join(' ; ')),
              h('td', {}, b.sealed ? 'scellée' : 'incomplète'))))));
      };
      const actions = ctx.user.role === 'national_admin' ? h('p', {},
        h('button', { type: 'button', class: 'secondary', onclick: async () => { try { await post('/admin/api/seals', { kind: 'software', scope: 'national' }); fill(status, notice('ok', h('p', {}, 'Logiciel scellé.'))); await drawNational(); await drawChain(); } catch (e) { fill(status, notice('error', h('p', {}, e.message))); } } }, 'Sceller le logiciel de la plate-forme'),
        h('button', { type: 'button', onclick: async () => { try { await post('/admin/api/seals/national', {}); fill(status, notice('ok', h('p', {}, 'Scellement national fait.'))); await drawNational(); await drawChain(); } catch (e) { fill(status, notice('error', h('p', {}, e.message))); } } }, 'Faire le scellement national')) : null;
      parts.push(h('h2', {}, 'Contrôle national'), actions, natOut);
      fill(main, ...parts, h('h2', {}, 'Chaîne des scellements'), chain);
      await drawNational();
    } else {
      fill(main, ...parts, h('h2', {}, 'Chaîne des scellements'), chain);
    }
    await drawChain();
  },
};
