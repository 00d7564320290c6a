import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { buildWorker, type Worker, type WorkerDeps } from '../../worker/runtime/build-worker.ts';
import { testWorkerConfig } from './test-worker-config.ts';

/** What a test hands its worker: gateways, payer, ledger; codes and a silent logger by default. */
export type TestWorkerDeps = Omit<WorkerDeps, 'codes' | 'logger'> &
  Partial<Pick<WorkerDeps, 'codes' | 'logger'>>;

/**
 * The one way a test builds a worker (issue 13, item 2): its configuration comes from
 * `loadWorkerConfig` like production's (`testWorkerConfig`), changed only by the settings the
 * test names (`CHARTBILL_WORKER_*`), so a setting a test uses is checked and documented as
 * production's is, and a new default reaches every test.
 */
export function testWorker(settings: Record<string, string>, deps: TestWorkerDeps): Worker {
  return buildWorker(testWorkerConfig(settings), {
    codes: starterCodeSet(),
    logger: createLogger('silent', 'test-worker'),
    ...deps,
  });
}
