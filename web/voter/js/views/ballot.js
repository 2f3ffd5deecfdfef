// The ballot: the voter's contests, all groupings on one screen in registration
// order, candidates, statements one click away; up to N candidates per contest, a whole
// grouping in one click, or blank; a live counter; going beyond N is refused with a message.

import { alertBox, announce, button, externalUrl, h, replace, uid } from '../dom.js';
import { Refusal } from '../selection.js';

/** The civility as printed on ballots: "Mme", "M.". */
function civilityText(civility) {
  const c = (civility || '').toUpperCase();
  if (c === 'MME' || c === 'MLLE') return 'Mme';
  if (c === 'M' || c === 'M.') return 'M.';
  return civility || '';
}

/** "Mme Jeanne MARTIN" (surname in capitals, as on paper ballots). */
export function candidateName(c) {
  return [civilityText(c.civility), c.given_name, (c.surname || '').toUpperCase()].filter(Boolean).join(' ');
}

function plural(n, one, many) {
  return n > 1 ? many : one;
}

export function counterText(count, seats) {
  return `${count} sur ${seats} ${plural(count, 'choisi', 'choisis')}`;
}

function limitText(seats, selection, refusal) {
  if (refusal.reason === Refusal.BLANK_CHOSEN) {
    return 'Vous avez choisi de voter blanc pour cette élection. Pour choisir un candidat, décochez d’abord « Je vote blanc ».';
  }
  if (refusal.reason === Refusal.HAS_CHOICES) {
    return `Vous avez choisi ${selection.count} ${plural(selection.count, 'candidat', 'candidats')}. Pour voter blanc, enlevez d’abord vos choix.`;
  }
  if (refusal.needed !== undefined) {
    return `Impossible : ce groupement ajouterait ${refusal.needed} ${plural(refusal.needed, 'candidat', 'candidats')}, et vous pouvez en choisir ${seats} au maximum. Vous en avez déjà choisi ${selection.count}. Enlevez d’abord des candidats.`;
  }
  return `Vous avez déjà choisi ${seats} ${plural(seats, 'candidat', 'candidats')} : c’est le maximum pour cette élection. Pour en choisir un autre, enlevez d’abord un candidat choisi.`;
}

function statementLink(url, text) {
  if (!url) return null;
  return h('a', { class: 'candidate__statement', href: externalUrl(url), target: '_blank', rel: 'noopener' }, text, ' (PDF, s’ouvre dans un nouvel onglet)');
}

