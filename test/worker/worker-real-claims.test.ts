import { randomUUID } from 'node:crypto';
import type {
  Claim,
  ClaimResponse,
  Coverage,
  CoverageEligibilityRequest,
  CoverageEligibilityResponse,
  Organization,
  Patient,
  Resource,
} from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eligibilityIdentifierFor } from '../../src/claims/build-eligibility-request.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { build270 } from '../../src/x12/build-270.ts';
import { loadClearinghouseConfig } from '../../src/x12/clearinghouse-config.ts';
import { readX12 } from '../../src/x12/read-x12.ts';
import { X12_SYSTEM } from '../../src/x12/x12-systems.ts';
import { createCoreRealTimeTransport } from '../../src/x12/transport/core-realtime-transport.ts';
import { HDHP_DEDUCTIBLE, REAL_CLAIM_IDS } from '../../sandbox/seed-real-claims.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { npiWithCheckDigit, X12_PAYER } from '../../sandbox/seed-people.ts';
import { billingSignIn } from '../billing-office/billing-sign-in.ts';
import { testX12Config } from '../x12/x12-fixtures.ts';
import { all } from './worker-kit.ts';
import { segmentsOf, startRealClaimsStack, type RealClaimsStack } from './real-claims-kit.ts';

const SCENARIO = SEED_SCENARIOS.realClaims;

/** The segments of one loop: from the first segment matching `start` up to (not including) `end`. */
function loop(segments: string[], start: RegExp, end: RegExp): string[] {
  const from = segments.findIndex((s) => start.test(s));
  if (from < 0) return [];
  const rest = segments.slice(from + 1);
  const to = rest.findIndex((s) => end.test(s));
  return [segments[from] ?? '', ...(to < 0 ? rest : rest.slice(0, to))];
}

/** The CARC adjustments of a payer's answer, as `GROUP-CARC` (e.g. `CO-197`). */
function adjustmentsOf(answer: ClaimResponse | undefined): string[] {
  return (answer?.item ?? [])
    .flatMap((i) => i.adjudication)
    .flatMap((a) => {
      const group = a.category.coding?.find((c) => /^(CO|PR|OA|PI)$/.test(c.code ?? ''))?.code;
      const carc = a.reason?.coding?.find((c) => c.system === SYSTEM.carc)?.code;
      return group && carc ? [`${group}-${carc}`] : [];
    });
}

/** The CoverageEligibilityResponse the worker stored for a seeded visit's eligibility check. */
async function storedEligibility(
  run: RealClaimsStack,
  encounterId: string,
): Promise<CoverageEligibilityResponse | undefined> {
  const identifier = eligibilityIdentifierFor(encounterId);
  const [request] = await all<CoverageEligibilityRequest>(
    run.billing,
    'CoverageEligibilityRequest',
    {
      identifier: `${identifier.system ?? ''}|${identifier.value ?? ''}`,
    },
  );
  const [stored] = await all<CoverageEligibilityResponse>(
    run.billing,
    'CoverageEligibilityResponse',
    { request: `CoverageEligibilityRequest/${request?.id ?? '?'}` },
  );
  return stored;
}

function placeOfService(claim: Claim): string | undefined {
  return claim.item?.[0]?.locationCodeableConcept?.coding?.find(
    (c) => c.system === SYSTEM.placeOfService,
  )?.code;
}

/**
 * What real claims carry, from the seed `npm start` loads to the payer's answer: the worker
 * builds each FHIR Claim from the chart, sends it as an 837P over the sandbox clearinghouse's
 * SFTP, and writes back the ClaimResponse of the 835 Sandbox Mutual answers with.
 */
