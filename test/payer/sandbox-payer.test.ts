import type {
  CapabilityStatement,
  ClaimResponse,
  CoverageEligibilityResponse,
  OperationOutcome,
} from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import {
  claimResponseSummary,
  GROUP_CODE_SYSTEM,
} from '../../src/claims/claim-response-summary.ts';
import { X12_SYSTEM } from '../../src/x12/x12-systems.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { startSandboxPayer, type SandboxPayer } from '../../sandbox/payer-server.ts';
import { coverage } from '../claims/fixtures.ts';
import { claimBundle, eligibilityBundle, post } from './payer-test-kit.ts';

const running: SandboxPayer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.close()));
});

async function startPayer(today = '2026-03-10T15:00:00Z'): Promise<SandboxPayer> {
  const payer = await startSandboxPayer({
    port: 0,
    logger: createLogger('silent', 'payer-test'),
    now: () => new Date(today),
  });
  running.push(payer);
  return payer;
}

async function submit(payer: SandboxPayer, body: unknown): Promise<ClaimResponse> {
  const res = await post(`${payer.fhirBase}/Claim/$submit`, body);
  expect(res.status).toBe(200);
  return res.body as unknown as ClaimResponse;
}

describe('sandbox payer Claim/$submit', () => {
  it('pays a clean claim: allowed from the fee schedule, copay on the visit, coinsurance on the lab', async () => {
    const payer = await startPayer();
    const response = await submit(payer, claimBundle());
    expect(response).toMatchObject({
      resourceType: 'ClaimResponse',
      status: 'active',
      use: 'claim',
      outcome: 'complete',
    });
    expect(response.request?.identifier).toEqual({ system: SYSTEM.claimId, value: 'enc-enc-1' });
    expect(response.request?.reference).toBe('Claim/claim-enc-1');
    expect(response.identifier?.[0]?.value).toMatch(/^PCN[0-9A-F]{6}\d{6}$/);
    expect(response.patient.reference).toBe('Patient/pat-1');
    expect(response.requestor?.reference).toBe('Organization/org-billing');
    expect(response.insurer.reference).toBe('Organization/org-payer');
    const summary = claimResponseSummary(response);
    // 99213: allowed 92, copay 25 → 67. 36415: allowed 3, 20% coinsurance 0.60 → 2.40.
    expect(summary).toMatchObject({
      billed: 195,
      allowed: 95,
      paid: 69.4,
      patientResponsibility: 25.6,
      denials: [],
    });
    expect(response.payment).toMatchObject({
      amount: { value: 69.4, currency: 'USD' },
      date: '2026-03-10',
    });
    // One adjudication per CAS reason, its group coded: CO-45 is the write-off with its own
    // amount (185 billed, 92 allowed), not a reason on the allowed amount.
    const entry = (item: number, group: string, carc: string) =>
      response.item?.[item]?.adjudication.find(
        (a) =>
          a.category.coding?.some((c) => c.system === GROUP_CODE_SYSTEM && c.code === group) &&
          a.reason?.coding?.some((c) => c.system === SYSTEM.carc && c.code === carc),
      )?.amount?.value;
    expect(entry(0, 'CO', '45')).toBe(93);
    expect(entry(0, 'PR', '3')).toBe(25);
    expect(entry(1, 'PR', '2')).toBe(0.6);
    expect(
      response.item?.[0]?.adjudication.find((a) => a.category.coding?.[0]?.code === 'eligible')
        ?.reason,
    ).toBeUndefined();
    expect(response.identifier?.[0]?.system).toBe(X12_SYSTEM.payerClaimNumber);
    expect(response.payment?.identifier?.system).toBe(X12_SYSTEM.eftTrace);
    expect(response.disposition).toContain('$69.40');
  });

  it('answers a resubmitted claim with the same ClaimResponse instead of adjudicating it again', async () => {
    const payer = await startPayer();
    const first = await submit(payer, claimBundle());
    const again = await submit(payer, claimBundle());
    expect(again).toEqual(first);
    const other = await submit(payer, claimBundle({ encounterId: 'enc-2' }));
    expect(other.id).not.toBe(first.id);
    expect(other.identifier?.[0]?.value).not.toBe(first.identifier?.[0]?.value);
  });

  it('denies the whole claim with CO-27 when the coverage had ended before the date of service', async () => {
    const payer = await startPayer();
    const response = await submit(
      payer,
      claimBundle({ coverage: coverage({ period: { start: '2024-01-01', end: '2025-12-31' } }) }),
    );
    // An adjudicated denial (835 CLP02 4) is `complete`; `error` is for a front-end rejection.
    expect(response.outcome).toBe('complete');
    expect(response.payment).toBeUndefined();
    expect(response.error).toBeUndefined();
    const summary = claimResponseSummary(response);
    expect(summary.denials.map((d) => [d.group, d.carc, d.rarc])).toEqual([
      ['CO', '27', 'N30'],
      ['CO', '27', 'N30'],
    ]);
    expect(summary.paid).toBe(0);
    expect(response.processNote?.[0]?.text).toContain('ended 2025-12-31');
  });

  it('denies a claim filed more than 90 days after the date of service with CO-29', async () => {
    const payer = await startPayer();
    const response = await submit(payer, claimBundle({ dateOfService: '2025-02-01' }));
    expect(response.outcome).toBe('complete');
    expect(claimResponseSummary(response).denials[0]).toMatchObject({ group: 'CO', carc: '29' });
    expect(
      response.item?.every((i) =>
        i.adjudication.some(
          (a) => a.category.coding?.[0]?.code === 'benefit' && a.amount?.value === 0,
        ),
      ),
    ).toBe(true);
    const timely = await submit(
      payer,
      claimBundle({ encounterId: 'enc-2', dateOfService: '2025-12-10' }),
    );
    expect(timely.outcome).toBe('complete');
  });

  it('denies a non-covered line with CO-96 and pays the rest as a partial outcome', async () => {
    const payer = await startPayer();
    const response = await submit(
      payer,
      claimBundle({
        coding: {
          diagnoses: [{ code: 'Z71.89' }],
          lines: [
            { code: '99213', system: 'cpt', units: 1, modifiers: [], pointers: [1] },
            { code: 'S9986', system: 'hcpcs', units: 1, modifiers: [], pointers: [1] },
          ],
        },
      }),
    );
    expect(response.outcome).toBe('complete');
    expect(claimResponseSummary(response)).toMatchObject({
      paid: 67,
      denials: [{ itemSequence: 2, group: 'CO', carc: '96', rarc: 'N130' }],
    });
    // The RARC is its own entry, not a second coding of the CARC.
    const line2 = response.item?.[1]?.adjudication ?? [];
    expect(line2.map((a) => a.reason?.coding?.map((c) => c.code))).toContainEqual(['96']);
    expect(line2.map((a) => a.reason?.coding?.map((c) => c.code))).toContainEqual(['N130']);
    const allDenied = await submit(
      payer,
      claimBundle({
        encounterId: 'enc-9',
        coding: {
          diagnoses: [{ code: 'Z71.89' }],
          lines: [{ code: 'S9986', system: 'hcpcs', units: 1, modifiers: [], pointers: [1] }],
        },
      }),
    );
    expect(allDenied.outcome).toBe('complete');
    expect(allDenied.payment).toBeUndefined();
    expect(allDenied.disposition).toContain('denied');
  });

  it('refuses malformed submissions with 400 and an OperationOutcome naming the problem', async () => {
    const payer = await startPayer();
    const url = `${payer.fhirBase}/Claim/$submit`;
    const good = claimBundle();
    const claim = good.entry?.[0]?.resource as unknown as Record<string, unknown>;
    const cases: [unknown, string][] = [
      ['{not json', 'JSON'],
      [{ resourceType: 'Patient' }, 'Bundle'],
      [{ ...good, type: 'batch' }, 'collection'],
      [{ ...good, entry: [...(good.entry ?? []).slice(1)] }, 'first entry must be the Claim'],
      [{ ...good, entry: [{ resource: { ...claim, identifier: undefined } }] }, 'Claim.identifier'],
      [{ ...good, entry: [{ resource: { ...claim, patient: undefined } }] }, 'Claim.patient'],
      [{ ...good, entry: [{ resource: { ...claim, insurance: [] } }] }, 'insurance'],
    ];
    for (const [body, problem] of cases) {
      const res = await post(url, body);
      expect(res.status, problem).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(JSON.stringify((res.body as unknown as OperationOutcome).issue)).toContain(problem);
    }
  });

  it('describes itself in a CapabilityStatement listing both $submit operations', async () => {
    const payer = await startPayer();
    const res = await fetch(`${payer.fhirBase}/metadata`);
    expect(res.headers.get('content-type')).toContain('application/fhir+json');
    const statement = (await res.json()) as CapabilityStatement;
    const ops = statement.rest?.[0]?.resource?.map(
      (r) => `${r.type}/$${r.operation?.[0]?.name ?? ''}`,
    );
    expect(ops).toEqual(['Claim/$submit', 'CoverageEligibilityRequest/$submit']);
  });
});

