// The voter's choices in one contest: 0…N candidates across groupings, a whole
// grouping in one click, or a blank vote. Pure logic, no DOM, so it is unit-tested in Node.

/** Why a change was refused. */
export const Refusal = Object.freeze({
  LIMIT: 'limit',
  BLANK_CHOSEN: 'blank_chosen',
  HAS_CHOICES: 'has_choices',
});

export class ContestSelection {
  /**
   * contest: one contest of the ballot sheet (specs/api.md §4): {seats, entries: [{type:
   * "grouping", candidates: [{option}]} | {type: "candidate", candidate: {option}}]}.
   * Groupings are numbered in entry order, from 0.
   */
  constructor(contest) {
    this.seats = contest.seats;
    const entries = contest.entries || [];
    this.groupings = entries.filter((e) => e.type === 'grouping').map((g) => g.candidates.map((c) => c.option));
    this.options = new Set([
      ...this.groupings.flat(),
      ...entries.filter((e) => e.type === 'candidate').map((e) => e.candidate.option),
    ]);
    this.selected = new Set();
    this.blank = false;
  }

  get count() {
    return this.selected.size;
  }

  isSelected(option) {
    return this.selected.has(option);
  }

  /** Selects or unselects one candidate. Returns {ok} or {ok: false, reason}. */
  toggle(option) {
    if (!this.options.has(option)) throw new RangeError(`unknown option ${option}`);
    if (this.selected.has(option)) {
      this.selected.delete(option);
      return { ok: true, selected: false };
    }
    if (this.blank) return { ok: false, reason: Refusal.BLANK_CHOSEN };
    if (this.selected.size >= this.seats) return { ok: false, reason: Refusal.LIMIT };
    this.selected.add(option);
    return { ok: true, selected: true };
  }

  /** True when every candidate of grouping `index` is selected. */
  groupingSelected(index) {
    const members = this.groupings[index];
    return members.length > 0 && members.every((o) => this.selected.has(o));
  }

  /**
   * One click on a grouping: selects all its candidates, or, when all are already selected,
   * unselects them. Refused (nothing changes) when it would go beyond N.
   */
  toggleGrouping(index) {
    const members = this.groupings[index];
    if (this.groupingSelected(index)) {
      for (const o of members) this.selected.delete(o);
      return { ok: true, selected: false, changed: members.length };
    }
    if (this.blank) return { ok: false, reason: Refusal.BLANK_CHOSEN };
    const missing = members.filter((o) => !this.selected.has(o));
    if (this.selected.size + missing.length > this.seats) {
      return { ok: false, reason: Refusal.LIMIT, needed: missing.length };
    }
    for (const o of missing) this.selected.add(o);
    return { ok: true, selected: true, changed: missing.length };
  }

  /** Chooses or drops the blank vote; refused while candidates are chosen. */
  setBlank(on) {
    if (on && this.selected.size > 0) return { ok: false, reason: Refusal.HAS_CHOICES };
    this.blank = Boolean(on);
    return { ok: true };
  }

  /** True when the voter chose nobody: the contest counts as a blank vote. */
  isBlankVote() {
    return this.blank || this.selected.size === 0;
  }

  /**
   * The choice as the ballot client takes it (scrutin_crypto::ballot::ContestChoice):
   * {blank: true, selected: []} or {blank: false, selected: [sorted options]}.
   */
  choice() {
    if (this.isBlankVote()) return { blank: true, selected: [] };
    return { blank: false, selected: [...this.selected].sort((a, b) => a - b) };
  }
}
