// Paris time for everything shown to voters, whatever the device's time zone.

const dateTime = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

const fullDateTime = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** "mardi 26 novembre 2026 à 10:02" for a Date or an RFC 3339 string. */
export function parisText(instant) {
  const d = instant instanceof Date ? instant : new Date(instant);
  if (Number.isNaN(d.getTime())) return '';
  return dateTime.format(d);
}

/** "26 novembre 2026 à 10:02:13 (heure de Paris)", for receipts. */
export function parisTextSeconds(instant) {
  const d = instant instanceof Date ? instant : new Date(instant);
  if (Number.isNaN(d.getTime())) return '';
  return `${fullDateTime.format(d)} (heure de Paris)`;
}

/**
 * Keeps `el` showing the current Paris time. The offset between the server's clock and the
 * device's is applied, so a device with a wrong clock still shows the platform's time.
 */
export function startClock(el, serverOffsetMs = () => 0) {
  const tick = () => {
    const now = new Date(Date.now() + serverOffsetMs());
    el.textContent = parisText(now);
    el.setAttribute('datetime', now.toISOString());
  };
  tick();
  // Once a minute is enough for a clock without seconds; a screen reader is not disturbed
  // because the clock is not a live region.
  const delay = 60000 - (Date.now() % 60000);
  window.setTimeout(() => {
    tick();
    window.setInterval(tick, 60000);
  }, delay);
}
