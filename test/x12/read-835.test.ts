import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { collect835 } from '../../src/x12/collect-835.ts';
import { eraClaimToClaimResponse } from '../../src/x12/era-to-fhir.ts';
import { eraToPaymentReconciliation } from '../../src/x12/era-payment-reconciliation.ts';
import { isAppError } from '../../src/errors/app-error.ts';

const DIR = new URL('../../../shared/data/x12/835/', import.meta.url);
const file = (name: string) => createReadStream(new URL(name, DIR));

/** Per sample: transactions, claims, BPR02 of each, PLB total, and how strict reading fares. */
const SAMPLES: Record<
  string,
  { bpr: number[]; claims: number[]; plb: number; strict?: RegExp; separator?: string }
> = {
  'blue_cross_nc_sample.835': { bpr: [1922.86], claims: [1], plb: 0, strict: /SE01 says 33/ },
  'cob-contractural-adjustment.835': { bpr: [34], claims: [1], plb: 0 },
  'emedny_sample.835': { bpr: [45.75], claims: [3], plb: 0 },
  'exhaustive_sample.835': { bpr: [0], claims: [1], plb: 0, separator: '>' },
  'managed-care.835': { bpr: [945], claims: [2], plb: 0 },
  'medicare-part-a.835': { bpr: [150000], claims: [2], plb: -1.27 },
  'nevada_medicaid.835': {
    bpr: [0, 0, 1812.27],
    claims: [1, 2, 0],
    plb: -1812.27,
    strict: /The ISA is 72 characters long/,
  },
  'secondary-payment.835': { bpr: [1222], claims: [2], plb: 0 },
  'tertiary-payment.835': { bpr: [187.5], claims: [1], plb: 0 },
  'united_healthcare_legacy_sample.835': { bpr: [349.99], claims: [2], plb: 0 },
};

