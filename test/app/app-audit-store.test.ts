import type { AuditEvent } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { all } from '../worker/worker-kit.ts';
import { codeInApp } from './code-in-app.ts';
import { startLoggedStack } from './logged-stack.ts';

/**
 * Issue 13, item 4: the app's own AuditEvents (IHE BALP, the clinician's reads and writes) go
 * where CHARTBILL_AUDIT_STORE=auto puts the worker's: the billing store beside an EHR that takes
 * none (Epic, Oracle Health), the EHR otherwise. Either way they name the practitioner who acted.
 */

let stack: SandboxStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const ENCOUNTER = 'enc-today-01';

async function reader(server: SandboxEhr): Promise<FhirGateway> {
  const token = await server.issueSystemToken('system/AuditEvent.rs');
  return createFhirGateway({ baseUrl: server.fhirBase, getToken: () => Promise.resolve(token) });
}

const byApp = (e: AuditEvent) => e.source.observer.display === 'ChartBill app';
const reads = (type: string) => (e: AuditEvent) =>
  e.subtype?.[0]?.code === 'read' &&
  (e.entity ?? []).some((x) => x.what?.reference?.startsWith(`${type}/`));
const writes = (type: string) => (e: AuditEvent) =>
  (e.subtype?.[0]?.code === 'create' || e.subtype?.[0]?.code === 'update') &&
  (e.entity ?? []).some((x) => x.what?.reference?.startsWith(`${type}/`));

/**
 * The app's AuditEvents on `server` once they include its read of the Encounter (from the EHR)
 * and its write of the coding: the app sends them in batches after each request, so this waits
 * for them to arrive (the test's timeout is the safety net).
 */
async function appEventsOn(server: SandboxEhr): Promise<AuditEvent[]> {
  const fhir = await reader(server);
  for (;;) {
    const events = (await all<AuditEvent>(fhir, 'AuditEvent')).filter(byApp);
    if (events.some(reads('Encounter')) && events.some(writes('ChargeItem'))) return events;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the app logged about AuditEvents no server kept (a refusal, or events kept in the log). */
function refusals(lines: string[]): string[] {
  return lines.filter((l) => {
    const entry = JSON.parse(l) as { msg?: string };
    return (
      entry.msg === 'audit event' ||
      entry.msg === 'the FHIR server refuses these audit records; they go to the log'
    );
  });
}

describe("the app's AuditEvents with CHARTBILL_AUDIT_STORE=auto", { timeout: 240_000 }, () => {
  it('epic-like: a launch and a coding save leave them in the billing store, naming the practitioner; none refused', async () => {
    const lines: string[] = [];
    stack = await startLoggedStack('epic-like', lines);
    expect(stack.billing).toBeDefined();
    await codeInApp(stack, ENCOUNTER);

    const kept = await appEventsOn(stack.billing as SandboxEhr);
    // The EHR reads are recorded against the EHR's address, in BALP form.
    const encounterRead = kept.find(reads('Encounter'));
    expect(
      encounterRead?.agent.some(
        (a) => a.type?.coding?.[0]?.code === '110152' && a.network?.address === stack?.ehr.fhirBase,
      ),
    ).toBe(true);
    expect(encounterRead?.meta?.profile?.[0]).toMatch(/ihe\.net.*BALP/i);
    // The requestor is the clinician, not the app.
    for (const e of kept) {
      const requestor = e.agent.find((a) => a.requestor);
      expect(requestor?.who?.reference).toMatch(/^Practitioner\//);
    }
    expect(refusals(lines)).toEqual([]);
  });

  it('strict: they stay in the EHR, which declares AuditEvent create', async () => {
    const lines: string[] = [];
    stack = await startLoggedStack('strict', lines);
    expect(stack.billing).toBeUndefined();
    await codeInApp(stack, ENCOUNTER);

    const kept = await appEventsOn(stack.ehr);
    expect(kept.find(writes('ChargeItem'))?.agent.find((a) => a.requestor)?.who?.reference).toMatch(
      /^Practitioner\//,
    );
    expect(refusals(lines)).toEqual([]);
  });
});
