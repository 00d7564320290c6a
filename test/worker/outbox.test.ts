import { testWorker } from './test-worker.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import type { PayerAdapter } from '../../src/payer/payer-adapter.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { openFileLedger } from '../../worker/ledger/file-ledger.ts';
import { all, logger, startWorld, type World } from './worker-kit.ts';

let world: World | undefined;
let dir: string | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A payer whose answers to claims are lost on the way back: the payer took the claim, the worker never heard. */
function answersLost(payer: PayerAdapter): PayerAdapter {
  return {
    payerIds: payer.payerIds,
    checkEligibility: (bundle) => payer.checkEligibility(bundle),
    claimStatus: (identifier) => payer.claimStatus(identifier),
    submitClaim: async (bundle) => {
      await payer.submitClaim(bundle);
      throw new Error('worker died before it recorded the answer');
    },
  };
}

describe('submission outbox', () => {
  it('asks the payer instead of submitting again when an earlier attempt sent the claim but recorded no answer', async () => {
    world = await startWorld();
    dir = await mkdtemp(join(tmpdir(), 'chartbill-outbox-'));
    const path = join(dir, 'ledger.json');
    const payer = createFhirPayerAdapter({ baseUrl: world.payer.fhirBase, retry: { attempts: 1 } });
    const settings = {
      CHARTBILL_WORKER_CONCURRENCY: '1',
      CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '0',
      CHARTBILL_WORKER_IDLE_MAX_SECONDS: '0',
      CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
      CHARTBILL_WORKER_MAX_ATTEMPTS: '5',
      CHARTBILL_WORKER_RETRY_BASE_SECONDS: '0.001',
    };
    const deps = { clinical: world.fhir, billing: world.fhir, codes: starterCodeSet(), logger };

    const first = await testWorker(settings, {
      ...deps,
      payer: answersLost(payer),
      ledger: await openFileLedger(path),
    }).tick();
    expect(first).toMatchObject({ submitted: 0, failed: 7 });
    expect(await all(world.fhir, 'ClaimResponse')).toHaveLength(0);

    // A new process on the same ledger file.
    const second = await testWorker(settings, {
      ...deps,
      payer,
      ledger: await openFileLedger(path),
    }).tick();
    expect(second.submitted).toBe(7);
    const audit = world.payer.audit();
    for (const id of SEED_SCENARIOS.clean)
      expect(audit.submits[`${SYSTEM.claimId}|enc-${id}`], id).toBe(1);
    expect(Object.values(audit.submits).every((n) => n === 1)).toBe(true);
    expect(audit.inquiries).toBe(7);
    expect(await all(world.fhir, 'ClaimResponse')).toHaveLength(7);
  });
});
