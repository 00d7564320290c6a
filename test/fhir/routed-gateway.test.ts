import type { Claim, Provenance } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import {
  BILLING_STORE_TYPES,
  routedCapabilities,
  routedGateway,
} from '../../src/fhir/routed-gateway.ts';
import {
  createCapabilitiesSource,
  declaresRevInclude,
  supports,
} from '../../src/fhir/server-capabilities.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { sandboxEhrProfile } from '../../sandbox/ehr-profiles.ts';
import { isSeedCoding } from '../../sandbox/seed-data.ts';
import { startSandboxEhr, type SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';

const logger = createLogger('silent', 'routed-gateway-test');
let ehr: SandboxEhr;
let billing: SandboxEhr;

beforeAll(async () => {
  // A strict EHR (declares _revinclude of ChargeItem) with the coding kept elsewhere.
  [ehr, billing] = await Promise.all([
    startSandboxEhr({ port: 0, logger, clients: [], seed: (r) => !isSeedCoding(r) }),
    startSandboxEhr({
      port: 0,
      logger,
      clients: [],
      profile: sandboxEhrProfile('strict'),
      seed: isSeedCoding,
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([ehr.close(), billing.close()]);
});

const gateway = (server: SandboxEhr) =>
  createFhirGateway({
    baseUrl: server.fhirBase,
    getToken: () => server.issueSystemToken('system/*.cruds'),
  });

describe('the coding on a billing FHIR server', () => {
  it('reads ChargeItems and encounter diagnoses there, the chart and problem list from the EHR', async () => {
    const fhir = routedGateway(gateway(ehr), gateway(billing));
    const charges = await fhir.searchAll('ChargeItem', { _count: 1000 });
    expect(charges.length).toBeGreaterThan(0);
    expect(await gateway(ehr).searchAll('ChargeItem', { _count: 1000 })).toHaveLength(0);
    const problems = await fhir.searchAll('Condition', { category: 'problem-list-item' });
    expect(problems.length).toBeGreaterThan(0);
    const diagnoses = await fhir.searchAll('Condition', { category: 'encounter-diagnosis' });
    expect(diagnoses.length).toBeGreaterThan(0);
    expect(await fhir.searchAll('Encounter', { _count: 1 }, 1)).toHaveLength(1);
  });

  it("reads a ChargeItem's versions (`ChargeItem/:id/_history`) there too", async () => {
    const fhir = routedGateway(gateway(ehr), gateway(billing));
    const [charge] = await fhir.searchAll('ChargeItem', { _count: 1 }, 1);
    const versions = await fhir.searchAll(`ChargeItem/${charge?.id ?? ''}/_history`, {});
    expect(versions.map((v) => v.id)).toContain(charge?.id);
  });

  it('never revincludes the coding from the EHR, where it is not', async () => {
    const main = createCapabilitiesSource({ baseUrl: ehr.fhirBase });
    expect(declaresRevInclude(await main.get(), 'Encounter', 'ChargeItem:context')).toBe(true);
    const caps = await routedCapabilities(
      main,
      createCapabilitiesSource({ baseUrl: billing.fhirBase }),
    ).get();
    expect(declaresRevInclude(caps, 'Encounter', 'ChargeItem:context')).toBe(false);
    expect(declaresRevInclude(caps, 'Encounter', 'Condition:encounter')).toBe(false);
    expect(supports(caps, 'ChargeItem', 'update')).toBe(true);
  });
});

describe('Provenance beside what it describes', () => {
  const provenanceOf = (target: string): Provenance => ({
    resourceType: 'Provenance',
    target: [{ reference: target }],
    recorded: new Date().toISOString(),
    agent: [{ who: { display: 'routed-gateway test' } }],
  });
  const ids = (found: { id?: string }[]) => found.map((r) => r.id).sort();

  it("writes a claim's Provenance to the billing store and finds it there by target, an encounter's in the EHR", async () => {
    const fhir = routedGateway(gateway(ehr), gateway(billing), BILLING_STORE_TYPES);
    const { resource: claim } = await fhir.create<Claim>({
      resourceType: 'Claim',
      status: 'draft',
      type: { coding: [{ code: 'professional' }] },
      use: 'claim',
      patient: { reference: 'Patient/routed-test' },
      created: '2026-01-02',
      provider: { reference: 'Organization/routed-test' },
      priority: { coding: [{ code: 'normal' }] },
      insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/routed-test' } }],
    });
    const [encounter] = await fhir.searchAll('Encounter', { _count: 1 }, 1);
    const claimTarget = `Claim/${claim.id ?? ''}/_history/${claim.meta?.versionId ?? ''}`;
    const encounterTarget = `Encounter/${encounter?.id ?? ''}`;
    const { resource: ofClaim } = await fhir.create(provenanceOf(claimTarget));
    const { resource: ofEncounter } = await fhir.create(provenanceOf(encounterTarget));

    // Each written beside its target: the claim's in the billing store, the encounter's in the EHR.
    expect(ids(await gateway(billing).searchAll('Provenance', { target: claimTarget }))).toEqual([
      ofClaim.id,
    ]);
    expect(ids(await gateway(ehr).searchAll('Provenance', { target: claimTarget }))).toEqual([]);
    expect(ids(await gateway(ehr).searchAll('Provenance', { target: encounterTarget }))).toEqual([
      ofEncounter.id,
    ]);

    // Found through the routed gateway by target, wherever it lives; one OR list across both homes.
    expect(ids(await fhir.searchAll('Provenance', { target: claimTarget }))).toEqual([ofClaim.id]);
    expect(
      ids(await fhir.searchAll('Provenance', { target: `${claimTarget},${encounterTarget}` })),
    ).toEqual(ids([ofClaim, ofEncounter]));
    const pages = [];
    for await (const page of fhir.searchPages('Provenance', { target: claimTarget }))
      pages.push(...(page.entry ?? []).map((e) => e.resource?.id));
    expect(pages).toEqual([ofClaim.id]);
  });

  it('refuses in words a search that must match targets kept on two servers', async () => {
    const fhir = routedGateway(gateway(ehr), gateway(billing), BILLING_STORE_TYPES);
    await expect(
      fhir.searchAll('Provenance', { target: ['Claim/1', 'Encounter/2'] }),
    ).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });
});