describe('seeded visits carry what real claims carry, end to end', { timeout: 240_000 }, () => {
  let run: RealClaimsStack;
  beforeAll(async () => {
    run = await startRealClaimsStack();
  }, 240_000);
  afterAll(async () => {
    await run.close();
  });

  it("bills a child's visit to the parent's plan: 2000B names the parent, 2000C the child with PAT*19", async () => {
    const claim = await run.claimOf(SCENARIO.dependent);
    expect(claim.patient.reference).toBe(`Patient/pat-${String(REAL_CLAIM_IDS.child)}`);
    // The Claim names the subscriber through its Coverage: the parent, relationship child.
    const coverage = await run.billing.read<Coverage>(
      'Coverage',
      claim.insurance[0]?.coverage.reference?.split('/')[1] ?? '',
    );
    expect(coverage.subscriber?.reference).toBe(`Patient/pat-${String(REAL_CLAIM_IDS.parent)}`);
    expect(coverage.relationship?.coding?.[0]?.code).toBe('child');

    const segments = segmentsOf(await run.sent837(claim));
    const subscriber = loop(segments, /^HL\*2\*1\*22\*/, /^HL\*/);
    expect(subscriber[0]).toBe('HL*2*1*22*1');
    expect(subscriber).toContain('NM1*IL*1*ABERNATHY*MORGAN****MI*SBX7000023');
    // SBR02 is empty when the patient is not the subscriber (837P 2000B).
    expect(subscriber.find((s) => s.startsWith('SBR'))?.split('*')[2]).toBe('');
    const patient = loop(segments, /^HL\*3\*2\*23\*/, /^CLM\*/);
    expect(patient).toContain('PAT*19');
    expect(patient.find((s) => s.startsWith('NM1*QC'))).toBe('NM1*QC*1*ABERNATHY*LILY');
    expect(patient.some((s) => s.startsWith('DMG*D8*'))).toBe(true);
    // Sandbox Mutual found the member and paid the child's visit.
    const answer = await run.answerTo(claim);
    expect(answer?.outcome).toBe('complete');
    expect(answer?.payment?.amount.value).toBeGreaterThan(0);
  });

  it('takes the first visit of the plan year as deductible (PR-1) on the ClaimResponse', async () => {
    const claim = await run.claimOf(SCENARIO.deductible);
    const answer = await run.answerTo(claim);
    expect(answer?.outcome).toBe('complete');
    const adjudications = (answer?.item ?? []).flatMap((i) => i.adjudication);
    const pr1 = adjudications.filter(
      (a) =>
        a.category.coding?.some((c) => c.code === 'PR') &&
        a.reason?.coding?.some((c) => c.system === SYSTEM.carc && c.code === '1'),
    );
    expect(pr1.length).toBeGreaterThan(0);
    const deductible = pr1.reduce((s, a) => s + (a.amount?.value ?? 0), 0);
    // 99214: the plan allows 130.00, all of it under the 1,500 deductible: the patient owes it.
    expect(deductible).toBe(130);
    expect(deductible).toBeLessThan(HDHP_DEDUCTIBLE);
    // Nothing paid; the member owes the whole allowed amount (CARIN BB `memberliability`).
    const total = (code: string) =>
      answer?.total?.find((t) => t.category.coding?.some((c) => c.code === code))?.amount.value;
    expect(total('benefit')).toBe(0);
    expect(total('memberliability')).toBe(130);
  });

  it('names a service facility away from the billing address (Claim.facility, 2310C)', async () => {
    const claim = await run.claimOf(SCENARIO.facility);
    expect(claim.facility?.reference).toBe(`Location/${REAL_CLAIM_IDS.annex}`);
    expect(placeOfService(claim)).toBe('11');
    const segments = segmentsOf(await run.sent837(claim));
    const facility = loop(segments, /^NM1\*77\*/, /^LX\*/);
    expect(facility[0]).toBe('NM1*77*2*SANDBOX FAMILY MEDICINE RIVERSIDE ANNEX');
    expect(facility).toContain('N3*9 RIVER ROAD');
    expect(facility).toContain('N4*SPRINGFIELD*IL*62703');
  });

  it('bills a video visit with the patient at home as place of service 10, with no facility', async () => {
    const claim = await run.claimOf(SCENARIO.telehealth);
    expect(placeOfService(claim)).toBe('10');
    expect(claim.facility).toBeUndefined();
    const segments = segmentsOf(await run.sent837(claim));
    expect(segments.find((s) => s.startsWith('CLM*'))?.split('*')[5]).toBe('10:B:1');
    expect(segments.some((s) => s.startsWith('NM1*77*'))).toBe(false);
  });

  it('names the referral and the referring physician (Claim.referral, careTeam referring, 2310A)', async () => {
    const claim = await run.claimOf(SCENARIO.referral);
    expect(claim.referral?.reference).toBe(`ServiceRequest/${REAL_CLAIM_IDS.referral}`);
    const referring = claim.careTeam?.find((c) =>
      c.role?.coding?.some((r) => r.code === 'referring'),
    );
    expect(referring?.provider.reference).toBe(
      `Practitioner/${REAL_CLAIM_IDS.referringPractitioner}`,
    );
    const segments = segmentsOf(await run.sent837(claim));
    expect(segments).toContain(`NM1*DN*1*LINDGREN*PAUL****XX*${npiWithCheckDigit('100000004')}`);
    // 2310A comes before the rendering provider (2310B) in loop 2300.
    const dn = segments.findIndex((s) => s.startsWith('NM1*DN*'));
    const rendering = segments.findIndex((s) => s.startsWith('NM1*82*'));
    expect(dn).toBeLessThan(rendering);
  });

  it('carries the NDC and amount of a drug line (item.detail, 2410 LIN*N4 and CTP)', async () => {
    const claim = await run.claimOf(SCENARIO.drug);
    const drugLine = claim.item?.find((i) =>
      i.productOrService.coding?.some((c) => c.code === 'J1885'),
    );
    expect(drugLine?.quantity?.value).toBe(2);
    expect(drugLine?.detail?.[0]?.productOrService.coding?.[0]).toEqual({
      system: 'http://hl7.org/fhir/sid/ndc',
      code: '00409379501',
    });
    expect(drugLine?.detail?.[0]?.quantity).toMatchObject({ value: 1, code: 'ML' });
    const segments = segmentsOf(await run.sent837(claim));
    const line = loop(segments, /^SV1\*HC:J1885/, /^(LX|SE)\*/);
    expect(line).toContain('LIN**N4*00409379501');
    expect(line).toContain('CTP****1*ML');
    // The office visit and the injection lines carry no drug loop.
    expect(segments.filter((s) => s.startsWith('LIN*'))).toHaveLength(1);
  });

  it('sends the prior authorization on file (Claim.insurance.preAuthRef, REF*G1)', async () => {
    const claim = await run.claimOf(SCENARIO.priorAuth);
    expect(claim.insurance[0]?.preAuthRef).toEqual([REAL_CLAIM_IDS.priorAuthNumber]);
    const segments = segmentsOf(await run.sent837(claim));
    expect(segments).toContain(`REF*G1*${REAL_CLAIM_IDS.priorAuthNumber}`);
    // A visit of another patient, with no authorization on file, has no REF*G1.
    const other = segmentsOf(await run.sent837(await run.claimOf(SCENARIO.facility)));
    expect(other.some((s) => s.startsWith('REF*G1*'))).toBe(false);
  });

  it("finds a child eligible under the parent's member id through the clearinghouse's CORE 270/271 (2000D)", async () => {
    // What the worker asked and stored before it billed the child's visit.
    const stored = await storedEligibility(run, SCENARIO.dependent);
    expect(stored?.outcome).toBe('complete');
    expect(stored?.insurance?.[0]?.inforce).toBe(true);
    expect(stored?.insurance?.[0]?.coverage.reference).toBe(
      `Coverage/cov-pat-${String(REAL_CLAIM_IDS.child)}`,
    );

    // The same question, and one about a child the plan does not cover, sent as the worker does.
    const read = <T extends Resource>(type: string, id: string) => run.billing.read<T>(type, id);
    const [coverage, child, parent, provider, payer] = await Promise.all([
      read<Coverage>('Coverage', `cov-pat-${String(REAL_CLAIM_IDS.child)}`),
      read<Patient>('Patient', `pat-${String(REAL_CLAIM_IDS.child)}`),
      read<Patient>('Patient', `pat-${String(REAL_CLAIM_IDS.parent)}`),
      read<Organization>('Organization', 'org-billing'),
      read<Organization>('Organization', X12_PAYER.id),
    ]);
    const core = loadClearinghouseConfig({
      CHARTBILL_X12_SENDER_ID: 'SBXFAMILYMED',
      ...run.stack.clearinghouse.settings,
    }).core;
    if (!core) throw new Error('the sandbox clearinghouse has no CORE settings');
    const ask = async (patient: Patient) => {
      const x12 = build270(
        {
          coverage,
          patient,
          subscriber: parent,
          provider,
          payer,
          serviceTypes: ['30', '98'],
          date: new Date().toISOString().slice(0, 10),
          trace: `T-${patient.name?.[0]?.given?.[0] ?? ''}`,
        },
        testX12Config(),
        9101,
        new Date(),
      );
      expect(segmentsOf(x12)).toContain('HL*4*3*23*0');
      const answer = await createCoreRealTimeTransport(core).exchange(
        'X12_270_Request_005010X279A1',
        x12,
      );
      const doc = await readX12(answer, '271');
      return { text: answer, found: doc.kind === 'eligibility' ? doc.answers[0] : undefined };
    };
    const lily = await ask(child);
    expect(segmentsOf(lily.text)).toContain('NM1*03*1*ABERNATHY*LILY');
    expect(lily.found?.rejections).toEqual([]);
    expect(lily.found?.dependent).toMatchObject({ lastName: 'ABERNATHY', firstName: 'LILY' });
    expect(lily.found?.subscriber.memberId).toBe('SBX7000023');
    expect(lily.found?.benefits[0]).toMatchObject({ info: '1', serviceTypes: ['30'] });
    const stranger = await ask({ ...child, name: [{ family: 'Abernathy', given: ['Sam'] }] });
    expect(stranger.found?.rejections.map((r) => r.reason)).toEqual(['67']);
    expect(stranger.found?.benefits).toEqual([]);
  });

  it('bills a child whose subscriber is a RelatedPerson: 2010BA names the parent, 2000C the child', async () => {
    const claim = await run.claimOf(SCENARIO.relatedSubscriber);
    expect(claim.patient.reference).toBe(`Patient/pat-${String(REAL_CLAIM_IDS.ward)}`);
    const segments = segmentsOf(await run.sent837(claim));
    const subscriber = loop(segments, /^HL\*2\*1\*22\*/, /^HL\*/);
    expect(subscriber[0]).toBe('HL*2*1*22*1');
    expect(subscriber).toContain(`NM1*IL*1*OKAFOR*ADAEZE****MI*${REAL_CLAIM_IDS.guardianMemberId}`);
    const patient = loop(segments, /^HL\*3\*2\*23\*/, /^CLM\*/);
    expect(patient).toContain('PAT*19');
    expect(patient.find((s) => s.startsWith('NM1*QC'))).toBe('NM1*QC*1*OKAFOR*THEO');
    // The worker checked the child's eligibility (2000D under the parent) before billing.
    const stored = await storedEligibility(run, SCENARIO.relatedSubscriber);
    expect(stored?.insurance?.[0]?.inforce).toBe(true);
    const answer = await run.answerTo(claim);
    expect(answer?.outcome).toBe('complete');
    expect(answer?.payment?.amount.value).toBeGreaterThan(0);
  });

  it('denies a knee injection with no prior authorization CO-197, and pays the one that names it', async () => {
    const missing = await run.claimOf(SCENARIO.priorAuthMissing);
    expect(missing.insurance[0]?.preAuthRef).toBeUndefined();
    expect(segmentsOf(await run.sent837(missing)).some((s) => s.startsWith('REF*G1*'))).toBe(false);
    const denied = await run.answerTo(missing);
    // An adjudicated denial (835 CLP02 4): complete, nothing paid, the CARC on the line.
    expect(denied?.outcome).toBe('complete');
    expect(adjustmentsOf(denied)).toEqual(['CO-197']);
    expect(denied?.payment?.amount.value ?? 0).toBe(0);

    const authorized = await run.claimOf(SCENARIO.priorAuth);
    const paid = await run.answerTo(authorized);
    expect(paid?.outcome).toBe('complete');
    expect(adjustmentsOf(paid)).not.toContain('CO-197');
    expect(paid?.payment?.amount.value).toBeGreaterThan(0);
  });

  // Last: it cancels the child's claim the tests above read.
  it("voids a paid dependent's claim through the billing workspace: CLM05-3 8, REF*F8, loop 2000C", async () => {
    const claim = await run.claimOf(SCENARIO.dependent);
    const answer = await run.answerTo(claim);
    const payerNumber = answer?.identifier?.find(
      (i) => i.system === X12_SYSTEM.payerClaimNumber,
    )?.value;
    expect(answer?.outcome).toBe('complete');
    expect(payerNumber).toBeTruthy();
    const biller = await billingSignIn(run.stack, 'pr-biller');
    const res = await fetch(`${run.stack.appUrl}/api/billing/claims/${claim.id}/void`, {
      method: 'POST',
      headers: { authorization: `Bearer ${biller}`, 'idempotency-key': randomUUID() },
    });
    expect(res.status, await res.text()).toBe(200);
    await run.stack.worker.tick();
    const [voidClaim] = await all<Claim>(run.billing, 'Claim', {
      identifier: `${SYSTEM.claimId}|enc-${SCENARIO.dependent}-v`,
    });
    if (!voidClaim) throw new Error('the worker wrote no void');
    const segments = segmentsOf(await run.sent837(voidClaim));
    const clm = segments.find((s) => s.startsWith('CLM*'))?.split('*');
    expect(clm?.[5]?.split(':')[2]).toBe('8');
    expect(segments).toContain(`REF*F8*${payerNumber ?? '?'}`);
    const patient = loop(segments, /^HL\*3\*2\*23\*/, /^CLM\*/);
    expect(patient).toContain('PAT*19');
    expect(patient.find((s) => s.startsWith('NM1*QC'))).toBe('NM1*QC*1*ABERNATHY*LILY');
    expect(segments).toContain('NM1*IL*1*ABERNATHY*MORGAN****MI*SBX7000023');
    const voided = await run.billing.read<Claim>('Claim', claim.id);
    expect(voided.status).toBe('cancelled');
  });
});
