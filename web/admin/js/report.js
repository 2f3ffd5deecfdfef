// The validation report of an uploaded file (R-11 … R-14): counts, then every issue with
// its line, column, rule and outcome.
import { h, num } from './dom.js';

const OUTCOMES = { blocking: 'bloquante', truncated: 'valeur tronquée', warning: 'avertissement' };

/** A section showing a report (the server's ImportReport JSON). */
export function reportView(report, title = 'Rapport de contrôle') {
  if (!report) return null;
  const counts = report.counts || {};
  const issues = report.issues || [];
  return h('section', { class: 'card', 'aria-label': title },
    h('h3', {}, title),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Lignes lues'), h('dd', {}, num(report.rows ?? 0)),
      h('dt', {}, 'Lignes acceptées'), h('dd', {}, num(report.accepted ?? 0)),
      h('dt', {}, 'Erreurs bloquantes'), h('dd', {}, num(counts.blocking ?? 0)),
      h('dt', {}, 'Valeurs tronquées'), h('dd', {}, num(counts.truncated ?? 0)),
      h('dt', {}, 'Avertissements'), h('dd', {}, num(counts.warning ?? 0)),
      h('dt', {}, 'Encodage'), h('dd', {}, report.encoding || '—'),
    ),
    issues.length === 0
      ? h('p', {}, 'Aucune anomalie.')
      : h('table', {},
        h('caption', {}, `Anomalies (${num(issues.length)})`),
        h('thead', {}, h('tr', {}, ...['Ligne', 'Colonne', 'Règle', 'Valeur', 'Conséquence', 'Explication'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, ...issues.map((i) => h('tr', {},
          h('td', { class: 'num' }, String(i.line)),
          h('td', {}, i.column_name ? `${i.column} ${i.column_name}` : (i.column ?? '—')),
          h('td', {}, i.rule),
          h('td', {}, i.value || '—'),
          h('td', {}, OUTCOMES[i.outcome] || i.outcome),
          h('td', {}, i.message || ''),
        ))),
      ),
  );
}
