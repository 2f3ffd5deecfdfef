// Activation of an account: choose a password (policy shown), then enrol the one-time code
// application where the profile needs it.
import { post } from '../api.js';
import { h, field, notice, fill } from '../dom.js';

export default {
  title: 'Activation du compte',
  async render(main, ctx) {
    const token = ctx.params.get('jeton') || '';
    const password = field('Nouveau mot de passe', { type: 'password', autocomplete: 'new-password', required: true },
      'Au moins 12 caractères, dont trois sortes parmi : minuscules, majuscules, chiffres, signes. Ni votre nom ni votre adresse.');
    const totp = field('Code à usage unique', { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 7 });
    totp.wrap.hidden = true;
    const secretBox = h('div');
    const message = h('div', { 'aria-live': 'polite' });
    const form = h('form', { class: 'card' }, password.wrap, secretBox, totp.wrap,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Activer mon compte')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      fill(message);
      const body = { token, password: password.input.value };
      if (!totp.wrap.hidden) body.totp = totp.input.value.trim();
      try {
        const r = await post('/admin/api/activation', body);
        if (r.status === 'totp_enrolment') {
          fill(secretBox, notice('warn',
            h('p', {}, 'Votre profil demande un code à usage unique. Ajoutez ce compte dans votre application d\'authentification avec la clé ci-dessous, puis tapez le code affiché.'),
            h('p', {}, 'Clé : ', h('code', {}, r.totp_secret)),
            h('p', {}, 'Adresse de configuration : ', h('code', {}, r.otpauth_uri))));
          totp.wrap.hidden = false;
          totp.input.focus();
          return;
        }
        fill(main, h('h1', {}, 'Compte activé'), notice('ok', h('p', {}, 'Votre compte est actif.')),
          h('p', {}, h('a', { href: '#/connexion' }, 'Se connecter')));
      } catch (e) {
        fill(message, notice('error', h('p', {}, e.message)));
      }
    });
    fill(main, h('h1', {}, 'Activation du compte'), message,
      token ? form : notice('error', h('p', {}, 'Lien incomplet : ouvrez le lien reçu par courriel.')));
  },
};
