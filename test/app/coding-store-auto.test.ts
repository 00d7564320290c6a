import type { ChargeItem, Claim, Encounter } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxStack, type SandboxStack } from '../../cli/sandbox-stack.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { SANDBOX_EHR_PROFILES, sandboxEhrProfile } from '../../sandbox/ehr-profiles.ts';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { codeInApp } from './code-in-app.ts';

/**
 * Issue 13, item 4: with CHARTBILL_CODING_STORE unset (`auto`), the app and the worker read the
 * EHR's CapabilityStatement and agree where the coding lives: the EHR where it declares ChargeItem
 * and Condition create and update (strict, medplum-like), the billing store where it does not
 * (epic-like: no ChargeItem at all; oracle-like: no update). What the clinician saves in the app
 * is what the worker bills.
 */

const logger = createLogger('silent', 'coding-store-auto-test');
let stack: SandboxStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const ENCOUNTER = 'enc-today-01';

async function admin(server: SandboxEhr): Promise<FhirGateway> {
  const token = await server.issueSystemToken('system/*.cruds');
  return createFhirGateway({ baseUrl: server.fhirBase, getToken: () => Promise.resolve(token) });
}

async function chargeItemsOf(fhir: FhirGateway): Promise<ChargeItem[]> {
  return (await fhir.searchAll('ChargeItem', { context: `Encounter/${ENCOUNTER}` })).filter(
    (r): r is ChargeItem => r.resourceType === 'ChargeItem',
  );
}

describe('CHARTBILL_CODING_STORE=auto', { timeout: 240_000 }, () => {
  it.each(SANDBOX_EHR_PROFILES)(
    'the sandbox playing %s: the coding the app saves is where the worker reads it',
    async (name) => {
      const profile = sandboxEhrProfile(name);
      stack = await startSandboxStack({
        host: '127.0.0.1',
        ports: { app: 0, ehr: 0, payer: 0, worker: 0 },
        logger,
        codes: starterCodeSet(),
        workerSchedule: '0 0 0 1 1 *',
        startWorker: false,
        profile,
      });
      expect(stack.workerConfig.codingStore).toBe('auto');
      const ehr = await admin(stack.ehr);
      // Epic and Oracle Health cannot hold the coding: the sandbox gives them a billing store.
      const inBilling = name === 'epic-like' || name === 'oracle-like';
      const billing = stack.billing ? await admin(stack.billing) : undefined;
      expect(billing !== undefined).toBe(inBilling);

      await codeInApp(stack, ENCOUNTER);
      const home = billing ?? ehr;
      const saved = await chargeItemsOf(home);
      expect(saved.map((c) => c.code.coding?.[0]?.code)).toEqual(['99213']);
      expect(saved[0]?.status).toBe('billable');
      // Not a copy in the EHR too (epic-like has no ChargeItem endpoint at all).
      if (inBilling && name !== 'epic-like') expect(await chargeItemsOf(ehr)).toEqual([]);

      // The visit ends in the EHR; the worker bills what the clinician coded.
      const encounter = await ehr.read<Encounter>('Encounter', ENCOUNTER);
      await ehr.update<Encounter>({
        ...encounter,
        status: 'finished',
        period: { ...encounter.period, end: encounter.period?.start ?? new Date().toISOString() },
      });
      let claim: Claim | undefined;
      for (let tick = 0; tick < 6 && !claim; tick++) {
        await stack.worker.tick();
        [claim] = (
          await home.searchAll('Claim', { identifier: `${SYSTEM.claimId}|enc-${ENCOUNTER}` })
        ).filter((r): r is Claim => r.resourceType === 'Claim');
      }
      expect(claim?.item?.map((i) => i.productOrService.coding?.[0]?.code)).toEqual(['99213']);
      expect(claim?.diagnosis?.map((d) => d.diagnosisCodeableConcept?.coding?.[0]?.code)).toEqual([
        'I10',
      ]);
    },
  );
});
