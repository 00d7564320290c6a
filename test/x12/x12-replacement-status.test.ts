import type { Claim, ClaimResponse } from 'fhir/r4';
import { readdir, rename, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { patientControlNumberOf } from '../../src/claims/patient-control-number.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { loadClearinghouseConfig } from '../../src/x12/clearinghouse-config.ts';
import { createCoreRealTimeTransport } from '../../src/x12/transport/core-realtime-transport.ts';
import type { RealTimeTransport } from '../../src/x12/transport/clearinghouse-transport.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { all } from '../worker/worker-kit.ts';
import { HOUR } from './x12-worker-kit.ts';
import {
  sendReplacement,
  startClearinghouseWorld,
  type ClearinghouseWorld,
} from './sandbox-clearinghouse-world.ts';

let w: ClearinghouseWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

describe('claim status (276/277) through the sandbox clearinghouse', { timeout: 120_000 }, () => {
  it('asks about a replacement claim under the CLM01 its file carried and shows the payer’s 277 on its timeline', async () => {
    const asked: string[] = [];
    // The worker's real-time connection is the sandbox clearinghouse's CAQH CORE endpoint; the
    // 276s it sends are kept to read.
    const to: { core?: RealTimeTransport } = {};
    const realTime: RealTimeTransport = {
      describe: 'sandbox CORE',
      exchange: (type, x12) => {
        asked.push(x12);
        if (!to.core) throw new Error('no CORE connection yet');
        return to.core.exchange(type, x12);
      },
    };
    w = await startClearinghouseWorld(['enc-not-covered'], {
      ledger: createMemoryLedger(),
      realTime,
    });
    const coreConfig = loadClearinghouseConfig(w.ch.settings).core;
    if (!coreConfig) throw new Error('the sandbox clearinghouse has no CORE endpoint');
    to.core = createCoreRealTimeTransport(coreConfig);
    const fhir = w.x.world.fhir;
    const { replacement: second, replacementFiles: files } = await sendReplacement(w);
    // The clearinghouse adjudicates the replacement, but its answer files never reach ChartBill
    // (taken off the folder): the claim waits with no answer.
    await mkdir(join(w.receive, 'lost'), { recursive: true });
    for (const name of files) await rename(join(w.receive, name), join(w.receive, 'lost', name));
    expect(await readdir(w.receive)).not.toContain(files[0]);

    const [replacement] = await all<Claim>(fhir, 'Claim', {
      identifier: `${SYSTEM.claimId}|enc-enc-not-covered-r1`,
    });
    const clm01 = replacement ? patientControlNumberOf(replacement) : undefined;
    // Its identifier (22 characters) is not its CLM01 (at most 20): the look-up key matters.
    expect(clm01).toBe(second.claimNumber);
    expect(clm01).not.toBe('enc-enc-not-covered-r1');

    // After the wait (CHARTBILL_X12_STATUS_AFTER_HOURS), the worker asks with a 276.
    w.x.clock.advance(25 * HOUR);
    await w.worker.tick();
    const inquiries = asked.filter((x) => x.includes('ST*276*'));
    expect(inquiries).toHaveLength(1);
    expect(inquiries[0]).toContain(`REF*EJ*${clm01 ?? '-'}~`);
    const answer = (await all<ClaimResponse>(fhir, 'ClaimResponse')).find(
      (r) =>
        r.request?.reference === `Claim/${replacement?.id ?? '-'}` &&
        r.processNote?.some((n) => n.text.includes('Claim status (276/277)')),
    );
    // The payer finalized and paid it (277 STC F1:65), not "claim not found" (A4:35).
    const note = answer?.processNote?.find((n) => n.text.includes('Claim status (276/277)'));
    expect(note?.text).toMatch(/F1:65/);
  });
});
