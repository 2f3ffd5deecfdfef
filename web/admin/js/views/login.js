// Login: email, password, and the one-time code where the account needs it.
import { post, ApiError } from '../api.js';
import { h, field, notice, fill } from '../dom.js';

export default {
  title: 'Connexion',
  async render(main, ctx) {
    const email = field('Adresse électronique', { type: 'email', autocomplete: 'username', required: true });
    const password = field('Mot de passe', { type: 'password', autocomplete: 'current-password', required: true });
    const totp = field('Code à usage unique', { inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9 ]{6,7}', maxlength: 7 },
      'Les 6 chiffres affichés par votre application d\'authentification.');
    totp.wrap.hidden = true;
    const message = h('div', { 'aria-live': 'polite' });
    const form = h('form', { class: 'card', novalidate: true },
      email.wrap, password.wrap, totp.wrap,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Se connecter')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      fill(message);
      const body = { email: email.input.value.trim(), password: password.input.value };
      if (!totp.wrap.hidden && totp.input.value.trim()) body.totp = totp.input.value.trim();
      try {
        const s = await post('/admin/api/session', body);
        ctx.loggedIn(s);
      } catch (e) {
        if (e instanceof ApiError && e.code === 'totp_required') {
          totp.wrap.hidden = false;
          fill(message, notice('warn', h('p', {}, e.message)));
          totp.input.focus();
          return;
        }
        fill(message, notice('error', h('p', {}, e.message)));
      }
    });
    fill(main,
      h('h1', {}, 'Connexion'),
      h('p', {}, 'Interface réservée aux personnes habilitées : commissions (CELE, COE), CCI France, administrateurs.'),
      message, form,
      h('p', {}, 'Nouveau compte : ouvrez le lien d\'activation reçu par courriel.'));
  },
};
