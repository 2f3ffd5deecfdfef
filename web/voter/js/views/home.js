// Home: what to have at hand, the state of the vote, help contacts, useful links.

import { api } from '../api.js';
import { alertBox, externalUrl, h, replace, uid } from '../dom.js';
import { stateLabel } from '../messages.js';

/** Sums up the scrutins for the home page: one line for the platform, the exceptions below. */
function overallState(scrutins) {
  if (scrutins.length === 0) return 'closed';
  if (scrutins.some((s) => s.state === 'open')) return 'open';
  if (scrutins.some((s) => s.state === 'suspended')) return 'suspended';
  if (scrutins.some((s) => s.state === 'not_open_yet')) return 'not_open_yet';
  return 'closed';
}

function scrutinName(s) {
  const parts = [s.chamber_label, s.label].filter(Boolean);
  return parts.join(' — ');
}

function stateBlock(scrutins) {
  const state = overallState(scrutins);
  const open = scrutins.filter((s) => s.state === 'open');
  const block = h('div', { class: `state state--${state}`, id: 'vote-state' });
  block.append(h('p', { class: 'state__label', text: stateLabel(state) + '.' }));
  if (state === 'open' && open.length > 0) {
    const closes = open[0].closes_at_text;
    if (closes && open.every((s) => s.closes_at_text === closes)) {
      block.append(h('p', { text: `Vous pouvez voter jusqu’au ${closes.replace(/^le /, '')}.` }));
    }
  } else if (state === 'not_open_yet') {
    const first = scrutins.find((s) => s.state === 'not_open_yet');
    if (first && first.opens_at_text) block.append(h('p', { text: `Le vote ouvrira ${first.opens_at_text}.` }));
  }
  const suspended = scrutins.filter((s) => s.state === 'suspended');
  if (suspended.length > 0) {
    block.append(
      h('p', { text: 'Le vote est suspendu pour :' }),
      h(
        'ul',
        {},
        suspended.map((s) =>
          h(
            'li',
            {},
            h('strong', { text: scrutinName(s) }),
            s.message ? [' — message de la commission : « ', s.message, ' »'] : null,
          ),
        ),
      ),
    );
  }
  const closed = scrutins.filter((s) => s.state === 'closed');
  if (state !== 'closed' && closed.length > 0 && closed.length < scrutins.length) {
    block.append(
      h('p', { text: 'Le vote est terminé pour :' }),
      h('ul', {}, closed.map((s) => h('li', { text: scrutinName(s) }))),
    );
  }
  return block;
}

/** Help contacts of one chamber, picked in a list when the API gives them (specs/api.md §2). */
function helpBlock(scrutins) {
  const chambers = new Map();
  const hasContacts = (a) => a && (a.phone || a.email || a.message || a.url);
  for (const s of scrutins) {
    if (hasContacts(s.assistance) && !chambers.has(s.chamber_code)) chambers.set(s.chamber_code, s);
  }
  const section = h('section', { 'aria-labelledby': 'help-title' }, h('h2', { id: 'help-title', text: 'Besoin d’aide ?' }));
  section.append(
    h('p', {
      text: 'Le numéro de téléphone et l’adresse e-mail de l’assistance sont aussi écrits sur votre courrier.',
    }),
  );
  if (chambers.size > 0) {
    const id = uid('chamber');
    const out = h('div', { id: 'chamber-contacts', 'aria-live': 'polite' });
    const select = h(
      'select',
      { id },
      h('option', { value: '', text: 'Choisissez votre CCI' }),
      [...chambers.values()]
        .sort((a, b) => a.chamber_label.localeCompare(b.chamber_label, 'fr'))
        .map((s) => h('option', { value: s.chamber_code, text: s.chamber_label })),
    );
    select.addEventListener('change', () => {
      const s = chambers.get(select.value);
      if (!s) {
        replace(out);
        return;
      }
      const a = s.assistance;
      replace(
        out,
        h(
          'ul',
          {},
          a.message ? h('li', { text: a.message }) : null,
          a.phone ? h('li', {}, 'Téléphone : ', h('a', { href: `tel:${a.phone.replace(/\s/g, '')}`, text: a.phone })) : null,
          a.email ? h('li', {}, 'E-mail : ', h('a', { href: `mailto:${a.email}`, text: a.email })) : null,
          a.url ? h('li', {}, 'Site : ', h('a', { href: externalUrl(a.url), rel: 'noopener', text: a.url })) : null,
        ),
      );
    });
    section.append(
      h('div', { class: 'field' }, h('label', { for: id, text: 'Les contacts de votre CCI' }), select),
      out,
    );
  }
  section.append(
    h(
      'p',
      {},
      'Vous avez perdu votre code secret, ou vous ne l’avez pas reçu ? ',
      h('a', { href: '#/nouveau-code', text: 'Demander un nouveau code' }),
      '.',
    ),
  );
  return section;
}

export async function renderHome(main, app) {
  const statePlaceholder = h('div', { id: 'vote-state' }, h('p', { text: 'Chargement de l’état du vote…' }));
  const startLink = h('a', { class: 'btn btn--primary', href: '#/voter', id: 'start-vote', text: 'Commencer à voter' });
  const help = h('div');
  const view = h(
    'div',
    { class: 'panel' },
    h('h1', { text: 'Élections des CCI : voter par internet' }),
    statePlaceholder,
    h('h2', { text: 'Avant de commencer, préparez :' }),
    h(
      'ul',
      { class: 'checklist' },
      h('li', { text: 'le courrier ou l’e-mail qui contient votre identifiant et votre code secret ;' }),
      h('li', { text: 'votre date de naissance ;' }),
      h('li', { text: 'environ 5 minutes.' }),
    ),
    h(
      'p',
      {},
      'Vous avez plusieurs courriers (par exemple pour plusieurs entreprises) ? Chaque courrier permet de voter une fois. Votez avec un courrier, puis recommencez avec le suivant.',
    ),
    h('div', { class: 'actions' }, startLink),
    help,
  );
  replace(main, view);
  app.enter(view, 'Accueil');

  try {
    const data = await api.scrutins();
    app.syncClock(data.server_time);
    const block = stateBlock(data.scrutins || []);
    statePlaceholder.replaceWith(block);
    replace(help, helpBlock(data.scrutins || []));
  } catch (error) {
    statePlaceholder.replaceWith(
      alertBox('error', 'Impossible de connaître l’état du vote pour le moment.', h('p', { text: 'Réessayez dans quelques minutes.' })),
    );
    replace(help, helpBlock([]));
  }
}
