// `scrutin demo` as a test fixture: both servers in one process on free loopback ports,
// fresh SQLite stores in a temporary directory, and the demo election set up through the
// control interface's own steps (a real key ceremony among three key holders, whose
// key-share files it writes). What the demo prints is parsed into the fields below.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { REPO } from './paths.mjs';
import { startServer } from './server-process.mjs';

/** Builds the `scrutin` binary (a no-op when up to date) and returns its path. */
export function buildScrutin() {
  const build = spawnSync('cargo', ['build', '--quiet', '-p', 'scrutin'], { cwd: REPO, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('cargo build -p scrutin failed');
  const binary = join(process.env.CARGO_TARGET_DIR || join(REPO, 'target'), 'debug', 'scrutin');
  if (!existsSync(binary)) throw new Error(`${binary} not found after the build`);
  return binary;
}

/** Reads the demo's printed lines into URLs, accounts, voters and key-share files. */
export function parseDemoOutput(lines) {
  const after = (prefix) => {
    const line = lines.find((l) => l.startsWith(prefix));
    if (!line) throw new Error(`the demo printed no line « ${prefix} »:\n${lines.join('\n')}`);
    return line.slice(prefix.length).trim();
  };
  const block = (heading) => {
    const start = lines.findIndex((l) => l.startsWith(heading));
    if (start < 0) throw new Error(`the demo printed no « ${heading} »:\n${lines.join('\n')}`);
    const out = [];
    for (const l of lines.slice(start + 1)) {
      if (l.trim() === '') break;
      out.push(l);
    }
    return { heading: lines[start], rows: out };
  };
  const accounts = block('Control-interface accounts').rows
    .filter((l) => !l.trim().startsWith('second factor'))
    .map((l) => {
      const [email, password, ...label] = l.trim().split(/\s+/);
      return { email, password, label: label.join(' ') };
    });
  const voters = block('Demo voters').rows.map((l) => {
    const identifier = l.match(/\b\d{4}-\d{4}-\d{4}\b/);
    const code = l.match(/\b[0-9A-Z]{3}(?:-[0-9A-Z]{3}){5}\b/);
    const born = l.match(/born (\d{2})\/(\d{2})\/(\d{4})/);
    if (!identifier || !code) throw new Error(`unreadable demo voter line: ${l}`);
    return {
      scrutin: l.trim().split(/\s+/)[0],
      identifier: identifier[0],
      code: code[0],
      birth_date: born ? `${born[1]}${born[2]}${born[3]}` : '01011901',
      voted: l.includes('(has voted)'),
    };
  });
  const shares = block('Key-share files');
  const sharePassword = shares.heading.match(/password (\S+):$/)?.[1];
  const shareFiles = shares.rows.map((l) => {
    const m = l.trim().match(/^(\S+)\s+\((\S+)\)$/);
    if (!m) throw new Error(`unreadable key-share line: ${l}`);
    return { file: m[1], email: m[2] };
  });
  return {
    voteUrl: after('Voter site:').replace(/\/$/, ''),
    adminUrl: after('Control interface:').replace(/\/admin\/$/, ''),
    accounts,
    voters,
    sharePassword,
    shareFiles,
  };
}

/** Starts a fresh demo; resolves once it serves. `stop()` ends it and removes its data. */
export async function startDemo({ extraVoters = 5 } = {}) {
  const binary = buildScrutin();
  const { info, stop } = await startServer(
    binary,
    (dataDir) => [
      'demo', '--data', join(dataDir, 'demo'), '--vote-port', '0', '--admin-port', '0',
      '--extra-voters', String(extraVoters), '--web', join(REPO, 'web'), '--fixtures', join(REPO, 'fixtures'),
    ],
    (line, lines) => (line.startsWith('Stop with Ctrl+C') ? parseDemoOutput(lines) : undefined),
    { prefix: 'scrutin-demo-browser-' },
  );
  return { ...info, binary, stop };
}

/** Runs the CLI to completion; resolves with its output, rejects with it on failure. */
export function runCli(binary, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`scrutin ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}
