import type {
  Bundle,
  ChargeItem,
  Coverage,
  Encounter,
  Organization,
  Patient,
  Practitioner,
  Resource,
} from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { buildSeedResources, SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { npiWithCheckDigit } from '../../sandbox/seed-people.ts';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { startTestEhr } from './sandbox-fixture.ts';

let ehr: SandboxEhr | undefined;
afterEach(async () => {
  await ehr?.close();
  ehr = undefined;
});

const NOW = new Date('2026-03-10T15:00:00Z');

function byId<T extends Resource>(resources: Resource[], type: T['resourceType'], id: string): T {
  const found = resources.find((r) => r.resourceType === type && r.id === id);
  if (!found) throw new Error(`${type}/${id} not in seed`);
  return found as T;
}

describe('sandbox seed', () => {
  it('reads back every seeded resource from the running server', async () => {
    ehr = await startTestEhr({ now: () => NOW });
    const token = await ehr.issueSystemToken('system/*.rs');
    const seed = buildSeedResources(NOW);
    for (const resource of seed) {
      const res = await fetch(`${ehr.fhirBase}/${resource.resourceType}/${resource.id ?? ''}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect({ ref: `${resource.resourceType}/${resource.id ?? ''}`, status: res.status }).toEqual({
        ref: `${resource.resourceType}/${resource.id ?? ''}`,
        status: 200,
      });
    }
    const patients = (await (
      await fetch(`${ehr.fhirBase}/Patient?_count=100`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as Bundle;
    expect(patients.total).toBeGreaterThanOrEqual(20);
  });

  it('holds every resource of the stack seed (real-claim scenarios too) on the running server', async () => {
    ehr = await startTestEhr({ now: () => NOW, x12: true });
    const token = await ehr.issueSystemToken('system/*.rs');
    const seed = buildSeedResources(NOW, { x12: true });
    const missing: string[] = [];
    for (const resource of seed) {
      const ref = `${resource.resourceType}/${resource.id ?? ''}`;
      const res = await fetch(`${ehr.fhirBase}/${ref}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 200) missing.push(`${ref}: ${String(res.status)}`);
    }
    expect(missing).toEqual([]);
    // The default seed (what most tests count on) is unchanged by them: no new patient or visit.
    const plain = buildSeedResources(NOW);
    expect(plain.filter((r) => r.resourceType === 'Patient')).toHaveLength(22);
    expect(plain.filter((r) => r.id?.startsWith('enc-x12-'))).toHaveLength(0);
  });

  it('has the demo scenarios the worker and payer rely on', () => {
    const seed = buildSeedResources(NOW, { x12: true });
    const encounter = (id: string) => byId<Encounter>(seed, 'Encounter', id);
    const coverageOf = (e: Encounter) =>
      seed
        .filter((r): r is Coverage => r.resourceType === 'Coverage')
        .find((c) => c.beneficiary.reference === e.subject?.reference);
    const charges = (id: string) =>
      seed
        .filter((r): r is ChargeItem => r.resourceType === 'ChargeItem')
        .filter((c) => c.context?.reference === `Encounter/${id}`);

    for (const id of SEED_SCENARIOS.inProgress) expect(encounter(id).status).toBe('in-progress');
    for (const id of [
      ...SEED_SCENARIOS.clean,
      SEED_SCENARIOS.timelyFiling,
      SEED_SCENARIOS.noCoverage,
      SEED_SCENARIOS.lapsedCoverage,
      SEED_SCENARIOS.notCovered,
    ]) {
      expect(encounter(id).status).toBe('finished');
      expect(charges(id).length).toBeGreaterThan(0);
      expect(charges(id).every((c) => c.status === 'billable')).toBe(true);
    }
    for (const id of SEED_SCENARIOS.clean)
      expect(coverageOf(encounter(id))?.period?.end).toBeUndefined();
    const filingDays =
      (NOW.getTime() - Date.parse(encounter(SEED_SCENARIOS.timelyFiling).period?.start ?? '')) /
      86_400_000;
    // Past the plan's 90 days, inside ChartBill's default 365: sent, and denied CO-29.
    expect(filingDays).toBeGreaterThan(90);
    expect(filingDays).toBeLessThan(365);
    expect(coverageOf(encounter(SEED_SCENARIOS.noCoverage))).toBeUndefined();
    const lapsed = encounter(SEED_SCENARIOS.lapsedCoverage);
    expect(Date.parse(coverageOf(lapsed)?.period?.end ?? '')).toBeLessThan(
      Date.parse(lapsed.period?.start ?? ''),
    );
    expect(charges(SEED_SCENARIOS.notCovered).map((c) => c.code.coding?.[0])).toContainEqual({
      system: SYSTEM.hcpcs,
      code: 'S9986',
    });
  });

  it('gives the billing provider and practitioners valid NPIs and includes a child and an older adult', () => {
    const seed = buildSeedResources(NOW, { x12: true });
    const npis = seed
      .filter(
        (r): r is Organization | Practitioner =>
          // The providers; the billing office's staff (seed-billing-staff.ts) bill, they do not treat.
          (r.resourceType === 'Practitioner' && !r.id?.match(/^pr-(coder|biller|manager)$/)) ||
          (r.resourceType === 'Organization' && r.id === 'org-billing'),
      )
      .map((r) => r.identifier?.find((i) => i.system === SYSTEM.npi)?.value ?? '');
    // The practice's three and the outside physician who refers a patient (seed-real-claims.ts).
    expect(npis).toHaveLength(5);
    for (const npi of npis) expect(npiWithCheckDigit(npi.slice(0, 9))).toBe(npi);
    expect(npiWithCheckDigit('123456789')).toBe('1234567893');
    const ages = seed
      .filter((r): r is Patient => r.resourceType === 'Patient')
      .map((p) => NOW.getUTCFullYear() - Number(p.birthDate?.slice(0, 4)));
    expect(Math.min(...ages)).toBeLessThan(18);
    expect(Math.max(...ages)).toBeGreaterThanOrEqual(65);
  });
});
