import { launchSession } from '../app/launch-driver.ts';
import { startInstancesStack, type StoreKind } from '../app/instances-stack.ts';
import { percentile, round, type Bench } from './bench-types.ts';

const REQUESTS = 300;
const LAUNCHES = 10;
const WARMUP = 50;

/**
 * What the shared session store costs: API requests (session check and idle touch, no EHR call:
 * code search) and whole launches, through the round-robin proxy in front of two instances, for
 * memory (one instance's own), PostgreSQL and Redis. Ratios are against memory.
 */
export const sessionsBench: Bench = {
  name: 'sessions',
  async run(report) {
    const p50: Partial<Record<StoreKind, number>> = {};
    for (const kind of ['memory', 'postgres', 'redis'] as const) {
      const stack = await startInstancesStack({ store: kind });
      // Memory cannot share a session between instances: pin it to one, as sticky sessions would.
      if (kind === 'memory') stack.route = () => 0;
      try {
        const launches: number[] = [];
        let handle = '';
        for (let i = 0; i < LAUNCHES; i++) {
          const started = performance.now();
          handle = await launchSession(stack.ehr, stack.url, 'cb');
          launches.push(performance.now() - started);
        }
        const samples: number[] = [];
        // The first WARMUP requests warm each instance up (JIT, connections) and are not counted.
        for (let i = -WARMUP; i < REQUESTS; i++) {
          const started = performance.now();
          const res = await fetch(`${stack.url}/api/codes/search?q=diabetes`, {
            headers: { authorization: `Bearer ${handle}` },
          });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`search answered ${String(res.status)}`);
          if (i >= 0) samples.push(performance.now() - started);
        }
        p50[kind] = percentile(samples, 50);
        report(`sessions.${kind}.api_p50`, round(percentile(samples, 50), 2), 'ms');
        report(`sessions.${kind}.api_p95`, round(percentile(samples, 95), 2), 'ms');
        report(`sessions.${kind}.launch_p50`, round(percentile(launches, 50), 1), 'ms');
        const base = p50.memory;
        if (kind !== 'memory' && base)
          report(`sessions.${kind}.api_p50_vs_memory`, round((p50[kind] ?? 0) / base, 2), 'x');
      } finally {
        await stack.close();
      }
    }
  },
};
