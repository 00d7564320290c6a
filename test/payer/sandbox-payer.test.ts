import type {
  CapabilityStatement,
  ClaimResponse,
  CoverageEligibilityResponse,
  OperationOutcome,
} from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { claimResponseSummary } from '../../src/claims/claim-response-summary.ts';
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
    expect(response.item?.[0]?.adjudication[1]?.reason?.coding?.[0]).toMatchObject({
      system: SYSTEM.carc,
      code: '45',
    });
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
    expect(response.outcome).toBe('error');
    expect(response.payment).toBeUndefined();
    expect(response.error?.[0]?.code.coding?.[0]).toMatchObject({
      system: SYSTEM.carc,
      code: '27',
    });
    expect(claimResponseSummary(response).denials.map((d) => d.carc)).toEqual(['27']);
    expect(response.processNote?.[0]?.text).toContain('ended 2025-12-31');
  });

  it('denies a claim filed more than 90 days after the date of service with CO-29', async () => {
    const payer = await startPayer();
    const response = await submit(payer, claimBundle({ dateOfService: '2025-02-01' }));
    expect(response.outcome).toBe('error');
    expect(response.error?.[0]?.code.coding?.[0]?.code).toBe('29');
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
    expect(response.outcome).toBe('partial');
    expect(claimResponseSummary(response)).toMatchObject({
      paid: 67,
      denials: [{ itemSequence: 2, carc: '96' }],
    });
    expect(response.item?.[1]?.adjudication[1]?.reason?.coding?.map((c) => c.code)).toEqual([
      '96',
      'N130',
    ]);
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
    expect(allDenied.outcome).toBe('error');
    expect(allDenied.payment).toBeUndefined();
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
    const benefits = answer.insurance?.[0]?.item?.[0]?.benefit ?? [];
    expect(benefits.find((b) => b.type.coding?.[0]?.code === 'copay')?.allowedMoney?.value).toBe(
      25,
    );
    expect(
      benefits.find((b) => b.type.coding?.[0]?.code === 'copay-percent')?.allowedUnsignedInt,
    ).toBe(20);
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
