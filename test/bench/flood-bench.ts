import { startLaunchStack } from '../app/launch-stack.ts';
import { percentile, round, type Bench } from './bench-types.ts';

const CLIENTS = 20;
const ROUNDS = 5;
/** About 1 MB of nesting: what the old app parsed for anyone before asking for a session. */
const BODY = `{"coding":${'['.repeat(500_000)}${']'.repeat(500_000)}}`;

/**
 * Issue 11, item 11: 20 clients send 1 MB deeply nested JSON to the API without a session while
 * /healthz is timed. `flood_healthz_p95` / `_max` in ms; `flood_refused` counts the 401/413s.
 */
export const floodBench: Bench = {
  name: 'flood',
  async run(report) {
    const stack = await startLaunchStack({ apps: [{ clientId: 'cb' }], appEnv: { CHARTBILL_API_RATE_PER_MINUTE: '100000' } });
    const url = stack.apps.get('cb')?.url ?? '';
    try {
      let flooding = true;
      let refused = 0;
      const client = async () => {
        for (let i = 0; i < ROUNDS; i++) {
          const res = await fetch(`${url}/api/coding`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: BODY }).catch(() => undefined);
          if (res && (res.status === 401 || res.status === 413)) refused++;
          await res?.body?.cancel();
        }
      };
      const health: number[] = [];
      const probe = async () => {
        while (flooding) {
          const t0 = performance.now();
          await (await fetch(`${url}/healthz`)).text();
          health.push(performance.now() - t0);
        }
      };
      const probing = probe();
      await Promise.all(Array.from({ length: CLIENTS }, client));
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