describe('reading the sample 835s', () => {
  for (const [name, expected] of Object.entries(SAMPLES)) {
    it(`${name}: every claim read and the totals reconcile (sum CLP04 − PLB = BPR02)`, async () => {
      const warnings: string[] = [];
      const options = {
        lenient: expected.strict !== undefined,
        onWarning: (w: string) => warnings.push(w),
        ...(expected.separator ? { componentSeparator: expected.separator } : {}),
      };
      const eras = await collect835(file(name), options);
      expect(eras.map((e) => e.payment.amount)).toEqual(expected.bpr);
      expect(eras.map((e) => e.claims.length)).toEqual(expected.claims);
      const plb = eras.flatMap((e) => e.providerAdjustments).reduce((s, a) => s + a.amount, 0);
      expect(plb).toBeCloseTo(expected.plb, 2);
      for (const era of eras) {
        const paid = era.claims.reduce((s, c) => s + c.paid, 0);
        const plbs = era.providerAdjustments.reduce((s, a) => s + a.amount, 0);
        expect(paid - plbs).toBeCloseTo(era.payment.amount, 2);
      }
      if (expected.strict) {
        expect(warnings.join('\n')).toMatch(expected.strict);
        await expect(collect835(file(name))).rejects.toThrow(expected.strict);
      } else expect(warnings).toEqual([]);
    });
  }

  it('maps a managed-care ERA onto ClaimResponses a biller can read', async () => {
    const [era] = await collect835(file('managed-care.835'));
    if (!era) throw new Error('no 835 read');
    expect(era.payment).toMatchObject({
      method: 'ACH',
      trace: '7170066655',
      payerName: 'RUSHMORE LIFE',
    });
    // BPR16 20002316 has month 23: kept out of FHIR, and said.
    expect(era.payment.date).toBeUndefined();
    expect(era.payment.warnings[0]).toMatch(/BPR16 '20002316' is not a calendar date/);
    const [first, second] = era.claims.map((c) =>
      eraClaimToClaimResponse(c, era.payment, { created: '2026-01-02T00:00:00Z' }),
    );
    expect(first?.outcome).toBe('complete');
    expect(first?.identifier).toContainEqual({
      system: 'https://chartbill.dev/fhir/identifier/payer-claim-number',
      value: '94060555410000',
    });
    expect(first?.request?.identifier?.value).toBe('5554555444');
    // CO-A2 at claim level, with the group code coded, not in text only.
    expect(first?.adjudication?.[0]?.category.coding?.[0]).toMatchObject({ code: 'CO' });
    expect(first?.adjudication?.[0]?.reason?.coding?.[0]).toMatchObject({ code: 'A2' });
    expect(first?.adjudication?.[0]?.amount?.value).toBe(50);
    const line = second?.item?.[0]?.adjudication ?? [];
    const amountOf = (code: string) =>
      line.find((a) => a.category.coding?.[0]?.code === code)?.amount?.value;
    expect(amountOf('submitted')).toBe(1200);
    expect(amountOf('benefit')).toBe(550);
    expect(amountOf('deductible')).toBe(600);
    expect(amountOf('eligible')).toBe(1150);
    // Two CAS reasons on the line: two entries, each with its own amount.
    const reasons = line
      .filter((a) => a.reason)
      .map((a) => [a.category.coding?.[0]?.code, a.reason?.coding?.[0]?.code, a.amount?.value]);
    expect(reasons).toEqual([
      ['PR', '1', 600],
      ['CO', '45', 50],
    ]);
    const owes = second?.total?.find((t) => t.category.coding?.[0]?.code === 'memberliability');
    expect(owes?.amount.value).toBe(600);
  });

  it('keeps an adjudicated denial (CLP02 4) complete, not error', async () => {
    const eras = await collect835(file('nevada_medicaid.835'), { lenient: true });
    const denied = eras.flatMap((e) => e.claims).find((c) => c.status === '4');
    if (!denied) throw new Error('no denial in the sample');
    const payment = eras[0]?.payment;
    if (!payment) throw new Error('no payment read');
    const response = eraClaimToClaimResponse(denied, payment, {
      created: '2026-01-02T00:00:00Z',
    });
    expect(response.outcome).toBe('complete');
    expect(response.disposition).toMatch(/denied/);
  });

  it('lists each claim paid and each PLB in the PaymentReconciliation', async () => {
    const [era] = await collect835(file('medicare-part-a.835'));
    if (!era) throw new Error('no 835 read');
    const recon = eraToPaymentReconciliation(
      era.payment,
      era.claims.map((c) => ({
        request: { identifier: { value: c.patientControlNumber } },
        response: { reference: `ClaimResponse/${c.patientControlNumber}` },
        amount: c.paid,
      })),
      era.providerAdjustments,
      '2026-01-02T00:00:00Z',
    );
    expect(recon.paymentAmount.value).toBe(150000);
    expect(recon.paymentDate).toBe('2002-09-13');
    expect(recon.paymentIdentifier?.value).toBe('12345');
    expect(recon.disposition).toMatch(/^EFT/);
    expect(recon.detail?.map((d) => [d.type.coding?.[0]?.code, d.amount?.value])).toEqual([
      ['payment', 138018.4],
      ['payment', 11980.33],
      ['adjustment', 1.27],
    ]);
  });

  it('reads a reversal (CLP02 22) and its correction as two answers with their own keys', async () => {
    const text = (await readFile(new URL('managed-care.835', DIR), 'utf8'))
      .replace('BPR*I*945.00', 'BPR*I*0.00')
      .replace('CLP*5554555444*1*800.00*450.00', 'CLP*5554555444*22*-800.00*-450.00')
      .replace('CAS*CO*A2*50.00', 'CAS*CR*A2*-50.00')
      .replace('CAS*PR*1*300.00', 'CAS*PR*1*-300.00')
      .replace('CLP*8765432112*1*1200.00*495.00', 'CLP*5554555444*1*1200.00*450.00');
    const [era] = await collect835(text);
    if (!era) throw new Error('no 835 read');
    const [reversal, correction] = era.claims.map((c) =>
      eraClaimToClaimResponse(c, era.payment, { created: '2026-01-02T00:00:00Z' }),
    );
    expect(reversal?.disposition).toMatch(/reversal of a previous payment/);
    expect(reversal?.payment?.amount.value).toBe(-450);
    expect(reversal?.identifier?.[0]?.value).not.toBe(correction?.identifier?.[0]?.value);
    expect(correction?.payment?.amount.value).toBe(450);
  });
});

describe('patient responsibility', () => {
  it('counts every PR adjustment (PR-1, PR-96, PR-204), not only deductible and coinsurance', async () => {
    const text = (await readFile(new URL('managed-care.835', DIR), 'utf8')).replace(
      'CAS*PR*1*300.00~',
      'CAS*PR*1*200.00**96*60.00**204*40.00~',
    );
    const [era] = await collect835(text);
    const claim = era?.claims[0];
    if (!era || !claim) throw new Error('no claim read');
    const response = eraClaimToClaimResponse(claim, era.payment, {
      created: '2026-01-02T00:00:00Z',
    });
    const owes = response.total?.find((t) => t.category.coding?.[0]?.code === 'memberliability');
    expect(owes?.amount.value).toBe(300);
    const reasons = response.item?.[0]?.adjudication
      .filter((a) => a.category.coding?.[0]?.code === 'PR')
      .map((a) => [a.reason?.coding?.[0]?.code, a.amount?.value]);
    expect(reasons).toEqual([
      ['1', 200],
      ['96', 60],
      ['204', 40],
    ]);
  });
});

describe('an 835 whose totals do not balance', () => {
  it('is refused, naming the BPR and the amounts', async () => {
    const text = (await readFile(new URL('managed-care.835', DIR), 'utf8')).replace(
      'BPR*I*945.00',
      'BPR*I*954.00',
    );
    const err = await collect835(text).catch((e: unknown) => e);
    expect(isAppError(err, 'X12_UNBALANCED')).toBe(true);
    expect((err as Error).message).toMatch(
      /does not balance: the claims pay 945\.00 .* BPR02 pays 954\.00 \(segment 4 \(BPR\) at character 176\)/,
    );
  });
});
