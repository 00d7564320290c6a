import type { AuditEvent } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxStack, type SandboxStack } from '../../cli/sandbox-stack.ts';
import { chooseAuditStore } from '../../src/audit/audit-store.ts';
import { loadAuditTrail } from '../../src/audit/audit-trail.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { recordHomes } from '../../src/fhir/record-homes.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { UNKNOWN_CAPABILITIES } from '../../src/fhir/server-capabilities.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { capsOf } from '../fhir/sandbox-capabilities.ts';
import { sandboxEhrProfile } from '../../sandbox/ehr-profiles.ts';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { all } from '../worker/worker-kit.ts';

const BILLING = 'https://billing.example.org/fhir';

describe('where the AuditEvents go with CHARTBILL_AUDIT_STORE=auto (chooseAuditStore)', () => {
  it.each([
    ['strict', 'ehr'],
    ['medplum-like', 'ehr'],
    ['epic-like', 'billing'],
    ['oracle-like', 'billing'],
  ] as const)('the EHR playing %s, with a billing FHIR server: %s', (name, store) => {
    expect(
      chooseAuditStore(capsOf(name), { setting: 'auto', billingFhirBaseUrl: BILLING }),
    ).toEqual(expect.objectContaining({ store }));
  });

  it('says why, and an explicit setting still wins', () => {
    expect(
      chooseAuditStore(capsOf('epic-like'), { setting: 'auto', billingFhirBaseUrl: BILLING })
        .reason,
    ).toBe(
      `AuditEvents: billing FHIR server ${BILLING} — the EHR's CapabilityStatement does not declare AuditEvent create`,
    );
    expect(
      chooseAuditStore(capsOf('epic-like'), { setting: 'ehr', billingFhirBaseUrl: BILLING }).store,
    ).toBe('ehr');
    expect(
      chooseAuditStore(capsOf('strict'), { setting: 'billing', billingFhirBaseUrl: BILLING }).store,
    ).toBe('billing');
    expect(chooseAuditStore(capsOf('strict'), { setting: 'log' }).store).toBe('log');
  });

  it('stays with the EHR when there is no billing FHIR server, and with the billing server when the statement cannot be read', () => {
    expect(chooseAuditStore(capsOf('oracle-like'), { setting: 'auto' }).store).toBe('ehr');
    expect(
      chooseAuditStore(UNKNOWN_CAPABILITIES, { setting: 'auto', billingFhirBaseUrl: BILLING })
        .store,
    ).toBe('billing');
  });

  it('is on the registration sheet and in doctor (recordHomes): where, and why', () => {
    const epic = recordHomes(capsOf('epic-like'), { billingFhirBaseUrl: BILLING });
    expect(epic.audit).toBe('billing');
    expect(epic.reasons).toContain(epic.auditReason);
    expect(epic.auditRefused).toBe(false);
    // Without a billing server, Epic would refuse them: doctor warns.
    const alone = recordHomes(capsOf('epic-like'), {});
    expect(alone).toMatchObject({ audit: 'ehr', auditRefused: true });
    expect(recordHomes(capsOf('strict'), {})).toMatchObject({ audit: 'ehr', auditRefused: false });
  });
});

let stack: SandboxStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function reader(server: SandboxEhr) {
  const token = await server.issueSystemToken('system/AuditEvent.rs system/Provenance.rs');
  return createFhirGateway({ baseUrl: server.fhirBase, getToken: () => Promise.resolve(token) });
}

describe("the worker's AuditEvents beside an EHR that takes none", () => {
  it('epic-like: they are kept in the billing store, none are sent to the EHR, and the audit trail finds them', async () => {
    stack = await startSandboxStack({
      host: '127.0.0.1',
      ports: { app: 0, ehr: 0, payer: 0, worker: 0 },
      logger: createLogger('silent', 'audit-store-auto-test'),
      codes: starterCodeSet(),
      workerSchedule: '*/5 * * * * *',
      startWorker: false,
      history: false,
      profile: sandboxEhrProfile('epic-like'),
    });
    expect(stack.billing).toBeDefined();
    const summary = await stack.worker.tick();
    expect(summary.submitted).toBeGreaterThan(0);
    const ehr = await reader(stack.ehr);
    const billing = await reader(stack.billing as SandboxEhr);

    const kept = await all<AuditEvent>(billing, 'AuditEvent');
    expect(kept.some((e) => e.source.observer.display === 'ChartBill worker')).toBe(true);
    // The worker's reads of the EHR are among them, recorded against the EHR's address.
    expect(
      kept.some((e) =>
        e.agent.some(
          (a) =>
            a.type?.coding?.[0]?.code === '110152' && a.network?.address === stack?.ehr.fhirBase,
        ),
      ),
    ).toBe(true);
    expect(await all<AuditEvent>(ehr, 'AuditEvent')).toEqual([]);

    const trail = await loadAuditTrail({ ehr, billing }, SEED_SCENARIOS.clean[0]);
    expect(trail.some((t) => t.interaction === 'create' && t.via === 'ChartBill worker')).toBe(
      true,
    );
  }, 240_000);
});
