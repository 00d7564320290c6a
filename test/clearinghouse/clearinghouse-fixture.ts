import type { Coverage } from 'fhir/r4';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import type { Claim837Input } from '../../src/x12/claim-837-input.ts';
import { claimsTo837 } from '../../src/x12/claim-to-837.ts';
import { loadClearinghouseConfig } from '../../src/x12/clearinghouse-config.ts';
import { createSftpBatchTransport } from '../../src/x12/transport/sftp-batch-transport.ts';
import { membersFromCoverages } from '../../sandbox/clearinghouse/members.ts';
import {
  startSandboxClearinghouse,
  type SandboxClearinghouse,
} from '../../sandbox/clearinghouse/start-clearinghouse.ts';
import { chartbillClaimInput, testX12Config } from '../x12/x12-fixtures.ts';

/** The day the clearinghouse "receives" claims in these tests: 3 days after the visit. */
export const RECEIVED = new Date('2026-03-05T15:00:00Z');

/** The payer's enrollment: the fixture patient's member id with the sandbox plan's copay and coinsurance. */
export function enrolledCoverage(): Coverage {
  return {
    ...chartbillClaimInput().coverage,
    subscriberId: 'W123456789',
    payor: [
      {
        identifier: { system: SYSTEM.payerId, value: 'SBXHP' },
        display: 'Sandbox Health Plan',
      },
    ],
  };
}

export interface TestClearinghouse {
  clearinghouse: SandboxClearinghouse;
  stateDir: string;
  /** ChartBill's settings to reach it, with test values for what an 837P needs. */
  settings: Record<string, string>;
  close(): Promise<void>;
}

/** A sandbox clearinghouse on free ports, with its own state folder; its payer enrolls `coverage`. */
export async function startTestClearinghouse(
  stateDir?: string,
  coverage: Coverage | Coverage[] = enrolledCoverage(),
  now: () => Date = () => RECEIVED,
): Promise<TestClearinghouse> {
  const dir = stateDir ?? (await mkdtemp(join(tmpdir(), 'chartbill-clearinghouse-')));
  const clearinghouse = await startSandboxClearinghouse({
    host: '127.0.0.1',
    sftpPort: 0,
    corePort: 0,
    stateDir: dir,
    members: membersFromCoverages(Array.isArray(coverage) ? coverage : [coverage]),
    logger: createLogger('silent', 'clearinghouse-test'),
    now,
  });
  return {
    clearinghouse,
    stateDir: dir,
    settings: {
      ...clearinghouse.settings,
      CHARTBILL_X12_SENDER_ID: 'CHARTBILL01',
      CHARTBILL_X12_TIMEOUT_SECONDS: '20',
    },
    async close() {
      await clearinghouse.close();
      if (!stateDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** ChartBill's SFTP transport to the test clearinghouse (overrides: other settings). */
export function sftpTransport(settings: Record<string, string>) {
  const config = loadClearinghouseConfig(settings).sftp;
  if (!config) throw new Error('no SFTP settings');
  return createSftpBatchTransport(config);
}

/** An 837P of ChartBill's for the fixture claim, changed by `edit`. */
export function claimFile(control: number, ...edits: ((input: Claim837Input) => void)[]): string {
  const inputs = (edits.length > 0 ? edits : [() => undefined]).map((edit) => {
    const input = chartbillClaimInput();
    input.coverage = { ...input.coverage, subscriberId: 'W123456789' };
    edit(input);
    return input;
  });
  return claimsTo837(inputs, testX12Config(), control, new Date('2026-03-04T10:00:00Z'));
}
