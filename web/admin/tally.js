// The tally page: every contest of the perimeter and where its tally stands, one contest's
// aggregates, shares and results, the PV, the exports and the close of tallying.
import { session, get, post, postDownload, el, announce, frenchNumber } from '/admin/tally-api.js';

const STATES = { not_started: 'non commencé', started: 'en cours', decrypted: 'dépouillé' };
let me = null;
let current = null;

function path(contest) {
  return `/admin/api/contests/${contest}`;
}

async function list() {
  const { contests } = await get('/admin/api/tally');
  const body = document.getElementById('contests');
  body.replaceChildren(...contests.map((c) => {
    let state = STATES[c.status] || c.status;
    if (c.status === 'started') state += ` (${c.shares} part(s) reçue(s))`;
    if (c.frozen) state += ' — clos';
    const open = el('button', { type: 'button', class: 'secondary' }, 'Voir');
    open.addEventListener('click', () => detail(c.contest).catch((e) => announce(e.message, 'error')));
    const cell = el('td', { class: 'actions' }, open);
    if (c.status === 'not_started' && c.blockers.length === 0 && ['coe_president', 'coe_member'].includes(me.user.role)) {
      const start = el('button', { type: 'button' }, 'Démarrer');
      start.setAttribute('aria-label', `Démarrer le dépouillement de ${c.contest}`);
      start.addEventListener('click', async () => {
        try {
          await post(`${path(c.contest)}/tally`, {});
          announce(`Dépouillement de ${c.contest} démarré : les détenteurs peuvent envoyer leur part.`, 'ok');
          await list();
          await detail(c.contest);
        } catch (e) {
          announce(e.message, 'error');
        }
      });
      cell.append(start);
    }
    open.setAttribute('aria-label', `Voir l'élection ${c.contest}`);
    return el('tr', {}, el('th', { scope: 'row' }, c.contest), el('td', {}, c.ballot_title), el('td', {}, state), cell);
  }));
}

function figure(label, value) {
  return el('tr', {}, el('th', { scope: 'row' }, label), el('td', { class: 'num' }, value));
}

async function detail(contest) {
  const t = await get(`${path(contest)}/tally`);
  current = contest;
  const section = document.getElementById('detail');
  section.hidden = false;
  document.getElementById('d-contest').textContent = contest;
  document.getElementById('d-title').textContent = t.ballot_title;
  document.getElementById('d-state').textContent = (STATES[t.status] || t.status) + (t.frozen ? ' — dépouillement clos' : '');
  document.getElementById('d-ballots').textContent = t.ballots === undefined ? '—' : frenchNumber(t.ballots);
  document.getElementById('d-shares').textContent = `${t.shares_from.length} (${t.threshold ?? '?'} nécessaires)`;
  const blockers = document.getElementById('d-blockers');
  blockers.hidden = t.blockers.length === 0 || t.status !== 'not_started';
  document.getElementById('d-blockers-list').replaceChildren(...t.blockers.map((b) => el('li', {}, b)));
  const trustee = document.getElementById('d-trustee');
  trustee.hidden = !(t.you && t.status === 'started' && !t.shares_from.includes(t.you));
  if (t.you) {
    document.getElementById('d-you').textContent = t.you;
    document.getElementById('d-command').textContent =
      `scrutin trustee decrypt --server ${location.origin} --email ${me.user.email} --share-file coe-${t.chamber}-trustee-${t.you}.json --contest ${contest}`;
  }
  const results = document.getElementById('d-results');
  results.hidden = t.status !== 'decrypted';
  if (t.results) {
    const r = t.results.results;
    document.getElementById('d-figures').replaceChildren(
      figure('Inscrits', frenchNumber(r.registered)),
      figure('Votants (émargements)', frenchNumber(r.voters)),
      figure('Bulletins dans l\u2019urne', frenchNumber(r.ballots)),
      figure('Bulletins = émargements', r.ballots_match_emargements ? 'conforme' : 'ÉCART'),
      figure('Blancs', frenchNumber(r.blank)),
      figure('Nuls', frenchNumber(r.null)),
      figure('Suffrages exprimés', frenchNumber(r.expressed)),
      figure('Participation', `${r.turnout_percent.toFixed(2).replace('.', ',')} %`),
    );
    const pv = t.pv;
    document.getElementById('d-candidates').replaceChildren(...(pv ? pv.candidates : []).map((c) => el('tr', { class: c.elected ? 'elected' : '' },
      el('td', { class: 'num' }, c.position),
      el('td', {}, `${c.civility} ${c.first_name} ${c.last_name.toUpperCase()}${c.grouping ? ` (${c.grouping})` : ''}`),
      el('td', { class: 'num' }, frenchNumber(c.votes)),
      el('td', { class: 'num' }, c.rank),
      el('td', {}, c.decision))));
    document.getElementById('d-pv-pdf').href = `${path(contest)}/pv.pdf`;
    document.getElementById('d-pv-csv').href = `${path(contest)}/pv.csv`;
  }
  section.focus();
}

async function main() {
  me = await session();
  if (!me) {
    announce('Vous n\u2019êtes pas connecté : connectez-vous d\u2019abord.', 'error');
    return;
  }
  try {
    await list();
  } catch (e) {
    announce(e.message, 'error');
  }
  document.getElementById('d-verify').addEventListener('click', async () => {
    try {
      const v = await get(`${path(current)}/tally/verify`);
      announce(v.all_ok ? 'Recomptage depuis l\u2019urne : identique aux résultats.' : 'Recomptage : DIFFÉRENCE avec les résultats enregistrés.', v.all_ok ? 'ok' : 'error');
    } catch (e) {
      announce(e.message, 'error');
    }
  });
  document.getElementById('close').addEventListener('submit', async (e) => {
    e.preventDefault();
    const id = document.getElementById('close-scrutin').value.trim();
    try {
      await post(`/admin/api/scrutins/${encodeURIComponent(id)}/tally/close`, {});
      announce(`Dépouillement du scrutin ${id} clos et scellé.`, 'ok');
      await list();
    } catch (err) {
      announce(err.message, 'error');
    }
  });
  document.getElementById('export').addEventListener('submit', async (e) => {
    e.preventDefault();
    const id = document.getElementById('export-scrutin').value.trim();
    const passphrase = document.getElementById('export-passphrase');
    try {
      const name = await postDownload(`/admin/api/scrutins/${encodeURIComponent(id)}/emargements/export`, { passphrase: passphrase.value }, `emargement-${id}.chiffre.json`);
      passphrase.value = '';
      announce(`Liste d'émargement chiffrée enregistrée : ${name}.`, 'ok');
    } catch (err) {
      announce(err.message, 'error');
    }
  });
}

main();
