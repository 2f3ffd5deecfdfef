// The key ceremony page: where a COE's ceremony stands, the command each key holder runs,
// and the president's form that names the holders.
import { session, get, post, el, announce, ApiError } from '/admin/tally-api.js';

const STEPS = {
  none: 'pas encore lancée',
  announcements: 'les détenteurs annoncent leur clé de transport (étape 1)',
  dealings: 'les détenteurs distribuent leurs parts (étape 2)',
  checks: 'les détenteurs vérifient les parts reçues (étape 3)',
  completing: 'toutes les vérifications sont faites : publication de la clé en cours',
  complete: 'terminée : la clé de l\u2019élection est publiée',
  failed: 'échec : le président doit relancer la cérémonie',
};

let me = null;

function mark(ok) {
  return el('td', { class: ok ? 'yes' : 'no' }, ok ? 'fait' : 'en attente');
}

async function show(chamber) {
  const c = await get(`/admin/api/chambers/${encodeURIComponent(chamber)}/ceremony`);
  document.getElementById('ceremony').hidden = false;
  document.getElementById('c-chamber').textContent = chamber;
  document.getElementById('c-state').textContent = c.status === 'complete' ? 'terminée' : (c.status === 'none' ? 'non lancée' : 'en cours');
  document.getElementById('c-step').textContent = STEPS[c.step] || c.step;
  document.getElementById('c-threshold').textContent = c.parameters ? `${c.parameters.threshold} sur ${c.parameters.trustees}` : '—';
  document.getElementById('c-key-id').textContent = c.key_id || '—';
  document.getElementById('c-public-key').textContent = c.public_key || '—';
  document.getElementById('c-digest').textContent = c.transcript_digest || '—';
  const body = document.getElementById('c-trustees');
  body.replaceChildren(...(c.trustees || []).map((t) => el('tr', {},
    el('td', { class: 'num' }, t.trustee),
    el('td', {}, `${t.name || ''} (${t.email || t.user_id})`),
    mark(t.announced), mark(t.dealt), mark(t.checked), mark(t.confirmed))));
  const you = document.getElementById('c-you');
  you.hidden = !c.you || c.status === 'complete' && c.confirmations >= (c.parameters?.trustees ?? 0);
  if (c.you) {
    document.getElementById('c-you-index').textContent = c.you;
    document.getElementById('c-command').textContent =
      `scrutin trustee ceremony --server ${location.origin} --email ${me.user.email} --chamber ${chamber} --wait`;
  }
  const start = document.getElementById('start');
  start.hidden = !(me.user.role === 'coe_president' && c.status !== 'complete');
  if (c.failure) announce(`La cérémonie a échoué : ${c.failure}`, 'error');
}

async function main() {
  me = await session();
  if (!me) {
    announce('Vous n\u2019êtes pas connecté : connectez-vous d\u2019abord.', 'error');
    return;
  }
  const input = document.getElementById('chamber');
  const params = new URLSearchParams(location.search);
  const own = (me.user.perimeter || '').split(',');
  input.value = params.get('chamber') || (own.length === 1 && own[0] !== 'NATIONAL' ? own[0] : '');
  document.getElementById('choose').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await show(input.value.trim());
      announce('Cérémonie affichée.');
    } catch (err) {
      announce(err instanceof ApiError ? err.message : String(err), 'error');
    }
  });
  document.getElementById('refresh').addEventListener('click', async () => {
    try {
      await show(input.value.trim());
      announce('Informations actualisées.');
    } catch (err) {
      announce(err.message, 'error');
    }
  });
  document.getElementById('start').addEventListener('submit', async (e) => {
    e.preventDefault();
    const trustees = document.getElementById('trustees').value.split(/\s+/).filter(Boolean);
    const threshold = Number(document.getElementById('threshold').value);
    try {
      await post(`/admin/api/chambers/${encodeURIComponent(input.value.trim())}/ceremony`, { trustees, threshold });
      await show(input.value.trim());
      announce('Cérémonie lancée : chaque détenteur lance maintenant la commande indiquée.', 'ok');
    } catch (err) {
      announce(err.message, 'error');
    }
  });
  if (input.value) await show(input.value).catch((err) => announce(err.message, 'error'));
}

main();
