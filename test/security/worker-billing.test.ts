import { afterEach, describe, expect, it } from 'vitest';
import { eligibilityIdentifierFor } from '../../src/claims/build-eligibility-request.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { all, claimsOf, startWorld, workerFor, type World } from '../worker/worker-kit.ts';
import {
  coverage,
  cpt,
  daysAgo,
  icd,
  organization,
  patient,
  putAll,
  visitResources,
  type VisitSpec,
} from './hostile-encounters.ts';
import { wasPaid, workItemOf } from './worker-kit-security.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Hostile and careless records must hold the encounter with a reason, never reach the payer. */
const TIMEOUT = 180_000;

/** A clean office visit of `patientId`, to change one thing in. */
function visit(id: string, patientId: string, extra: Partial<VisitSpec> = {}): VisitSpec {
  return {
    id,
    patient: patientId,
    start: daysAgo(3),
    diagnoses: [icd('J06.9')],
    lines: [cpt('99213')],
    ...extra,
  };
}

async function tickAll(w: World): Promise<void> {
  const summary = await workerFor(w, { ledger: createMemoryLedger() }).tick();
  expect(summary.failed).toBe(0);
}

function submitted(w: World, encounterId: string): number | undefined {
  return w.payer.audit().submits[`${SYSTEM.claimId}|enc-${encounterId}`];
}

/** Held as `code` with a reason naming each of `words`; no claim reached the payer. */
async function expectHeld(
  w: World,
  encounterId: string,
  code: string,
  words: string[],
): Promise<void> {
  const item = await workItemOf(w.fhir, encounterId);
  expect(item.codes, encounterId).toEqual([code]);
  for (const word of words) expect(item.description, encounterId).toContain(word);
  expect(submitted(w, encounterId), encounterId).toBeUndefined();
}

