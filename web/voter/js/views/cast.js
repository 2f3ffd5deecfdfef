// Encryption in the browser, sending, and the receipt.

import { api, ApiError } from '../api.js';
import { alertBox, announce, button, h, replace } from '../dom.js';
import { apiErrorText } from '../messages.js';
import { parisTextSeconds } from '../paris-time.js';

const STEPS = ['Chiffrement de votre vote sur votre appareil', 'Envoi de votre vote', 'Enregistrement de votre vote'];

/** Lets the browser paint the progress state before a long computation starts. */
function nextPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

function progressView(app) {
  const items = STEPS.map((text) => h('li', { text }));
  const status = h('p', { class: 'progress', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', { id: 'cast-status', text: STEPS[0] + '…' }));
  const view = h(
    'div',
    { class: 'panel', 'aria-busy': 'true', id: 'cast-progress' },
    h('h1', { text: 'Envoi de votre vote' }),
    h('p', { text: 'Ne fermez pas cette page. Cela prend quelques secondes.' }),
    status,
    h('ol', { class: 'progress-steps' }, items),
  );
  const setStep = (i) => {
    items.forEach((li, j) => {
      if (j === i) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
      li.textContent = STEPS[j] + (j < i ? ' : fait' : '');
    });
    status.querySelector('#cast-status').textContent = STEPS[i] + '…';
  };
  setStep(0);
  return { view, setStep };
}

export async function renderCast(main, app) {
  const vote = app.vote;
  const { view, setStep } = progressView(app);
  replace(main, view);
  app.enter(view, 'Envoi de votre vote');
  await nextPaint();

  if (!vote.encrypted) {
    try {
      const client = await app.client();
      vote.encrypted = client.encryptBallot({
        style: vote.sheet.ballot_style,
        choices: vote.selections.map((s) => s.choice()),
        code: vote.code,
      });
    } catch (error) {
      renderCastError(main, app, 'Votre vote n’a pas pu être chiffré. Il n’a pas été envoyé.', error);
      return;
    }
  }
  setStep(1);
  await send(main, app, setStep);
}

async function send(main, app, setStep) {
  const vote = app.vote;
  const { ballot, tracking_code: trackingCode } = vote.encrypted;
  try {
    const response = await api.cast(vote.token, ballot);
    setStep(2);
    vote.receipt = response;
    vote.code = null;
    app.goVote('receipt');
  } catch (error) {
    if (error instanceof ApiError && (error.code === 'voting_key_used' || error.code === 'network' || error.status >= 500)) {
      // The ballot may have been recorded although the answer was lost: ask the board.
      try {
        const known = await api.receipt(trackingCode);
        if (known && known.in_ballot_box) {
          vote.receipt = { receipt: { scrutin: known.scrutin, tracking_code: trackingCode }, recovered: true };
          vote.code = null;
          app.goVote('receipt');
          return;
        }
      } catch {
        // Not in the box, or still unreachable: report the first error below.
      }
    }
    renderCastError(main, app, error instanceof ApiError ? apiErrorText(error) : 'Votre vote n’a pas pu être envoyé.', error);
  }
}

function renderCastError(main, app, text, error) {
  const vote = app.vote;
  const retryable = error instanceof ApiError && (error.code === 'network' || error.code === 'unavailable' || error.status >= 500);
  const final = error instanceof ApiError && ['already_voted', 'voting_key_used', 'scrutin_closed', 'scrutin_suspended', 'scrutin_not_open'].includes(error.code);
  const relogin = error instanceof ApiError && ['session_expired', 'unauthenticated', 'wrong_login_step', 'material_replaced'].includes(error.code);
  const actions = [];
  if (retryable && vote.encrypted) {
    actions.push(button('Réessayer l’envoi', () => app.goVote('cast'), { attrs: { id: 'retry-cast' } }));
  }
  if (relogin) {
    actions.push(button('Me reconnecter', () => app.restartLogin(null), { attrs: { id: 'relogin' } }));
  }
  if (!final && !relogin && !retryable) {
    actions.push(button('Revenir à mon vote', () => app.goVote('review'), { kind: 'secondary' }));
  }
  actions.push(h('a', { class: 'btn btn--secondary', href: '#/', text: 'Retour à l’accueil' }));
  const view = h(
    'div',
    { class: 'panel' },
    h('h1', { text: final ? 'Votre vote n’est pas envoyé' : 'Un problème est survenu' }),
    alertBox('error', text),
    vote.encrypted && retryable
      ? h('p', {}, 'Votre vote est peut-être quand même enregistré. Son code de suivi est : ', h('code', { class: 'tracking-code--long', text: vote.encrypted.tracking_code }))
      : null,
    h('div', { class: 'actions' }, actions),
  );
  replace(main, view);
  app.enter(view, 'Erreur');
}

/** The receipt as a text file the voter can keep. */
function receiptText(vote) {
  const r = vote.receipt.receipt;
  const s = vote.sheet.scrutin;
  const lines = [
    'Élections des CCI — reçu de vote',
    '',
    `Élection : ${s.chamber_label} — ${s.label} (${r.scrutin})`,
    r.emargement_at ? `Vote enregistré le : ${parisTextSeconds(r.emargement_at)}` : null,
    `Code de suivi : ${r.tracking_code_short || ''}`,
    `Code de suivi complet : ${r.tracking_code}`,
    '',
    'Ce reçu ne dit pas pour qui vous avez voté.',
    'Avec le code de suivi complet, vous pouvez vérifier que votre bulletin est dans l’urne.',
    '',
  ];
  if (vote.receipt.signature) {
    lines.push('Reçu signé par la plateforme (pour les vérifications) :', JSON.stringify(vote.receipt), '');
  }
  return lines.filter((l) => l !== null).join('\r\n');
}

export function renderReceipt(main, app) {
  const vote = app.vote;
  const r = vote.receipt.receipt;
  const scrutin = vote.sheet.scrutin;
  const when = r.emargement_at ? parisTextSeconds(r.emargement_at) : null;
  const download = () => {
    const blob = new Blob([receiptText(vote)], { type: 'text/plain;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: `recu-vote-${r.scrutin}.txt`, class: 'visually-hidden' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    announce('Le reçu est téléchargé.');
  };
  const view = h(
    'div',
    { class: 'panel' },
    h('h1', { text: 'Votre vote est enregistré' }),
    alertBox('success', 'Merci. Votre vote est bien dans l’urne.'),
    h(
      'dl',
      { class: 'receipt', id: 'receipt' },
      h('dt', { text: 'Élection' }),
      h('dd', { text: `${scrutin.chamber_label} — ${scrutin.label}` }),
      when ? [h('dt', { text: 'Date et heure' }), h('dd', { id: 'receipt-time', text: when })] : null,
      r.tracking_code_short
        ? [h('dt', { text: 'Code de suivi' }), h('dd', {}, h('span', { class: 'tracking-code', id: 'tracking-short', text: r.tracking_code_short }))]
        : null,
      h('dt', { text: 'Code de suivi complet' }),
      h('dd', {}, h('span', { class: 'tracking-code tracking-code--long', id: 'tracking-code', text: r.tracking_code })),
    ),
    h('p', { text: 'Ce reçu ne dit pas pour qui vous avez voté. Personne ne peut le savoir.' }),
    h('div', { class: 'actions no-print' }, button('Imprimer le reçu', () => window.print(), { kind: 'secondary', attrs: { id: 'print-receipt' } }), button('Télécharger le reçu', download, { kind: 'secondary', attrs: { id: 'download-receipt' } })),
    h('h2', { text: 'Vérifier plus tard' }),
    h(
      'p',
      {},
      'Avec le code de suivi, vous pouvez vérifier que votre bulletin est dans l’urne publiée. ',
      h('a', { href: `#/suivi/${r.tracking_code}`, text: 'Vérifier mon bulletin' }),
      '.',
    ),
    h('h2', { text: 'Vous avez un autre courrier ?' }),
    h('p', { text: 'Si vous avez reçu plusieurs courriers (par exemple pour plusieurs entreprises), chaque courrier permet de voter une fois. Pour voter avec un autre courrier, connectez-vous de nouveau avec son identifiant et son code secret.' }),
    h('div', { class: 'actions no-print' }, button('Voter avec un autre courrier', () => app.restartLogin(null, true), { attrs: { id: 'vote-again' } })),
  );
  replace(main, view);
  app.enter(view, 'Vote enregistré');
}
