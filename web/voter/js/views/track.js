// Public check of a tracking code (protocol §7): is the ballot in the box, and is it under a
// signed head of the public board? The inclusion proof is verified here, in the browser.

import { api, ApiError } from '../api.js';
import { alertBox, button, field, h, replace } from '../dom.js';
import { normaliseTrackingCode } from '../formats.js';

async function check(code, app) {
  const receipt = await api.receipt(code);
  if (!receipt.in_ballot_box) {
    return alertBox('error', 'Ce bulletin n’est pas dans l’urne.');
  }
  if (!receipt.published) {
    return alertBox(
      'info',
      'Votre bulletin est dans l’urne. Il n’est pas encore sur le tableau public.',
      h('p', { text: 'Les bulletins sont publiés par groupes d’au moins 16, pour que personne ne puisse savoir l’ordre des votes. Revenez plus tard pour vérifier la publication.' }),
    );
  }
  const [board, proof] = await Promise.all([api.board(receipt.scrutin), api.inclusion(receipt.scrutin, code)]);
  const head = (board.heads || []).find((hd) => hd.tree_size === proof.tree_size);
  if (!head) {
    return alertBox('error', 'Le tableau public ne donne pas de preuve vérifiable pour ce bulletin.');
  }
  const client = await app.client();
  try {
    // The head exactly as signed, and the proof without the root (the head's root is the
    // one that counts).
    client.verifyInclusion({
      head: head.signed,
      boardKey: board.platform_key,
      trackingCode: code,
      proof: { leaf_index: proof.leaf_index, tree_size: proof.tree_size, path: proof.path },
    });
  } catch (error) {
    return alertBox('error', 'Attention : la preuve donnée par le serveur est fausse.', h('p', { text: `Signalez-le à la commission d’organisation des élections (code ${error.code}).` }));
  }
  return alertBox(
    'success',
    'Votre bulletin est dans l’urne publiée. Votre appareil l’a vérifié.',
    h('p', { id: 'inclusion-detail', text: `Groupe n° ${head.epoch} du tableau public, qui compte ${head.tree_size} bulletin${head.tree_size > 1 ? 's' : ''} au total.` }),
    h('p', {}, 'Clé publique de la plateforme : ', h('code', { class: 'tracking-code--long', text: board.platform_key })),
  );
}

export function renderTrack(main, app, prefill) {
  const code = field({
    label: 'Code de suivi complet',
    hint: 'Il est sur votre reçu : 64 chiffres et lettres (de a à f).',
    name: 'tracking-code',
    value: prefill || '',
    attrs: { class: 'code code--hex' },
  });
  const result = h('div', { id: 'track-result', 'aria-live': 'polite' });
  const submit = button('Vérifier', null, { type: 'submit' });
  const form = h('form', { novalidate: true }, code.wrapper, h('div', { class: 'actions' }, submit));
  const view = h(
    'div',
    { class: 'panel' },
    h('h1', { text: 'Vérifier que mon bulletin est dans l’urne' }),
    h('p', { text: 'Après votre vote, vous avez reçu un code de suivi. Il ne dit pas pour qui vous avez voté. Ici, vous vérifiez que votre bulletin est dans l’urne et sur le tableau public.' }),
    form,
    result,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    code.setError(null);
    replace(result);
    const normalised = normaliseTrackingCode(code.input.value);
    if (!normalised) {
      code.setError('Le code de suivi doit avoir 64 caractères : des chiffres et des lettres de a à f.');
      code.input.focus();
      return;
    }
    submit.disabled = true;
    replace(result, h('p', { role: 'status', text: 'Vérification en cours…' }));
    try {
      replace(result, await check(normalised, app));
    } catch (error) {
      if (error instanceof ApiError && error.code === 'not_found') {
        replace(result, alertBox('error', 'Aucun bulletin n’a ce code de suivi. Vérifiez le code sur votre reçu.'));
      } else {
        replace(result, alertBox('error', 'La vérification n’a pas pu se faire. Réessayez dans quelques minutes.'));
      }
    } finally {
      submit.disabled = false;
    }
  });
  replace(main, view);
  app.enter(view, 'Vérifier mon bulletin');
  if (prefill) form.requestSubmit();
}