describe('the worker bills only what belongs on the claim', () => {
  it(
    "holds an encounter whose ChargeItem or Condition is another patient's, and pays the clean one beside it",
    async () => {
      world = await startWorld();
      await putAll(world.fhir, [
        ...visitResources(
          visit('sec-foreign-line', 'pat-05', {
            lines: [cpt('99213'), cpt('99215', { subject: 'pat-07' })],
          }),
        ),
        ...visitResources(
          visit('sec-foreign-dx', 'pat-06', {
            diagnoses: [icd('J06.9'), icd('E11.9', { subject: 'pat-08' })],
          }),
        ),
        ...visitResources(visit('sec-own', 'pat-09')),
      ]);
      await tickAll(world);

      await expectHeld(world, 'sec-foreign-line', 'data-invalid', [
        'ChargeItem/sec-foreign-line-line2',
        'Patient/pat-07',
      ]);
      await expectHeld(world, 'sec-foreign-dx', 'data-invalid', [
        'Condition/sec-foreign-dx-dx2',
        'Patient/pat-08',
      ]);
      expect(await claimsOf(world.fhir, 'sec-foreign-line')).toEqual([]);
      expect(await wasPaid(world.fhir, 'sec-own')).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'bills only ICD-10-CM, CPT and HCPCS codings, and names the coding it found instead',
    async () => {
      world = await startWorld();
      await putAll(world.fhir, [
        ...visitResources(
          visit('sec-local-dx', 'pat-10', {
            diagnoses: [{ system: 'urn:oid:1.2.3.4.99', code: 'E11.9' }],
          }),
        ),
        ...visitResources(
          visit('sec-cdm-line', 'pat-11', {
            lines: [{ system: 'http://hospital.example.org/chargemaster', code: '99215' }],
          }),
        ),
        ...visitResources(visit('sec-no-system', 'pat-12', { diagnoses: [{ code: 'E11.9' }] })),
        ...visitResources(
          visit('sec-snomed', 'pat-13', {
            diagnoses: [{ system: 'http://snomed.info/sct', code: '44054006' }],
          }),
        ),
        // A SNOMED coding beside the ICD-10-CM one is fine: the ICD-10-CM code is billed.
        ...visitResources(
          visit('sec-both', 'pat-14', {
            diagnoses: [
              {
                system: 'http://snomed.info/sct',
                code: '44054006',
                also: [{ system: SYSTEM.icd10cm, code: 'E11.9' }],
              },
            ],
          }),
        ),
      ]);
      await tickAll(world);

      await expectHeld(world, 'sec-local-dx', 'data-invalid', [
        'Condition/sec-local-dx-dx1',
        'urn:oid:1.2.3.4.99|E11.9',
      ]);
      await expectHeld(world, 'sec-cdm-line', 'data-invalid', [
        'ChargeItem/sec-cdm-line-line1',
        'http://hospital.example.org/chargemaster|99215',
      ]);
      await expectHeld(world, 'sec-no-system', 'data-invalid', ['(no system)|E11.9']);
      await expectHeld(world, 'sec-snomed', 'data-invalid', ['http://snomed.info/sct|44054006']);
      expect(await wasPaid(world.fhir, 'sec-both')).toBe(true);
    },
    TIMEOUT,
  );

  it(
    "sends nothing to the payer unless the coverage's payor is an insurer the payer connection knows",
    async () => {
      world = await startWorld();
      const payors = {
        'sec-payor-patient': { reference: 'Patient/sec-payor-patient' },
        'sec-payor-billing': { reference: 'Organization/org-billing' },
        'sec-payor-missing': { reference: 'Organization/no-such-insurer' },
        'sec-payor-text': { display: 'Sandbox Health Plan' },
        'sec-payor-unknown': { reference: 'Organization/sec-other-insurer' },
        'sec-payor-good': { reference: 'Organization/org-payer' },
      };
      const people = Object.entries(payors).flatMap(([id, payor]) => [
        patient(id),
        coverage(id, payor),
        ...visitResources(visit(id, id)),
      ]);
      await putAll(world.fhir, [
        organization(
          'sec-other-insurer',
          [{ system: SYSTEM.payerId, value: 'ELSEWHERE' }],
          'Other Health Plan',
        ),
        ...people,
      ]);
      await tickAll(world);

      await expectHeld(world, 'sec-payor-patient', 'data-invalid', [
        'Patient/sec-payor-patient',
        'only an insurer',
      ]);
      await expectHeld(world, 'sec-payor-billing', 'data-invalid', ['billing organization itself']);
      await expectHeld(world, 'sec-payor-missing', 'data-invalid', [
        'Organization/no-such-insurer',
        'does not exist',
      ]);
      await expectHeld(world, 'sec-payor-text', 'data-invalid', [
        'only as text',
        'Sandbox Health Plan',
      ]);
      await expectHeld(world, 'sec-payor-unknown', 'data-invalid', [
        'Organization/sec-other-insurer',
        `${SYSTEM.payerId}|ELSEWHERE`,
        'CHARTBILL_PAYER_IDS',
      ]);
      expect(await wasPaid(world.fhir, 'sec-payor-good')).toBe(true);
      // Not even the eligibility question went out for the five.
      for (const id of Object.keys(payors)) {
        const asked = await all(world.fhir, 'CoverageEligibilityRequest', {
          identifier: `${eligibilityIdentifierFor(id).system ?? ''}|${eligibilityIdentifierFor(id).value ?? ''}`,
        });
        expect(asked, id).toHaveLength(id === 'sec-payor-good' ? 1 : 0);
      }
    },
    TIMEOUT,
  );

  it(
    'holds impossible claims with the edit that explains them',
    async () => {
      world = await startWorld();
      const inThreeDays = new Date(Date.now() + 3 * 86_400_000).toISOString();
      await putAll(world.fhir, [
        organization(
          'sec-org-bad-npi',
          [{ system: SYSTEM.npi, value: '1234567890' }],
          'Bad NPI Clinic',
        ),
        organization('sec-org-no-npi', [], 'No NPI Clinic'),
        patient('sec-newborn', new Date().toISOString().slice(0, 10)),
        coverage('sec-newborn'),
        ...visitResources(visit('sec-future', 'pat-02', { start: inThreeDays })),
        ...visitResources(visit('sec-unborn', 'sec-newborn', { start: daysAgo(5) })),
        ...visitResources(visit('sec-backwards', 'pat-03', { start: daysAgo(3), end: daysAgo(4) })),
        ...visitResources(visit('sec-bad-npi', 'pat-04', { serviceProvider: 'sec-org-bad-npi' })),
        ...visitResources(visit('sec-no-npi', 'pat-15', { serviceProvider: 'sec-org-no-npi' })),
        ...visitResources(
          visit('sec-duplicate', 'pat-16', { lines: [cpt('99213'), cpt('36415'), cpt('36415')] }),
        ),
        ...visitResources(
          visit('sec-two-visits', 'pat-17', { lines: [cpt('99213'), cpt('99214')] }),
        ),
        ...visitResources(visit('sec-fine', 'pat-18', { lines: [cpt('99213'), cpt('36415')] })),
      ]);
      await tickAll(world);

      const held = {
        'sec-future': 'is after today',
        'sec-unborn': 'birth date',
        'sec-backwards': 'before it starts',
        'sec-bad-npi': 'NPI 1234567890 is not valid',
        'sec-no-npi': 'has no NPI',
        'sec-duplicate': 'Line 3 repeats line 2',
        'sec-two-visits': '2 office visits',
      };
      for (const [id, words] of Object.entries(held)) {
        await expectHeld(world, id, 'claim-scrub-errors', [words]);
        expect(
          (await claimsOf(world.fhir, id)).map((c) => c.status),
          id,
        ).toEqual(['draft']);
      }
      expect(await wasPaid(world.fhir, 'sec-fine')).toBe(true);
    },
    TIMEOUT,
  );
});
