// Login in two steps: identifier + secret code, then birth date. The code is checked
// and turned into a signing key inside the ballot client; it is never sent.

import { api, ApiError } from '../api.js';
import { BallotClientError } from '../ballot-client.js';
import { alertBox, button, field, h, replace } from '../dom.js';
import { birthDateValue } from '../formats.js';
import { apiErrorText, codeErrorText, identifierErrorText } from '../messages.js';

function stepTitle(n, total, text) {
  return [h('p', { class: 'steps', text: `Étape ${n} sur ${total}` }), h('h1', { text })];
}

/** Where errors of a form appear: one summary at the top, read at once. */
function errorSlot() {
  return h('div', { class: 'form-errors' });
}

export function renderLogin(main, app) {
  const vote = app.vote;
  const identifier = field({
    label: 'Identifiant',
    hint: 'Il est écrit sur votre courrier. Vous pouvez mettre des espaces ou non.',
    name: 'identifier',
    inputmode: 'numeric',
    value: vote.identifier || '',
  });
  const code = field({
    label: 'Code secret',
    hint: 'Il est écrit sur votre courrier, sous l’identifiant. Majuscules ou minuscules, avec ou sans tirets : les deux marchent. Votre code reste sur votre appareil : il n’est jamais envoyé.',
    name: 'secret-code',
    attrs: { class: 'code', autocapitalize: 'characters', 'autocomplete': 'off' },
  });
  const errors = errorSlot();
  const submit = button('Continuer', null, { type: 'submit' });
  const form = h('form', { novalidate: true, 'aria-describedby': 'login-intro' }, identifier.wrapper, code.wrapper, h('div', { class: 'actions' }, submit));

  const view = h(
    'div',
    { class: 'panel' },
    ...stepTitle(1, vote.totalSteps, 'Votre identifiant et votre code secret'),
    vote.notice ? alertBox('info', vote.notice) : null,
    errors,
    h('p', { id: 'login-intro', text: 'Recopiez l’identifiant et le code secret de votre courrier.' }),
    form,
  );
  vote.notice = null;

  const showError = (text, target) => {
    replace(errors, alertBox('error', text));
    if (target) {
      target.setError(text);
      target.input.focus();
    }
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    identifier.setError(null);
    code.setError(null);
    replace(errors);
    const id = identifier.input.value.trim();
    if (!id) {
      showError('Écrivez votre identifiant.', identifier);
      return;
    }
    if (!code.input.value.trim()) {
      showError('Écrivez votre code secret.', code);
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Vérification…';
    try {
      const client = await app.client();
      // Check digits catch typos here, before any request (protocol §3).
      try {
        client.checkIdentifier(id);
      } catch (error) {
        if (error instanceof BallotClientError && error.code.startsWith('identifier_')) {
          showError(identifierErrorText(error), identifier);
          return;
        }
        throw error;
      }
      let normalised;
      try {
        normalised = client.checkCode(code.input.value).code;
      } catch (error) {
        if (error instanceof BallotClientError && error.code.startsWith('code_')) {
          showError(codeErrorText(error), code);
          return;
        }
        throw error;
      }
      const challenge = await api.loginChallenge(id);
      const signed = client.loginSign({
        electionId: challenge.election_id,
        identifier: id,
        code: normalised,
        nonce: challenge.nonce,
      });
      const login = await api.loginKey(id, challenge.challenge, signed.signature);
      vote.identifier = id;
      vote.code = normalised;
      vote.token = login.session;
      code.input.value = '';
      if (login.birth_date_required) {
        app.goVote('birth-date');
      } else {
        await app.loadBallot();
      }
    } catch (error) {
      if (error instanceof ApiError) {
        showError(apiErrorText(error), error.code === 'account_locked' ? null : identifier);
        if (error.code === 'login_failed') code.input.value = '';
      } else {
        showError('La page n’a pas pu préparer votre connexion. Rechargez la page, puis réessayez.');
      }
    } finally {
      submit.disabled = false;
      submit.textContent = 'Continuer';
    }
  });

  replace(main, view);
  app.enter(view, `Étape 1 sur ${vote.totalSteps} : identifiant et code secret`);
}

export function renderBirthDate(main, app) {
  const vote = app.vote;
  const day = field({ label: 'Jour', name: 'birth-day', inputmode: 'numeric', attrs: { maxlength: '2', autocomplete: 'bday-day' } });
  const month = field({ label: 'Mois', name: 'birth-month', inputmode: 'numeric', attrs: { maxlength: '2', autocomplete: 'bday-month' } });
  const year = field({ label: 'Année', name: 'birth-year', inputmode: 'numeric', attrs: { maxlength: '4', autocomplete: 'bday-year' } });
  year.wrapper.classList.add('field--year');
  const errorText = h('p', { class: 'field-error', id: 'birth-date-error', hidden: true });
  const fieldset = h(
    'fieldset',
    { class: 'field', 'aria-describedby': 'birth-date-hint birth-date-error' },
    h('legend', { text: 'Votre date de naissance' }),
    h('p', { class: 'hint', id: 'birth-date-hint', text: 'Écrivez des chiffres. Par exemple : 27 3 1968.' }),
    errorText,
    h('div', { class: 'date-group' }, day.wrapper, month.wrapper, year.wrapper),
  );
  const errors = errorSlot();
  const submit = button('Continuer', null, { type: 'submit' });
  const form = h('form', { novalidate: true }, fieldset, h('div', { class: 'actions' }, submit));
  const view = h(
    'div',
    { class: 'panel' },
    ...stepTitle(2, vote.totalSteps, 'Votre date de naissance'),
    errors,
    h('p', { text: 'Cette question vérifie que c’est bien vous qui votez.' }),
    form,
  );

  const showError = (text) => {
    replace(errors, alertBox('error', text));
    errorText.textContent = `Erreur : ${text}`;
    errorText.hidden = false;
    fieldset.classList.add('field--error');
    for (const f of [day, month, year]) f.input.setAttribute('aria-invalid', 'true');
    day.input.focus();
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(errors);
    errorText.hidden = true;
    fieldset.classList.remove('field--error');
    const value = birthDateValue(day.input.value.trim(), month.input.value.trim(), year.input.value.trim());
    if (!value) {
      showError('Cette date n’existe pas. Écrivez le jour, le mois et l’année avec des chiffres (l’année avec 4 chiffres).');
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Vérification…';
    try {
      const result = await api.birthDate(vote.token, value);
      vote.token = result.session;
      await app.loadBallot();
    } catch (error) {
      if (error instanceof ApiError && ['session_expired', 'unauthenticated', 'wrong_login_step'].includes(error.code)) {
        app.restartLogin(apiErrorText(error));
        return;
      }
      showError(error instanceof ApiError ? apiErrorText(error) : 'Une erreur s’est produite. Réessayez.');
    } finally {
      submit.disabled = false;
      submit.textContent = 'Continuer';
    }
  });

  replace(main, view);
  app.enter(view, `Étape 2 sur ${vote.totalSteps} : date de naissance`);
}
