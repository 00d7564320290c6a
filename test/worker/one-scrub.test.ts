import type { Coverage, Encounter, Organization, Patient } from 'fhir/r4';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { PRACTICE_CHARGE_MASTER } from '../../src/claims/fee-schedule.ts';
import { payerFacts, payerIdOfCoverage } from '../../src/edits/payer-edit-set.ts';
import { runEdits } from '../../src/edits/run-edits.ts';
import { loadEditReference } from '../../src/ncci/load-edit-reference.ts';
import { scrub } from '../../worker/pipeline/stages/scrub.ts';

const coding = {
  diagnoses: [{ code: 'M17.11' }],
  lines: [
    { code: '99214', system: 'cpt' as const, units: 1, modifiers: ['57'], pointers: [1] },
    { code: '27447', system: 'cpt' as const, units: 1, modifiers: [], pointers: [1] },
  ],
};

function context(start: string, payer: 'SBXHP' | 'MCR') {
  const coverage = {
    resourceType: 'Coverage',
    status: 'active',
    beneficiary: { reference: 'Patient/p1' },
    payor: [{ reference: 'Organization/o1', identifier: { value: payer } }],
  } as Coverage;
  return {
    encounter: {
      resourceType: 'Encounter',
      id: 'e1',
      status: 'finished',
      class: {},
      period: { start },
    } as Encounter & { id: string },
    encounterRef: 'Encounter/e1',
    patient: {
      resourceType: 'Patient',
      id: 'p1',
      birthDate: '1955-02-01',
      gender: 'female',
    } as Patient,
    chargeItems: [],
    conditions: [],
    coverage,
    billingProvider: undefined as Organization | undefined,
    payerOrg: undefined,
    practitioner: undefined,
  };
}

describe('one scrub: the worker runs the same edits, with the same reference, as the app and the CLI', () => {
  it('holds a 400-day-old claim (timely filing) and asks nothing of 99214-57 + 27447', async () => {
    const reference = await loadEditReference(
      '/nonexistent-chartbill-data',
      'sandbox',
      pino({ level: 'silent' }),
      {},
    );
    const now = () => new Date('2026-03-10T12:00:00Z');
    const deps = {
      codes: starterCodeSet(),
      chargeMaster: PRACTICE_CHARGE_MASTER,
      placeOfService: '11',
      editReference: reference,
      now,
    };
    const old = scrub(coding, context('2025-02-01', 'SBXHP'), deps);
    expect(old.blocked).toBe(true);
    expect(old.findings.find((f) => f.rule === 'claim-timely-filing')?.severity).toBe('error');
    // Modifier 57 on the decision-for-surgery visit: no 25 asked for, in the worker too.
    expect(old.findings.filter((f) => f.rule === 'em-needs-25' || f.rule === 'ncci-ptp')).toEqual(
      [],
    );
    // 27447 has no price in the sandbox charge master: a pricing item, not a coding error.
    expect(old.findings.find((f) => f.rule === 'charge-unpriced')).toMatchObject({
      category: 'pricing',
      severity: 'warning',
    });

    // The app's call: runEdits with the facts it builds from the same Coverage.
    const ctx = context('2025-02-01', 'SBXHP');
    const appFacts = {
      dateOfService: '2025-02-01',
      patientBirthDate: '1955-02-01',
      patientSex: 'female' as const,
      placeOfService: '11',
      today: '2026-03-10',
      visitPeriod: { start: '2025-02-01' },
      ...payerFacts(reference.payerEditSets, payerIdOfCoverage(ctx.coverage), []),
    };
    const app = runEdits(coding, appFacts, starterCodeSet(), reference);
    expect(app.map((f) => f.rule).sort()).toEqual(old.findings.map((f) => f.rule).sort());
  });
});
