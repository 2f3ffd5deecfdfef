// Benchmark (not a test): encrypt + prove + sign in the ballot client, in headless
// Chromium, for the ballot sizes of docs/performance.md. Prints a Markdown table.
//   node bench/wasm-bench.mjs [iterations]
import { join } from 'node:path';

import { launch } from '../lib/chromium.mjs';
import { BROWSER_DIR, WEB_VOTER, requireWasm } from '../lib/paths.mjs';
import { startStaticServer } from '../lib/static-server.mjs';

// Any point other than the identity serves as the election key for timing: the Ristretto255
// base point's encoding.
const KEY = 'e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76';
// A valid secret code (check character included) for the voting key.
const CODE = '6MW-UT4-A5H-TGH-PEU-85U';

function contest(id, options, seats) {
  return {
    election: 'bench',
    contest: id,
    public_key: KEY,
    options: Array.from({ length: options }, (_, i) => `${id}-o${i}`),
    seats,
  };
}

const CASES = [
  { name: 'typical: CCIR 6/3 + CCIT 15/8', contests: [[6, 3], [15, 8]] },
  { name: '20 options / 8 seats', contests: [[20, 8]] },
  { name: 'worst case: 100 options / 35 seats', contests: [[100, 35]] },
];

const iterations = Number(process.argv[2] || 30);
requireWasm();
const server = await startStaticServer({ '/': WEB_VOTER, '/test/': join(BROWSER_DIR, 'pages') });
const browser = await launch();
try {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/test/blank.html`);
  const version = await page.evaluate(() => navigator.userAgent.match(/Chrom(e|ium)\/[\d.]+/)[0]);
  console.log(`Chromium: ${version}, ${iterations} runs per case after 3 warm-up runs, worst admissible choice (N selections)\n`);
  console.log('| ballot | encrypt + prove + sign, style prepared (median) | prepare_style (median) | cold: tables built in the call (median) |');
  console.log('|---|---|---|---|');
  for (const c of CASES) {
    const style = {
      election: 'bench',
      scrutin: 'bench-box',
      contests: c.contests.map(([k, n], i) => contest(`c${i}`, k, n)),
    };
    // The worst admissible choice: N selections in every contest.
    const choices = c.contests.map(([, n]) => ({ blank: false, selected: Array.from({ length: n }, (_, i) => i) }));
    const times = await page.evaluate(
      async ([style, choices, code, iterations]) => {
        const { loadBallotClient } = await import('/js/ballot-client.js');
        const client = await loadBallotClient();
        // Another style, to throw the prepared tables away between "cold" runs.
        const other = { ...style, scrutin: 'other-box' };
        const time = (f) => {
          const t0 = performance.now();
          f();
          return performance.now() - t0;
        };
        const out = { cold: [], prepare: [], prepared: [] };
        for (let i = 0; i < iterations + 3; i++) {
          client.prepareStyle(other);
          const cold = time(() => client.encryptBallot({ style, choices, code }));
          client.prepareStyle(other);
          const prepare = time(() => client.prepareStyle(style));
          const prepared = time(() => client.encryptBallot({ style, choices, code }));
          if (i >= 3) {
            out.cold.push(cold);
            out.prepare.push(prepare);
            out.prepared.push(prepared);
          }
        }
        return out;
      },
      [style, choices, CODE, iterations],
    );
    const ms = (v) => `${v.toFixed(1)} ms`;
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const max = (xs) => Math.max(...xs);
    console.log(
      `| ${c.name} | ${ms(median(times.prepared))} (max ${ms(max(times.prepared))}) | ${ms(median(times.prepare))} | ${ms(median(times.cold))} (max ${ms(max(times.cold))}) |`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
