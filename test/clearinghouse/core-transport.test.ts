import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { isAppError } from '../../src/errors/app-error.ts';
import { build270 } from '../../src/x12/build-270.ts';
import { build276 } from '../../src/x12/build-276.ts';
import { loadClearinghouseConfig } from '../../src/x12/clearinghouse-config.ts';
import { collect835 } from '../../src/x12/collect-835.ts';
import { readX12 } from '../../src/x12/read-x12.ts';
import { createCoreRealTimeTransport } from '../../src/x12/transport/core-realtime-transport.ts';
import { chartbillClaimInput, testX12Config } from '../x12/x12-fixtures.ts';
import {
  claimFile,
  sftpTransport,
  startTestClearinghouse,
  type TestClearinghouse,
} from './clearinghouse-fixture.ts';

const NOW = new Date('2026-03-05T15:00:00Z');
/** The 270's date of service: the benefit period answered is the plan year that holds it. */
const SERVICE_DATE = '2026-03-02';

function core(settings: Record<string, string>) {
  const config = loadClearinghouseConfig(settings).core;
  if (!config) throw new Error('no CORE settings');
  return createCoreRealTimeTransport(config);
}

function inquiry270(memberId: string): string {
  const input = chartbillClaimInput();
  return build270(
    {
      coverage: { ...input.coverage, subscriberId: memberId },
      patient: input.patient,
      ...(input.payer ? { payer: input.payer } : {}),
      provider: input.billingProvider,
      serviceTypes: ['30', '98'],
      date: SERVICE_DATE,
      trace: 'ELIG-0001',
    },
    testX12Config(),
    9001,
    NOW,
  );
}

describe('CAQH CORE real-time transport against the sandbox clearinghouse', () => {
  let ch: TestClearinghouse;
  beforeEach(async () => {
    ch = await startTestClearinghouse();
  });
  afterEach(async () => {
    await ch.close();
  });

  test('a 270 comes back as a 271 with the plan in force and its office-visit copay', async () => {
    const answer = await core(ch.settings).exchange(
      'X12_270_Request_005010X279A1',
      inquiry270('W123456789'),
    );
    const doc = await readX12(answer, '271');
    const found = doc.kind === 'eligibility' ? doc.answers[0] : undefined;
    expect(found?.trace).toBe('ELIG-0001');
    expect(found?.rejections).toEqual([]);
    expect(found?.benefits[0]).toMatchObject({ info: '1', serviceTypes: ['30'] });
    expect(found?.benefits.find((b) => b.info === 'B')).toMatchObject({
      serviceTypes: ['98'],
      amount: 25,
      inNetwork: 'Y',
    });
    expect(found?.benefits.find((b) => b.info === 'A')?.percent).toBe(0.2);
    // The sandbox plan runs on the calendar year (issue 15): DTP*346 is that year's first day.
    expect(found?.planStart).toBe(`${SERVICE_DATE.slice(0, 4)}-01-01`);
    expect(ch.clearinghouse.audit().realTime).toEqual({ X12_270_Request_005010X279A1: 1 });
  });

  test('a 270 for a member the payer does not know is answered with AAA 75 in words', async () => {
    const answer = await core(ch.settings).exchange(
      'X12_270_Request_005010X279A1',
      inquiry270('NOBODY123'),
    );
    const doc = await readX12(answer, '271');
    const rejection = doc.kind === 'eligibility' ? doc.answers[0]?.rejections[0] : undefined;
    expect(rejection?.reason).toBe('75');
    expect(rejection?.text).toMatch(/subscriber/i);
  });

  test('a 276 about a claim sent over SFTP comes back as a 277 with what the 835 paid', async () => {
    const batch = sftpTransport(ch.settings);
    await batch.upload('claim-0601.837', claimFile(601));
    const [, , eraName] = await ch.clearinghouse.answered('claim-0601.837');
    const [era] = await collect835(await batch.download(eraName ?? ''));
    await batch.close();
    const input = chartbillClaimInput();
    input.coverage = { ...input.coverage, subscriberId: 'W123456789' };
    const answer = await core(ch.settings).exchange(
      'X12_276_Request_005010X212',
      build276(input, 'STAT-0001', testX12Config(), 9002, NOW),
    );
    const doc = await readX12(answer, '277');
    const claim = doc.kind === 'status' ? doc.reports[0]?.claims[0] : undefined;
    expect(claim?.patientControlNumber).toBe('enc-enc-1');
    expect(claim?.trace).toBe('STAT-0001');
    expect(claim?.statuses[0]).toMatchObject({ category: 'F1', status: '65', stage: 'finalized' });
    expect(claim?.statuses[0]?.paid).toBe(era?.claims[0]?.paid);
    expect(claim?.payerClaimNumber).toBe(era?.claims[0]?.payerClaimControlNumber);
  });

  test('a 276 about a claim the clearinghouse never saw is answered not found (A4:35)', async () => {
    const input = chartbillClaimInput();
    const answer = await core(ch.settings).exchange(
      'X12_276_Request_005010X212',
      build276(input, 'STAT-0002', testX12Config(), 9003, NOW),
    );
    const doc = await readX12(answer, '277');
    const claim = doc.kind === 'status' ? doc.reports[0]?.claims[0] : undefined;
    expect(claim?.statuses[0]?.words).toBe('not found: claim not found');
  });

  test('refuses wrong credentials as a configuration error, and a wrong receiver id in words', async () => {
    const wrong = join(ch.stateDir, 'wrong-core-password');
    await writeFile(wrong, 'nope');
    const refused = await core({ ...ch.settings, CHARTBILL_X12_CORE_PASSWORD_FILE: wrong })
      .exchange('X12_270_Request_005010X279A1', inquiry270('W123456789'))
      .catch((e: unknown) => e);
    expect(isAppError(refused, 'CONFIG_INVALID')).toBe(true);
    expect((refused as Error).message).toMatch(/refused ChartBill's credentials \(HTTP 401\)/);
    const misdirected = await core({ ...ch.settings, CHARTBILL_X12_RECEIVER_ID: 'SOMEONEELSE' })
      .exchange('X12_270_Request_005010X279A1', inquiry270('W123456789'))
      .catch((e: unknown) => e);
    expect(isAppError(misdirected, 'PAYER_REJECTED')).toBe(true);
    expect((misdirected as Error).message).toContain(
      'ReceiverIDIllegal (the receiver id is not this clearinghouse)',
    );
  });

  test('an endpoint that is down is PAYER_UNAVAILABLE after the retries', async () => {
    const url = new URL(ch.clearinghouse.coreUrl);
    const password = await readFile(ch.settings.CHARTBILL_X12_CORE_PASSWORD_FILE ?? '', 'utf8');
    const settings: Record<string, string> = {
      ...ch.settings,
      CHARTBILL_X12_CORE_PASSWORD: password.trim(),
      CHARTBILL_X12_TIMEOUT_SECONDS: '2',
    };
    delete settings.CHARTBILL_X12_CORE_PASSWORD_FILE;
    await ch.close();
    const err = await core(settings)
      .exchange('X12_270_Request_005010X279A1', inquiry270('W123456789'))
      .catch((e: unknown) => e);
    expect(isAppError(err, 'PAYER_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toContain(`${url.origin}${url.pathname}`);
    ch = await startTestClearinghouse();
  });
});