function renderContest(contest, index, selection, total) {
  const titleId = uid('contest-title');
  const counter = h('p', { class: 'counter', id: uid('counter') });
  const limit = h('p', { class: 'limit-message notice notice--error', role: 'alert' });
  const candidateRows = new Map();
  const groupButtons = [];
  let blankBox;

  const refresh = () => {
    counter.textContent = counterText(selection.count, contest.seats);
    if (selection.blank) counter.append(h('span', { class: 'counter__full', text: ' — vote blanc' }));
    else if (selection.count === contest.seats) counter.append(h('span', { class: 'counter__full', text: ' — maximum atteint' }));
    for (const [option, row] of candidateRows) {
      const on = selection.isSelected(option);
      row.input.checked = on;
      row.li.classList.toggle('candidate--selected', on);
      row.mark.textContent = on ? '✓ Choisi' : '';
    }
    groupButtons.forEach(({ btn, grouping, i }) => {
      const all = selection.groupingSelected(i);
      btn.textContent = all
        ? `Enlever les ${grouping.candidates.length} candidats de « ${grouping.name} »`
        : `Choisir les ${grouping.candidates.length} candidats de « ${grouping.name} »`;
      btn.setAttribute('aria-pressed', all ? 'true' : 'false');
    });
    blankBox.checked = selection.blank;
  };

  const refuse = (refusal) => {
    limit.textContent = limitText(contest.seats, selection, refusal);
  };
  const accepted = (what) => {
    limit.textContent = '';
    refresh();
    announce(`${what}${counterText(selection.count, contest.seats)} pour « ${contest.title} ».`);
  };

  const candidateRow = (c) => {
    const id = uid('candidate');
    const input = h('input', { type: 'checkbox', id, 'data-option': String(c.option) });
    const mark = h('span', { class: 'candidate__mark', 'aria-hidden': 'true' });
    const details = [c.activity, c.locality].filter(Boolean).join(', ');
    const label = h(
      'label',
      { for: id },
      h('span', { class: 'candidate__name', text: candidateName(c) }),
      details ? h('span', { class: 'candidate__detail', text: details }) : null,
      c.delegation ? h('span', { class: 'candidate__detail', text: `Délégation : ${c.delegation}` }) : null,
      c.substitute
        ? h('span', { class: 'candidate__detail', text: `${civilityText(c.substitute.civility) === 'Mme' ? 'Suppléante' : 'Suppléant'} : ${candidateName(c.substitute)}` })
        : null,
    );
    const li = h('li', { class: 'candidate' }, input, h('div', { class: 'candidate__body' }, label, statementLink(c.statement_url, `Profession de foi de ${candidateName(c)}`)), mark);
    input.addEventListener('change', () => {
      const result = selection.toggle(c.option);
      if (!result.ok) {
        input.checked = false;
        refuse(result);
        announce(limit.textContent);
        return;
      }
      accepted(result.selected ? `${candidateName(c)} choisi. ` : `${candidateName(c)} enlevé. `);
    });
    candidateRows.set(c.option, { input, li, mark });
    return li;
  };

  // Entries in registration order: groupings, and individual candidacies (consecutive
  // ones shown together).
  const blocks = [];
  let grouping = 0;
  let loose = null;
  for (const entry of contest.entries || []) {
    if (entry.type === 'grouping') {
      loose = null;
      blocks.push(groupingBlock(entry, grouping));
      grouping += 1;
    } else {
      if (!loose) {
        loose = h('ul', { class: 'candidates' });
        blocks.push(h('fieldset', { class: 'grouping' }, h('legend', { text: 'Candidats sans groupement' }), loose));
      }
      loose.append(candidateRow({ ...entry.candidate, statement_url: entry.statement_url || entry.candidate.statement_url }));
    }
  }

  function groupingBlock(g, i) {
    const btn = button('', () => {
      const result = selection.toggleGrouping(i);
      if (!result.ok) {
        refuse(result);
        return;
      }
      accepted(result.selected ? `Les candidats de « ${g.name} » sont choisis. ` : `Les candidats de « ${g.name} » sont enlevés. `);
    }, { kind: 'secondary', attrs: { 'data-grouping': String(i) } });
    groupButtons.push({ btn, grouping: g, i });
    return h(
      'fieldset',
      { class: 'grouping' },
      h('legend', { text: `Groupement « ${g.name} »` }),
      h('div', { class: 'grouping__tools' }, btn, statementLink(g.statement_url, `Profession de foi de « ${g.name} »`)),
      h('ul', { class: 'candidates' }, g.candidates.map(candidateRow)),
    );
  }

  const blankId = uid('blank');
  blankBox = h('input', { type: 'checkbox', id: blankId, 'data-blank': contest.id });
  blankBox.addEventListener('change', () => {
    const result = selection.setBlank(blankBox.checked);
    if (!result.ok) {
      blankBox.checked = false;
      refuse(result);
      announce(limit.textContent);
      return;
    }
    accepted(selection.blank ? 'Vote blanc choisi. ' : 'Vote blanc enlevé. ');
  });

  const section = h(
    'section',
    { class: 'contest', 'aria-labelledby': titleId, 'data-contest': contest.id },
    h(
      'div',
      { class: 'contest__header' },
      h('h2', { id: titleId, text: total > 1 ? `Élection ${index + 1} sur ${total} : ${contest.title}` : contest.title }),
      counter,
    ),
    h(
      'p',
      {},
      `Choisissez de 1 à ${contest.seats} ${plural(contest.seats, 'candidat', 'candidats')}, dans un ou plusieurs groupements. Vous pouvez aussi voter blanc.`,
    ),
    contest.chamber_label ? h('p', { class: 'hint', text: contest.chamber_label }) : null,
    limit,
    blocks,
    h('div', { class: 'blank-vote' }, blankBox, h('label', { for: blankId }, h('strong', { text: 'Je vote blanc' }), ' pour cette élection (je ne choisis aucun candidat).')),
  );
  refresh();
  return section;
}

export function renderBallot(main, app) {
  const vote = app.vote;
  const sheet = vote.sheet;
  const contests = sheet.contests;
  const scrutin = sheet.scrutin;
  const view = h(
    'div',
    { class: 'panel' },
    h('p', { class: 'steps', text: `Étape 3 sur ${vote.totalSteps}` }),
    h('h1', { text: 'Votre vote' }),
    h('p', { class: 'lead', text: `${scrutin.chamber_label} — ${scrutin.label}` }),
    h(
      'p',
      {},
      contests.length > 1
        ? `Vous votez pour ${contests.length} élections. Faites vos choix pour chacune, puis continuez.`
        : 'Faites vos choix, puis continuez.',
    ),
    sheet.statements_url
      ? h('p', {}, h('a', { href: externalUrl(sheet.statements_url), target: '_blank', rel: 'noopener' }, 'Toutes les professions de foi', ' (s’ouvre dans un nouvel onglet)'))
      : null,
    contests.map((c, i) => renderContest(c, i, vote.selections[i], contests.length)),
    h('div', { class: 'actions' }, button('Continuer : vérifier mon vote', () => app.goVote('review'), { attrs: { id: 'to-review' } })),
  );
  replace(main, view);
  app.enter(view, `Étape 3 sur ${vote.totalSteps} : votre vote`);
  // While the voter reads, prepare the encryption tables (the wait after « Je confirme »
  // is then about halved). A failure here only means encryption builds them later.
  setTimeout(() => {
    app
      .client()
      .then((client) => client.prepareStyle(sheet.ballot_style))
      .catch(() => {});
  }, 0);
}

/** Shown instead of the ballot when the right cannot vote now. */
export function renderCannotVote(main, app, title, text) {
  const view = h(
    'div',
    { class: 'panel' },
    h('h1', { text: title }),
    alertBox('info', text),
    h('div', { class: 'actions' }, h('a', { class: 'btn btn--secondary', href: '#/', text: 'Retour à l’accueil' })),
  );
  replace(main, view);
  app.enter(view, title);
}
