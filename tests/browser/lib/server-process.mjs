// A test server as a child process: started on a fresh temporary data directory, ready once
// its printed lines say so, stopped with its data removed.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { REPO } from './paths.mjs';

/** `ready(line, linesSoFar)` of a server whose first printed line is its JSON description. */
export function firstJsonLine(line) {
  try {
    return JSON.parse(line);
  } catch (e) {
    throw new Error(`the server printed something else than its JSON line: ${line}`);
  }
}

/**
 * Starts `binary` with `args(dataDir)`. Each printed line goes to `ready(line, lines)`,
 * which returns the server's description once it serves (`undefined` before). Resolves with
 * `{ info, dataDir, stop() }`; `stop()` ends the server and removes its data directory.
 */
export async function startServer(binary, args, ready, { prefix = 'scrutin-browser-' } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const child = spawn(binary, args(dataDir), {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const lines = [];
  const info = await new Promise((resolve, reject) => {
    let done = false;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (done) return;
      lines.push(line);
      try {
        const value = ready(line, lines);
        if (value !== undefined) {
          done = true;
          resolve(value);
        }
      } catch (e) {
        done = true;
        reject(e);
      }
    });
    exited.then(({ code, signal }) => reject(new Error(`${binary} exited before serving (code ${code}, signal ${signal}):\n${lines.join('\n')}`)));
  });
  return {
    info,
    dataDir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
