import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { routedCapabilities, routedGateway } from '../../src/fhir/routed-gateway.ts';
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
    getToken: () => server.issueSystemToken('system/*.rs'),
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
