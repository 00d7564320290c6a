import { startSandboxStack, type SandboxStack } from '../../cli/sandbox-stack.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { sandboxEhrProfile, type SandboxEhrProfileName } from '../../sandbox/ehr-profiles.ts';
import { collectingLogger } from '../worker/worker-kit.ts';

/**
 * The sandbox stack playing `profile`, its worker on no schedule, no billing history, and every
 * log line (JSON, info and above) of the app and the worker collected in `lines`.
 */
export function startLoggedStack(
  profile: SandboxEhrProfileName,
  lines: string[],
): Promise<SandboxStack> {
  return startSandboxStack({
    host: '127.0.0.1',
    ports: { app: 0, ehr: 0, payer: 0, worker: 0 },
    logger: collectingLogger(lines),
    codes: starterCodeSet(),
    workerSchedule: '0 0 0 1 1 *',
    startWorker: false,
    history: false,
    profile: sandboxEhrProfile(profile),
  });
}
