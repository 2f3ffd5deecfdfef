// The verification page: the person chooses a record (one .tar file, or a folder of
// files), the worker runs the verifier compiled to WebAssembly, and the page lists every
// check with its result in words (not only colours). Nothing leaves the browser.
import { tarOf } from './tar.js';

const $ = (id) => document.getElementById(id);

const STATUS_WORDS = { passed: 'Réussi', failed: 'Échec', skipped: 'Sans objet' };

/** What the person chose: { name, load: () => Promise<ArrayBuffer> } or null. */
let chosen = null;

function choose(c) {
  chosen = c;
  $('chosen').textContent = c ? `Dossier choisi : ${c.name}` : '';
}

function chooseArchive(file) {
  if (!file) return choose(null);
  choose({ name: file.name, load: () => file.arrayBuffer() });
}

function chooseFolder(files) {
  const list = Array.from(files || []);
  if (list.length === 0) return choose(null);
  const top = (list[0].webkitRelativePath || list[0].name).split('/')[0];
  choose({
    name: `${top} (${list.length} fichiers)`,
    load: async () => {
      const entries = [];
      for (const f of list) {
        const rel = f.webkitRelativePath || f.name;
        // Files sit under the chosen folder: the verifier reads from inside it.
        entries.push({ path: rel, bytes: new Uint8Array(await f.arrayBuffer()) });
      }
      entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      return tarOf(entries).buffer;
    },
  });
}

function randomSeed() {
  const seed = new Uint8Array(32);
  crypto.getRandomValues(seed);
  return Array.from(seed, (b) => b.toString(16).padStart(2, '0')).join('');
}

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function render(report) {
  const checks = $('checks');
  checks.replaceChildren();
  const info = $('record-info');
  info.replaceChildren();
  const summary = $('summary');
  const add = (term, value) => {
    if (value === undefined || value === null) return;
    info.append(el('dt', {}, term), el('dd', {}, value));
  };
  add('Dossier', report.record);
  add('Élection', report.election);
  add('Exporté le', report.exported_at);
  if (report.platform_key) {
    add(
      report.platform_key_source === 'given'
        ? 'Clé de la plateforme (donnée par vous)'
        : 'Clé de la plateforme (lue dans le dossier)',
      report.platform_key,
    );
  }
  if (report.partial) {
    add('Dossier partiel', 'le vote ou le dépouillement n’est pas terminé : ce qui n’existe pas encore n’est pas vérifié');
  }
  if (report.error) {
    summary.className = 'summary fail';
    summary.textContent = `Dossier illisible : ${report.error}`;
    return;
  }
  const failed = report.checks.filter((c) => c.status === 'failed');
  if (failed.length === 0) {
    summary.className = 'summary ok';
    summary.textContent = 'Tout est vérifié et correct.';
  } else {
    summary.className = 'summary fail';
    summary.textContent = `Attention : ${failed.length} contrôle(s) en échec.`;
  }
  for (const c of report.checks) {
    const li = el('li', { class: `check check--${c.status}`, 'data-check': c.name, 'data-status': c.status });
    const head = el('p');
    head.append(
      el('span', { class: 'check__status' }, STATUS_WORDS[c.status] || c.status),
      ' ',
      el('strong', {}, c.title),
      ' ',
      el('span', { class: 'check__name' }, `(${c.name})`),
    );
    li.append(head, el('p', {}, c.detail));
    if (c.failures.length > 0) {
      const ul = el('ul', { 'aria-label': 'Problèmes trouvés' });
      for (const f of c.failures) ul.append(el('li', {}, f));
      if (c.failed > c.failures.length) ul.append(el('li', {}, `… et ${c.failed - c.failures.length} autre(s)`));
      li.append(ul);
    }
    if (c.skipped.length > 0) {
      const ul = el('ul', { 'aria-label': 'Non vérifié' });
      for (const s of c.skipped) ul.append(el('li', {}, `Non vérifié : ${s}`));
      li.append(ul);
    }
    checks.append(li);
  }
}

function runWorker(archive, options) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = (event) => {
      worker.terminate();
      if (event.data.failure) reject(new Error(event.data.failure));
      else resolve(event.data.report);
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(event.message || 'erreur du vérificateur'));
    };
    worker.postMessage({ archive, options }, [archive]);
  });
}

async function verify(event) {
  event.preventDefault();
  const key = $('platform-key').value.trim().toLowerCase();
  $('key-error').textContent = '';
  if (key && !/^[0-9a-f]{64}$/.test(key)) {
    $('key-error').textContent = 'La clé doit faire 64 caractères : chiffres 0 à 9 et lettres a à f.';
    $('platform-key').focus();
    return;
  }
  if (!chosen) {
    $('chosen').textContent = 'Choisissez d’abord le fichier ou le dossier de l’élection.';
    $('archive-input').focus();
    return;
  }
  const button = $('verify-button');
  button.disabled = true;
  $('result').hidden = false;
  $('summary').textContent = '';
  $('checks').replaceChildren();
  $('record-info').replaceChildren();
  $('status').textContent = 'Vérification en cours… Pour une grande élection, cela peut prendre plusieurs minutes.';
  try {
    const archive = await chosen.load();
    const report = await runWorker(archive, {
      name: chosen.name,
      seed: randomSeed(),
      platform_key: key || null,
    });
    if (report.error && report.error.code) throw new Error(report.error.message);
    render(report);
    $('status').textContent = 'Vérification terminée.';
    document.body.dataset.verified = report.error ? 'unreadable' : (report.checks.every((c) => c.status !== 'failed') ? 'passed' : 'failed');
  } catch (err) {
    $('status').textContent = `La vérification n’a pas pu se faire : ${err.message}`;
    document.body.dataset.verified = 'error';
  } finally {
    button.disabled = false;
    $('result-title').focus();
  }
}

function setup() {
  $('archive-input').addEventListener('change', (e) => chooseArchive(e.target.files[0]));
  $('folder-input').addEventListener('change', (e) => chooseFolder(e.target.files));
  const zone = $('drop-zone');
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const file = e.dataTransfer.files[0];
    if (file) chooseArchive(file);
  });
  $('verify-form').addEventListener('submit', verify);
  document.body.dataset.ready = 'true';
}

setup();
