// Review: the final choices of every contest at once; back, or confirm.

import { alertBox, button, h, replace } from '../dom.js';
import { candidateName } from './ballot.js';

function candidatesOf(contest) {
  const byOption = new Map();
  for (const e of contest.entries || []) {
    if (e.type === 'grouping') {
      for (const c of e.candidates) byOption.set(c.option, { candidate: c, grouping: e.name });
    } else {
      byOption.set(e.candidate.option, { candidate: e.candidate, grouping: null });
    }
  }
  return byOption;
}

export function renderReview(main, app) {
  const vote = app.vote;
  const contests = vote.sheet.contests;
  const blocks = contests.map((contest, i) => {
    const selection = vote.selections[i];
    const byOption = candidatesOf(contest);
    const choice = selection.choice();
    let body;
    if (choice.blank) {
      body = h(
        'p',
        { 'data-review-blank': contest.id },
        h('strong', { text: 'Vous votez blanc.' }),
        selection.blank ? '' : ' (Vous n’avez choisi aucun candidat.)',
      );
    } else {
      const n = choice.selected.length;
      body = [
        h('p', { text: `Vous avez choisi ${n} candidat${n > 1 ? 's' : ''} sur ${contest.seats} possible${contest.seats > 1 ? 's' : ''} :` }),
        h(
          'ul',
          { class: 'review-list', 'data-review-contest': contest.id },
          choice.selected.map((o) => {
            const entry = byOption.get(o);
            return h('li', { 'data-option': String(o) }, h('strong', { text: candidateName(entry.candidate) }), entry.grouping ? ` — groupement « ${entry.grouping} »` : '');
          }),
        ),
      ];
    }
    return h('section', { class: 'review-contest', 'aria-labelledby': `review-${i}` }, h('h2', { id: `review-${i}`, text: contest.title }), body);
  });

  const confirm = button('Je confirme et j’envoie mon vote', () => app.goVote('cast'), { attrs: { id: 'confirm-vote' } });
  const back = button('Modifier mes choix', () => app.goVote('ballot'), { kind: 'secondary', attrs: { id: 'back-to-ballot' } });
  const view = h(
    'div',
    { class: 'panel' },
    h('p', { class: 'steps', text: `Étape 4 sur ${vote.totalSteps}` }),
    h('h1', { text: 'Vérifiez votre vote' }),
    h('p', { class: 'lead', text: 'Voici votre vote. Lisez-le bien.' }),
    blocks,
    alertBox(
      'info',
      'Quand vous confirmez, votre vote est chiffré sur votre appareil, puis envoyé.',
      h('p', { text: 'Ensuite, vous ne pourrez plus le changer.' }),
    ),
    h('div', { class: 'actions' }, confirm, back),
  );
  replace(main, view);
  app.enter(view, `Étape 4 sur ${vote.totalSteps} : vérifiez votre vote`);
}
