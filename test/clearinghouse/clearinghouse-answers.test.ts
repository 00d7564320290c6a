import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { collect835 } from '../../src/x12/collect-835.ts';
import { readX12 } from '../../src/x12/read-x12.ts';
import type { Ack999 } from '../../src/x12/read-999.ts';
import type { StatusReport } from '../../src/x12/read-277.ts';
import type { BatchTransport } from '../../src/x12/transport/clearinghouse-transport.ts';
import {
  claimFile,
  sftpTransport,
  startTestClearinghouse,
  type TestClearinghouse,
} from './clearinghouse-fixture.ts';

describe('the sandbox clearinghouse answers 837P files', () => {
  let ch: TestClearinghouse;
  let transport: BatchTransport;
  beforeEach(async () => {
    ch = await startTestClearinghouse();
    transport = sftpTransport(ch.settings);
  });
  afterEach(async () => {
    await transport.close();
    await ch.close();
  });

  /** Sends a file and reads back every answer, archiving it as the worker would. */
  async function send(name: string, content: string, times = 1) {
    await transport.upload(name, content);
    const names = await ch.clearinghouse.answered(name, times);
    const texts: Record<string, string> = {};
    for (const answer of names) {
      const kind = /-(ta1|999|277ca|835)-/.exec(answer)?.[1] ?? '?';
      texts[kind] = await transport.download(answer);
      await transport.archiveInbound(answer);
    }
    return texts;
  }
  const ack = async (text: string | undefined) => {
    const doc = await readX12(text ?? '', '999');
    return doc.kind === 'ack' ? (doc.acks[0] as Ack999) : undefined;
  };
  const status = async (text: string | undefined) => {
    const doc = await readX12(text ?? '', '277');
    return doc.kind === 'status' ? (doc.reports[0] as StatusReport) : undefined;
  };

  test('accepts a clean claim, rejects an unknown member, and pays what the payer rules allow', async () => {
    const file = claimFile(
      201,
      () => undefined,
      (input) => {
        input.claim.identifier = [{ ...input.claim.identifier?.[0], value: 'enc-unknown-member' }];
        input.coverage = { ...input.coverage, subscriberId: 'NOBODY123' };
      },
    );
    const answers = await send('claim-0201.837', file);
    expect((await ack(answers['999']))?.status).toBe('A');
    const report = await status(answers['277ca']);
    expect(report?.source.role).toBe('clearinghouse');
    const [clean, unknown] = report?.claims ?? [];
    expect(clean?.patientControlNumber).toBe('enc-enc-1');
    expect(clean?.statuses.map((s) => `${s.category}:${s.status}`)).toEqual(['A1:19', 'A2:20']);
    expect(unknown?.statuses[0]?.words).toMatch(
      /returned as unprocessable: subscriber and subscriber id not found/,
    );
    // Only the accepted claim is adjudicated: one CLP, and the ERA balances (BPR02 = Σ CLP04).
    const [era] = await collect835(answers['835'] ?? '');
    expect(era?.claims.map((c) => c.patientControlNumber)).toEqual(['enc-enc-1']);
    const claim = era?.claims[0];
    expect(claim?.balanced).toBe(true);
    expect(era?.payment.amount).toBe(era?.claimsPaid);
    expect(claim?.payerClaimControlNumber).toBe(clean?.payerClaimNumber);
    // The sandbox plan: $25 office-visit copay (PR-3), 20 % coinsurance on the rest (PR-2), the
    // contractual write-down (CO-45) to the fee schedule.
    const reasons = claim?.lines.flatMap((l) => l.adjustments.map((a) => `${a.group}-${a.reason}`));
    expect(reasons).toEqual(['CO-45', 'PR-3', 'CO-45', 'PR-2']);
    const pr = claim?.lines.flatMap((l) => l.adjustments).filter((a) => a.group === 'PR');
    expect(claim?.patientResponsibility).toBeCloseTo(
      pr?.reduce((s, a) => s + a.amount, 0) ?? -1,
      2,
    );
    expect(claim?.paid).toBeCloseTo(claim?.lines.reduce((s, l) => s + l.paid, 0) ?? -1, 2);
  });

  test('a duplicate file, or the same claim in another file, is denied CO-18 and not paid twice', async () => {
    const first = await send('claim-0301.837', claimFile(301));
    const again = await send('claim-0301.837', claimFile(301), 2);
    const other = await send('claim-0302.837', claimFile(302));
    const [paid] = await collect835(first['835'] ?? '');
    expect(paid?.claims[0]?.paid).toBeGreaterThan(0);
    for (const answers of [again, other]) {
      const [era] = await collect835(answers['835'] ?? '');
      const claim = era?.claims[0];
      expect(claim?.status).toBe('4');
      expect(claim?.paid).toBe(0);
      expect(era?.payment.amount).toBe(0);
      expect(
        claim?.lines.every((l) => l.adjustments.some((a) => a.group === 'CO' && a.reason === '18')),
      ).toBe(true);
      expect(claim?.payerClaimControlNumber).toBe(paid?.claims[0]?.payerClaimControlNumber);
    }
    expect(ch.clearinghouse.audit()).toMatchObject({ claimsAdjudicated: 1, duplicatesDenied: 2 });
  });

  test('a malformed 837 gets a rejecting 999 naming the segment and element, and nothing else', async () => {
    const broken = claimFile(401).replace(/CLM\*([^*]+)\*[^*]+\*/, 'CLM*$1**');
    const answers = await send('claim-0401.837', broken);
    expect(Object.keys(answers)).toEqual(['999']);
    const result = await ack(answers['999']);
    expect(result?.status).toBe('R');
    const error = result?.transactions[0]?.errors[0];
    expect(error).toMatchObject({ segment: 'CLM', text: 'the segment has data element errors' });
    expect(error?.elements[0]).toMatchObject({
      position: '2',
      reference: '782',
      text: 'a required element is missing',
    });
    expect(ch.clearinghouse.audit().claimsAdjudicated).toBe(0);
  });

  test('an interchange whose ISA cannot be read gets a TA1 rejection', async () => {
    const damaged = claimFile(501).replace(/^ISA\*00\*          \*/, 'ISA*00*   *');
    const answers = await send('claim-0501.837', damaged);
    expect(Object.keys(answers)).toEqual(['ta1']);
    const doc = await readX12(answers.ta1 ?? '', 'TA1');
    expect(doc.kind === 'ack' && doc.ta1[0]).toMatchObject({
      status: 'R',
      interchangeControl: '000000501',
    });
  });
});
