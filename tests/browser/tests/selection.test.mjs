// Unit tests of the voter pages' pure logic (run by Node, no browser): the choice rules of
// R-42 as the ballot page applies them, and the formats voters type.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { birthDateValue, normaliseTrackingCode } from '../../../web/voter/js/formats.js';
import { ContestSelection, Refusal } from '../../../web/voter/js/selection.js';

const contest = {
  seats: 3,
  entries: [
    { type: 'grouping', name: 'A', candidates: [{ option: 0 }, { option: 1 }, { option: 2 }] },
    { type: 'candidate', candidate: { option: 5 } },
    { type: 'grouping', name: 'B', candidates: [{ option: 3 }, { option: 4 }] },
  ],
};

describe('ContestSelection (R-42)', () => {
  it('accepts up to N candidates across groupings and refuses the next one', () => {
    const s = new ContestSelection(contest);
    assert.equal(s.toggle(0).ok, true);
    assert.equal(s.toggle(3).ok, true);
    assert.equal(s.toggle(5).ok, true);
    const refused = s.toggle(1);
    assert.deepEqual(refused, { ok: false, reason: Refusal.LIMIT });
    assert.deepEqual(s.choice(), { blank: false, selected: [0, 3, 5] });
    assert.equal(s.toggle(3).ok, true, 'unselecting is always possible');
    assert.equal(s.toggle(1).ok, true);
    assert.deepEqual(s.choice(), { blank: false, selected: [0, 1, 5] });
  });

  it('selects a whole grouping in one click, and unselects it in one click', () => {
    const s = new ContestSelection(contest);
    assert.deepEqual(s.toggleGrouping(0), { ok: true, selected: true, changed: 3 });
    assert.equal(s.groupingSelected(0), true);
    assert.deepEqual(s.choice(), { blank: false, selected: [0, 1, 2] });
    assert.deepEqual(s.toggleGrouping(0), { ok: true, selected: false, changed: 3 });
    assert.deepEqual(s.choice(), { blank: true, selected: [] });
  });

  it('refuses a grouping that would go beyond N and changes nothing', () => {
    const s = new ContestSelection(contest);
    s.toggle(5);
    s.toggle(3);
    const r = s.toggleGrouping(0);
    assert.equal(r.ok, false);
    assert.equal(r.reason, Refusal.LIMIT);
    assert.equal(r.needed, 3);
    assert.deepEqual(s.choice(), { blank: false, selected: [3, 5] });
    // Grouping B has one missing member (4): it fits.
    s.toggle(5);
    assert.equal(s.toggleGrouping(1).ok, true);
    assert.deepEqual(s.choice(), { blank: false, selected: [3, 4] });
  });

  it('keeps blank and candidates exclusive, refusing rather than dropping choices', () => {
    const s = new ContestSelection(contest);
    s.toggle(2);
    assert.deepEqual(s.setBlank(true), { ok: false, reason: Refusal.HAS_CHOICES });
    s.toggle(2);
    assert.deepEqual(s.setBlank(true), { ok: true });
    assert.deepEqual(s.toggle(1), { ok: false, reason: Refusal.BLANK_CHOSEN });
    assert.equal(s.toggleGrouping(1).reason, Refusal.BLANK_CHOSEN);
    assert.deepEqual(s.choice(), { blank: true, selected: [] });
    s.setBlank(false);
    assert.equal(s.toggle(1).ok, true);
  });

  it('counts a contest with nobody chosen as a blank vote', () => {
    const s = new ContestSelection(contest);
    assert.equal(s.isBlankVote(), true);
    assert.deepEqual(s.choice(), { blank: true, selected: [] });
  });

  it('refuses options that are not in the contest', () => {
    const s = new ContestSelection(contest);
    assert.throws(() => s.toggle(6), RangeError);
  });
});

describe('formats', () => {
  it('turns typed birth dates into JJMMAAAA and refuses dates that do not exist', () => {
    assert.equal(birthDateValue('7', '3', '1968'), '07031968');
    assert.equal(birthDateValue('29', '02', '2000'), '29022000');
    assert.equal(birthDateValue('29', '2', '1999'), null);
    assert.equal(birthDateValue('31', '4', '1970'), null);
    assert.equal(birthDateValue('1', '13', '1970'), null);
    assert.equal(birthDateValue('1', '1', '68'), null);
    assert.equal(birthDateValue('a', '1', '1968'), null);
    assert.equal(birthDateValue('0', '1', '1968'), null);
  });

  it('normalises tracking codes and refuses anything but 64 hex characters', () => {
    const code = 'ab'.repeat(32);
    assert.equal(normaliseTrackingCode(` ${code.toUpperCase().slice(0, 10)}-${code.slice(10)} `), code);
    assert.equal(normaliseTrackingCode(code.slice(1)), null);
    assert.equal(normaliseTrackingCode('g'.repeat(64)), null);
  });
});
