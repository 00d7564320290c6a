import { spawn } from 'node:child_process';
import { startLaunchStack } from '../app/launch-stack.ts';
import { percentile, round, type Bench } from './bench-types.ts';

const CLIENTS = 20;
const ROUNDS = 5;

/**
 * The attackers, in their own process so their CPU is not the server's: 20 clients, each sending
 * about 1 MB of nested JSON (what the old app parsed for anyone before asking for a session)
 * ROUNDS times. Prints how many were refused with 401 or 413.
 */
const ATTACKERS = `
const [url, clients, rounds] = process.argv.slice(1);
const body = '{"coding":' + '['.repeat(500000) + ']'.repeat(500000) + '}';
let refused = 0;
const client = async () => {
  for (let i = 0; i < Number(rounds); i++) {
    const res = await fetch(url + '/api/coding', { method: 'PUT', headers: { 'content-type': 'application/json' }, body }).catch(() => undefined);
    if (res && (res.status === 401 || res.status === 413)) refused++;
    await res?.body?.cancel();
  }
};
await Promise.all(Array.from({ length: Number(clients) }, client));
console.log(refused);
`;

function runAttackers(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', ATTACKERS, url, String(CLIENTS), String(ROUNDS)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('error', reject).on('exit', () => resolve(Number(out.trim())));
  });
}

/**
 * Issue 11, item 11: 20 clients send 1 MB deeply nested JSON to the API without a session while
 * /healthz is timed. `flood_healthz_p95` / `_max` in ms; `flood_refused` counts the 401/413s.
 */
export const floodBench: Bench = {
  name: 'flood',
  async run(report) {
    const stack = await startLaunchStack({
      apps: [{ clientId: 'cb' }],
      appEnv: { CHARTBILL_API_RATE_PER_MINUTE: '100000' },
    });
    const url = stack.apps.get('cb')?.url ?? '';
    try {
      let flooding = true;
      const health: number[] = [];
      const probe = async () => {
        while (flooding) {
          const t0 = performance.now();
          await (await fetch(`${url}/healthz`)).text();
          health.push(performance.now() - t0);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const probing = probe();
      const refused = await runAttackers(url);
      flooding = false;
      await probing;
      report('flood_healthz_p95', round(percentile(health, 95), 1), 'ms');
      report('flood_healthz_max', round(Math.max(...health), 1), 'ms');
      report('flood_refused', refused, `of ${CLIENTS * ROUNDS}`);
    } finally {
      await stack.close();
    }
  },
};
