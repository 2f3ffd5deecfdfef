// Request for new voting material, without login: the commission checks the identity
// document and decides; the new material is sent by email and the old code stops working.

import { api, ApiError } from '../api.js';
import { alertBox, button, field, h, replace, uid } from '../dom.js';
import { birthDateValue } from '../formats.js';

const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

export async function renderResend(main, app) {
  const chamberId = uid('chamber');
  const chamber = h('select', { id: chamberId, name: 'chamber_code', required: true, 'aria-describedby': `${chamberId}-error` }, h('option', { value: '', text: 'Choisissez votre CCI' }));
  const chamberError = h('p', { class: 'field-error', id: `${chamberId}-error`, hidden: true });
  const chamberField = h('div', { class: 'field' }, h('label', { for: chamberId, text: 'Votre CCI' }), chamberError, chamber);
  const surname = field({ label: 'Nom de famille', name: 'surname', autocomplete: 'family-name' });
  const givenName = field({ label: 'Prénom', name: 'given_name', autocomplete: 'given-name' });
  const birth = field({ label: 'Date de naissance', hint: 'Jour, mois et année, par exemple : 27/03/1968.', name: 'birth_date', inputmode: 'numeric', autocomplete: 'bday' });
  const company = field({ label: 'Nom de l’entreprise', name: 'company', autocomplete: 'organization' });
  const siren = field({ label: 'Numéro SIREN de l’entreprise (facultatif)', hint: '9 chiffres.', name: 'siren', inputmode: 'numeric', required: false });
  const email = field({ label: 'Adresse e-mail', hint: 'Le nouveau code sera envoyé à cette adresse.', name: 'email', type: 'email', autocomplete: 'email' });
  const documentField = field({ label: 'Pièce d’identité', hint: 'Une photo ou un scan : fichier PDF, JPEG ou PNG, 5 Mo au maximum.', name: 'document', type: 'file', attrs: { accept: 'application/pdf,image/jpeg,image/png' } });
  const errors = h('div');
  const submit = button('Envoyer ma demande', null, { type: 'submit' });
  const form = h('form', { novalidate: true }, chamberField, surname.wrapper, givenName.wrapper, birth.wrapper, company.wrapper, siren.wrapper, email.wrapper, documentField.wrapper, h('div', { class: 'actions' }, submit));
  const view = h(
    'div',
    { class: 'panel' },
    h('h1', { text: 'Demander un nouveau code' }),
    h('p', { text: 'Vous avez perdu votre courrier, ou vous ne l’avez pas reçu ? Remplissez ce formulaire. La commission vérifie votre demande, puis vous envoie un nouveau code par e-mail. L’ancien code ne marchera plus.' }),
    errors,
    form,
  );
  replace(main, view);
  app.enter(view, 'Demander un nouveau code');

  try {
    const data = await api.scrutins();
    const seen = new Map();
    for (const s of data.scrutins || []) if (!seen.has(s.chamber_code)) seen.set(s.chamber_code, s.chamber_label);
    [...seen.entries()]
      .sort((a, b) => a[1].localeCompare(b[1], 'fr'))
      .forEach(([code, label]) => chamber.append(h('option', { value: code, text: label })));
  } catch {
    replace(errors, alertBox('error', 'La liste des CCI n’a pas pu être chargée. Rechargez la page.'));
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(errors);
    const problems = [];
    const check = (ok, target, text) => {
      if (target.setError) target.setError(ok ? null : text);
      if (!ok) problems.push({ target, text });
    };
    chamberError.hidden = Boolean(chamber.value);
    chamberError.textContent = chamber.value ? '' : 'Erreur : choisissez votre CCI.';
    if (!chamber.value) problems.push({ target: { input: chamber }, text: 'Choisissez votre CCI.' });
    check(surname.input.value.trim() !== '', surname, 'Écrivez votre nom de famille.');
    check(givenName.input.value.trim() !== '', givenName, 'Écrivez votre prénom.');
    const parts = birth.input.value.trim().split(/[^0-9]+/).filter(Boolean);
    const birthDate = parts.length === 3 ? birthDateValue(parts[0], parts[1], parts[2]) : null;
    check(birthDate !== null, birth, 'Écrivez une date qui existe, par exemple 27/03/1968.');
    check(company.input.value.trim() !== '', company, 'Écrivez le nom de l’entreprise.');
    const sirenValue = siren.input.value.replace(/\s/g, '');
    check(sirenValue === '' || /^\d{9}$/.test(sirenValue), siren, 'Le numéro SIREN a 9 chiffres.');
    check(/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.input.value.trim()), email, 'Écrivez une adresse e-mail complète, par exemple nom@exemple.fr.');
    const file = documentField.input.files && documentField.input.files[0];
    check(Boolean(file) && file.size <= MAX_DOCUMENT_BYTES, documentField, file ? 'Le fichier fait plus de 5 Mo.' : 'Ajoutez une photo ou un scan de votre pièce d’identité.');
    if (problems.length > 0) {
      replace(errors, alertBox('error', `Le formulaire a ${problems.length} erreur${problems.length > 1 ? 's' : ''}.`, h('ul', {}, problems.map((p) => h('li', { text: p.text })))));
      problems[0].target.input.focus();
      return;
    }
    const data = new FormData();
    data.append('chamber_code', chamber.value);
    data.append('surname', surname.input.value.trim());
    data.append('given_name', givenName.input.value.trim());
    data.append('birth_date', birthDate);
    data.append('company', company.input.value.trim());
    if (sirenValue) data.append('siren', sirenValue);
    data.append('email', email.input.value.trim());
    data.append('document', file);
    submit.disabled = true;
    try {
      const answer = await api.resendRequest(data);
      const done = h(
        'div',
        { class: 'panel' },
        h('h1', { text: 'Votre demande est envoyée' }),
        alertBox('success', 'La commission va vérifier votre demande.', h('p', { text: 'Si elle l’accepte, vous recevrez un nouveau code par e-mail. Si elle la refuse, vous recevrez un e-mail qui explique pourquoi.' })),
        h('p', {}, 'Numéro de votre demande : ', h('strong', { id: 'resend-request-id', text: answer.request_id })),
        h('div', { class: 'actions' }, h('a', { class: 'btn btn--secondary', href: '#/', text: 'Retour à l’accueil' })),
      );
      replace(main, done);
      app.enter(done, 'Demande envoyée');
    } catch (error) {
      replace(errors, alertBox('error', error instanceof ApiError ? error.message : 'La demande n’a pas pu être envoyée. Réessayez.'));
      errors.querySelector('[role="alert"]')?.focus?.();
    } finally {
      submit.disabled = false;
    }
  });
}