describe('sandbox payer CoverageEligibilityRequest/$submit', () => {
  it('reports an active plan in force with the office visit copay and coinsurance', async () => {
    const payer = await startPayer();
    const res = await post(
      `${payer.fhirBase}/CoverageEligibilityRequest/$submit`,
      eligibilityBundle(),
    );
    expect(res.status).toBe(200);
    const answer = res.body as unknown as CoverageEligibilityResponse;
    expect(answer).toMatchObject({
      resourceType: 'CoverageEligibilityResponse',
      status: 'active',
      outcome: 'complete',
      purpose: ['validation', 'benefits'],
    });
    expect(answer.request.identifier).toEqual({ system: SYSTEM.eligibilityId, value: 'enc-enc-1' });
    expect(answer.insurance?.[0]?.inforce).toBe(true);
    // The office visit is X12 service type 98 (not ex-benefitcategory), in network.
    const office = answer.insurance?.[0]?.item?.find(
      (i) =>
        i.category?.coding?.[0]?.system === X12_SYSTEM.serviceType &&
        i.category.coding[0].code === '98',
    );
    const hl7 = (code: string) =>
      office?.benefit?.find((b) =>
        b.type.coding?.some((c) => c.system === SYSTEM.benefitType && c.code === code),
      );
    expect(hl7('copay')?.allowedMoney?.value).toBe(25);
    expect(hl7('copay-percent')?.allowedUnsignedInt).toBe(20);
    // The plan year holding the date of service is the benefit period.
    expect(answer.insurance?.[0]?.benefitPeriod).toEqual({
      start: '2026-01-01',
      end: '2026-12-31',
    });
  });

  it('reports deductible and out-of-pocket, met and remaining, individual and family, in and out of network', async () => {
    const payer = await startPayer();
    const plan = coverage();
    plan.costToBeneficiary = [
      ...(plan.costToBeneficiary ?? []),
      {
        type: { coding: [{ system: SYSTEM.copayType, code: 'deductible' }] },
        valueMoney: { value: 500, currency: 'USD' },
      },
      {
        type: { coding: [{ system: SYSTEM.copayType, code: 'maxoutofpocket' }] },
        valueMoney: { value: 3000, currency: 'USD' },
      },
    ];
    // A paid claim first: the lab line (allowed 3) goes to the deductible (PR-1), met in the answer.
    await submit(payer, claimBundle({ coverage: plan }));
    const res = await post(
      `${payer.fhirBase}/CoverageEligibilityRequest/$submit`,
      eligibilityBundle({ coverage: plan }),
    );
    const answer = res.body as unknown as CoverageEligibilityResponse;
    const amounts = (answer.insurance?.[0]?.item ?? [])
      .filter((i) => i.category?.coding?.[0]?.code === '30')
      .flatMap((i) =>
        (i.benefit ?? []).map((b) => [
          i.network?.coding?.[0]?.code,
          i.unit?.coding?.[0]?.code,
          b.type.text,
          b.allowedMoney?.value,
        ]),
      );
    expect(amounts).toEqual(
      expect.arrayContaining([
        ['in', 'individual', 'deductible per calendar year (individual)', 500],
        ['in', 'individual', 'deductible remaining (individual)', 497],
        ['in', 'family', 'deductible per calendar year (family)', 1000],
        ['out', 'individual', 'deductible per calendar year (individual)', 1000],
        ['out', 'individual', 'deductible remaining (individual)', 1000],
        ['in', 'individual', 'out-of-pocket (stop loss) per calendar year (individual)', 3000],
        ['in', 'individual', 'out-of-pocket (stop loss) remaining (individual)', 2997],
      ]),
    );
  });

  it('reports a lapsed plan as not in force, saying why', async () => {
    const payer = await startPayer();
    const res = await post(
      `${payer.fhirBase}/CoverageEligibilityRequest/$submit`,
      eligibilityBundle({
        coverage: coverage({ period: { start: '2023-01-01', end: '2025-06-30' } }),
      }),
      'application/json',
    );
    const answer = res.body as unknown as CoverageEligibilityResponse;
    expect(answer.insurance?.[0]?.inforce).toBe(false);
    expect(answer.error?.[0]?.code.text).toContain('ended 2025-06-30');
  });

  it('reports no coverage in force when the Bundle does not carry the Coverage', async () => {
    const payer = await startPayer();
    const bundle = eligibilityBundle();
    bundle.entry = bundle.entry?.filter((e) => e.resource?.resourceType !== 'Coverage');
    const answer = (await post(`${payer.fhirBase}/CoverageEligibilityRequest/$submit`, bundle))
      .body as unknown as CoverageEligibilityResponse;
    expect(answer.insurance?.[0]?.inforce).toBe(false);
  });
});
