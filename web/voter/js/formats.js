// Pure checks of what voters type (no DOM), shared by the views and unit-tested in Node.

/** JJMMAAAA from day, month and year as typed, or null when it is not a real date. */
export function birthDateValue(day, month, year) {
  if (![day, month, year].every((v) => /^\d+$/.test(v))) return null;
  const d = Number.parseInt(day, 10);
  const m = Number.parseInt(month, 10);
  const y = Number.parseInt(year, 10);
  if (year.length !== 4 || y < 1900 || m < 1 || m > 12 || d < 1) return null;
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > daysInMonth) return null;
  return `${String(d).padStart(2, '0')}${String(m).padStart(2, '0')}${y}`;
}

/** The tracking code as the API takes it: 64 lowercase hex characters, spaces and dashes dropped. */
export function normaliseTrackingCode(text) {
  const code = text.replace(/[\s-]/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(code) ? code : null;
}
