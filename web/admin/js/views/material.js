// Ballot boxes and voting material of a chamber (R-30 … R-32): creating the boxes under the
// COE's election key, generating the credentials, printing the letters (PDF), the test run
// of the email addresses, sending, the logo, and the resend requests.
import { api, get, post } from '../api.js';
import { h, fill, field, notice, num, download } from '../dom.js';
import { chamberPicker } from '../chambers.js';

async function show(code, area, ctx, flash = null) {
  if (!code) return;
  const producer = ['coe_president', 'national_admin'].includes(ctx.user.role);
  const decider = ['coe_president', 'coe_member'].includes(ctx.user.role);
  const m = await get(`/admin/api/chambers/${code}/material`);
  const status = h('div', { 'aria-live': 'polite' }, flash);
  const ok = (text) => fill(status, notice('ok', h('p', {}, text)));
  // After a change that redraws the section, the message is shown in the new section only,
  // so nobody types into a form that is about to be replaced.
  const done = (text) => show(code, area, ctx, notice('ok', h('p', {}, text)));
  const err = (e) => fill(status, notice('error', h('p', {}, e.message)));
  const parts = [status, h('dl', { class: 'facts' },
    h('dt', {}, 'Droits de vote'), h('dd', {}, num(m.rights)),
    h('dt', {}, 'Matériel généré'), h('dd', {}, num(m.with_credentials)),
    h('dt', {}, 'Urnes créées'), h('dd', {}, m.scrutins.length ? m.scrutins.join(', ') : 'aucune'),
    h('dt', {}, 'Liste électorale scellée'), h('dd', {}, m.voters_sealed ? 'oui' : 'non'),
    h('dt', {}, 'Matériel scellé'), h('dd', {}, m.credentials_sealed ? 'oui' : 'non'),
    h('dt', {}, 'Envoi de test'), h('dd', {}, m.email_test_at || 'pas encore'),
    h('dt', {}, 'Messagerie'), h('dd', {}, m.mail_enabled ? 'configurée' : 'non configurée'))];

  if (producer) {
    // Ballot boxes.
    const opens = field('Ouverture du vote (heure de Paris)', { type: 'datetime-local', required: true });
    const closes = field('Dernier jour du vote (clôture à minuit, heure de Paris)', { type: 'date', required: true });
    const boxForm = h('form', { class: 'card' }, opens.wrap, closes.wrap, h('button', { type: 'submit' }, 'Créer les urnes de la CCI'));
    boxForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const r = await post(`/admin/api/chambers/${code}/ballot-boxes`, { opens_at: opens.input.value, closes_on: closes.input.value });
        await done(`Urnes créées : ${r.scrutins.join(', ')}. Ouverture ${r.opens_at_paris}, clôture ${r.closes_at_paris}.`);
      } catch (e) { err(e); }
    });
    if (!m.scrutins.length) parts.push(h('h2', {}, 'Créer les urnes'), h('p', {}, 'Il faut les candidatures scellées et la clé de l\'élection de la COE (cérémonie des clés).'), boxForm);

    // Credentials.
    const pass = field('Phrase de passe du fichier des courriers', { type: 'password', autocomplete: 'new-password', minlength: 12, required: true },
      'Au moins 12 caractères. Elle protège les codes secrets : la plate-forme ne la garde pas. Il faudra la retaper pour imprimer ou envoyer.');
    const genForm = h('form', { class: 'card' }, pass.wrap, h('button', { type: 'submit' }, 'Générer le matériel de vote'));
    genForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const r = await post(`/admin/api/chambers/${code}/credentials`, { passphrase: pass.input.value });
        await done(`Matériel généré : ${num(r.letters)} courriers.`);
      } catch (e) { err(e); }
    });
    if (m.with_credentials < m.rights) parts.push(h('h2', {}, 'Générer le matériel de vote'), genForm);

    // Letters and emails.
    const pass2 = field('Phrase de passe du fichier des courriers', { type: 'password', autocomplete: 'off' });
    const print = h('button', {
      type: 'button',
      onclick: async () => {
        try {
          const r = await api('POST', `/admin/api/chambers/${code}/letters`, { passphrase: pass2.input.value }, { raw: true });
          download(await r.arrayBuffer(), `courriers-${code}.pdf`, 'application/pdf');
          ok('Courriers prêts (PDF).');
        } catch (e) { err(e); }
      },
    }, 'Télécharger les courriers (PDF)');
    const test = h('button', {
      type: 'button', class: 'secondary',
      onclick: async () => {
        try {
          const r = await post(`/admin/api/chambers/${code}/emails/test`, {});
          ok(`Envoi de test : ${num(r.sent)} adresses acceptées, ${num(r.refused.length)} refusées, ${num(r.without_address)} électeurs sans adresse.`);
        } catch (e) { err(e); }
      },
    }, 'Faire l\'envoi de test des adresses');
    const send = h('button', {
      type: 'button',
      onclick: async () => {
        try {
          const r = await post(`/admin/api/chambers/${code}/emails/send`, { passphrase: pass2.input.value });
          ok(`Courriels envoyés : ${num(r.sent)} ; échecs : ${num(r.failed)} ; par courrier seulement : ${num(r.postal_only)}.`);
        } catch (e) { err(e); }
      },
    }, 'Envoyer le matériel par courriel');
    if (m.letters_file) parts.push(h('h2', {}, 'Courriers et courriels'), h('form', { class: 'card', onsubmit: (e) => e.preventDefault() }, pass2.wrap, h('div', { class: 'actions' }, print, test, send)));

    const logo = field('Logo de la CCI (image JPEG)', { type: 'file', accept: 'image/jpeg,.jpg,.jpeg' });
    const logoForm = h('form', { class: 'card' }, logo.wrap, h('button', { type: 'submit', class: 'secondary' }, 'Déposer le logo'));
    logoForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = logo.input.files[0];
      if (!f) return;
      try {
        await api('PUT', `/admin/api/chambers/${code}/logo`, f, { contentType: 'image/jpeg' });
        ok('Logo enregistré.');
      } catch (e) { err(e); }
    });
    parts.push(h('h2', {}, 'Logo des courriers'), logoForm);
  }

  if (decider) {
    const r = await get(`/admin/api/chambers/${code}/resend-requests`);
    parts.push(h('h2', {}, `Demandes de renvoi (${r.requests.length})`));
    if (r.requests.length === 0) parts.push(h('p', {}, 'Aucune demande.'));
    for (const q of r.requests) {
      const f = q.fields || {};
      const right = field('Droit de vote du demandeur (13 chiffres)', { inputmode: 'numeric', maxlength: 13 });
      const reason = field('Motif (obligatoire pour refuser)', { maxlength: 300 });
      const decide = (approve) => h('button', {
        type: 'button', class: approve ? null : 'danger',
        onclick: async () => {
          try {
            const d = await post(`/admin/api/resend-requests/${q.id}/decision`, { approve, right: right.input.value || null, reason: reason.input.value });
            if (approve && d.delivery.letter_pdf_base64) {
              const bytes = Uint8Array.from(atob(d.delivery.letter_pdf_base64), (c) => c.charCodeAt(0));
              download(bytes, `renvoi-${q.id}.pdf`, 'application/pdf');
            }
            await done(approve ? `Nouveau matériel émis${d.delivery.emailed ? ' et envoyé par courriel' : ''}.` : 'Demande refusée.');
          } catch (e) { err(e); }
        },
      }, approve ? 'Accepter et renvoyer le matériel' : 'Refuser');
      parts.push(h('section', { class: 'card', 'aria-label': `Demande ${q.id}` },
        h('p', {}, h('strong', {}, `${f.given_name || ''} ${f.surname || ''}`), ` — ${f.company || ''} — né(e) le ${f.birth_date || ''} — ${f.email || ''}`),
        h('p', {}, `Reçue ${q.created_at_paris} — état : ${q.status}${q.reason ? ` — motif : ${q.reason}` : ''}`),
        h('p', {}, h('a', { href: `/admin/api/resend-requests/${q.id}/document` }, 'Voir la pièce d\'identité')),
        q.status === 'pending' ? h('form', { onsubmit: (e) => e.preventDefault() }, right.wrap, reason.wrap, h('div', { class: 'actions' }, decide(true), decide(false))) : null));
    }
  }
  fill(area, ...parts);
}

export default {
  title: 'Urnes et matériel',
  roles: ['coe_president', 'coe_member', 'national_admin'],
  async render(main, ctx) {
    const area = h('div');
    const picker = await chamberPicker(ctx, (code) => show(code, area, ctx).catch((e) => fill(area, notice('error', h('p', {}, e.message)))));
    fill(main, h('h1', {}, 'Urnes et matériel de vote'), picker.element, area);
    await show(picker.code, area, ctx);
  },
};
