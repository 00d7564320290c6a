import type { AuditEvent, ChargeItem, Condition, Provenance } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { api, launchSession } from '../app/launch-driver.ts';
import { startLaunchStack, type LaunchStack } from '../app/launch-stack.ts';

let stack: LaunchStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Polls until `check` returns something (the app sends its AuditEvents shortly after answering). */
async function eventually<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const until = Date.now() + 60_000;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ENCOUNTER = 'enc-today-01';

describe('the app records who did what', () => {
  it('writes a Provenance with the practitioner as author for each resource a save writes, and audits reads and writes', async () => {
    stack = await startLaunchStack({ apps: [{ clientId: 'cb' }] });
    const url = stack.apps.get('cb')?.url ?? '';
    const handle = await launchSession(stack.ehr, url, 'cb', ENCOUNTER);
    expect((await api(url, handle, '/api/context')).status).toBe(200);
    const saved = await fetch(`${url}/api/coding`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${handle}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        coding: {
          diagnoses: [{ code: 'I10' }],
          lines: [{ code: '99213', system: 'cpt', units: 1, modifiers: [], pointers: [1] }],
        },
        keys: { diagnoses: ['audit-dx-1'], lines: ['audit-line-1'] },
        signOff: false,
        seen: { conditions: {}, chargeItems: {} },
      }),
    });
    expect(saved.status).toBe(200);

    const token = await stack.ehr.issueSystemToken('system/*.rs');
    const fhir = createFhirGateway({
      baseUrl: stack.ehr.fhirBase,
      getToken: () => Promise.resolve(token),
    });
    const conditions = (await fhir.searchAll('Condition', {
      encounter: `Encounter/${ENCOUNTER}`,
    })) as Condition[];
    const charges = (await fhir.searchAll('ChargeItem', {
      context: `Encounter/${ENCOUNTER}`,
    })) as ChargeItem[];
    const written = [
      ...conditions.filter((c) => c.meta?.tag?.some((t) => t.code === 'smart-app')),
      ...charges,
    ];
    expect(written.length).toBeGreaterThanOrEqual(2);
    const practitioner = conditions.find((c) => c.recorder)?.recorder?.reference;
    expect(practitioner).toMatch(/^Practitioner\//);
    for (const r of written) {
      const target = `${r.resourceType}/${r.id ?? ''}/_history/${r.meta?.versionId ?? ''}`;
      const [p] = (await fhir.searchAll('Provenance', { target })) as Provenance[];
      expect(p, target).toBeDefined();
      expect(p?.agent.find((a) => a.type?.coding?.[0]?.code === 'author')?.who.reference).toBe(
        practitioner,
      );
      expect(p?.agent.find((a) => a.type?.coding?.[0]?.code === 'assembler')?.who.display).toBe(
        'ChartBill app',
      );
      expect(p?.activity?.coding?.[0]?.code).toBe('CREATE');
    }

    // Reads (the patient banner) and writes (the save) of this patient, by this practitioner.
    const events = await eventually(async () => {
      const found = (await fhir.searchAll('AuditEvent', {
        entity: `Encounter/${ENCOUNTER}`,
      })) as AuditEvent[];
      const kinds = new Set(found.map((e) => e.action));
      return kinds.has('R') && kinds.has('C') && kinds.has('E') ? found : undefined;
    }, "the app's AuditEvents");
    for (const e of events) {
      expect(e.type.code).toBe('rest');
      expect(e.source.observer.display).toBe('ChartBill app');
      const requestor = e.agent.find((a) => a.requestor);
      expect(requestor?.who?.reference).toBe(practitioner);
      expect(
        e.agent.some(
          (a) =>
            !a.requestor &&
            a.who?.display === 'ChartBill app' &&
            a.type?.coding?.[0]?.code === '110153',
        ),
      ).toBe(true);
      expect(e.entity?.find((x) => x.role?.code === '1')?.what?.reference).toMatch(/^Patient\//);
    }
    const create = events.find(
      (e) => e.action === 'C' && e.entity?.some((x) => x.what?.reference?.startsWith('Condition/')),
    );
    expect(create?.subtype?.[0]?.code).toBe('create');
    expect(create?.agent.find((a) => a.requestor)?.type?.coding?.[0]?.code).toBe('AUT');
  });
});
