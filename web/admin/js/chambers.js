// Choosing a chamber of the user's perimeter (the structure's chambers the server shows).
import { h, field } from './dom.js';

/** A chamber selector; calls `onChange(code)` at once and on each change. */
export async function chamberPicker(ctx, onChange, label = 'CCI') {
  const structure = await ctx.loadStructure();
  if (!structure) return { element: h('p', { class: 'notice warn' }, 'Aucune structure électorale n\'est chargée.'), code: null };
  const options = structure.chambers.map((c) => [c.code, `${c.code} — ${c.label || ''}`]);
  const f = field(label, { tag: 'select', options });
  const chosen = ctx.params.get('cci');
  if (chosen && options.some(([c]) => c === chosen)) f.input.value = chosen;
  f.input.addEventListener('change', () => onChange(f.input.value));
  return { element: h('form', { class: 'card no-print', onsubmit: (e) => e.preventDefault() }, f.wrap), code: f.input.value || null, input: f.input };
}
