import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { sandboxNcciTables } from '../../src/ncci/sandbox-ncci.ts';
import {
  startSandboxStack,
  type SandboxStack,
  type SandboxStackOptions,
} from '../../cli/sandbox-stack.ts';
import type { SandboxEhrProfile } from '../../sandbox/ehr-profiles.ts';

/**
 * The whole sandbox on free ports, with the worker ticking every second; the EHR plays `profile`
 * (default strict); `more` sets any other option. The billing office's 120 days of history
 * (seed-history.ts) is off unless `more.history` asks for it: it adds seconds to every start, and
 * only the tests that look at the billing workspace need it.
 */
export function startTestStack(
  startWorker = true,
  profile?: SandboxEhrProfile,
  more: Partial<SandboxStackOptions> = {},
): Promise<SandboxStack> {
  return startSandboxStack({
    host: '127.0.0.1',
    ports: { app: 0, ehr: 0, payer: 0, worker: 0 },
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'test'),
    codes: starterCodeSet(),
    editReference: { ncci: sandboxNcciTables() },
    workerSchedule: '*/1 * * * * *',
    startWorker,
    ...(profile ? { profile } : {}),
    history: false,
    ...more,
  });
}
