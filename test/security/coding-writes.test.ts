import type { IncomingMessage } from 'node:http';
import type { ChargeItem, Condition, Resource } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import type { EncounterCoding } from '../../src/coding/coding-model.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { ehrLaunchUrl, launchSession } from '../app/launch-driver.ts';
import { startLaunchStack, type LaunchStack } from '../app/launch-stack.ts';
import { startFaultProxy, type Fault, type FaultProxy } from '../faults/fault-proxy.ts';
import { authorizeAt, sessionHandleIn, startLaunch } from '../app/launch-driver.ts';

/**
 * Hostile and careless coding saves against the real sandbox over HTTP: a save writes only the
 * launched encounter's own diagnoses and services, with the code set's displays, all or nothing,
 * and never rewrites what did not change.
 */

let stack: LaunchStack | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await stack?.close();
  await proxy?.close();
  stack = undefined;
  proxy = undefined;
});

const ENCOUNTER = 'enc-today-01';
const PATIENT = 'pat-01';

interface Answer {
  status: number;
  json: { error?: string; message?: string; hint?: string; coding?: EncounterCoding };
}

/** The EHR's view: reads and writes with a system token, outside ChartBill. */
function chart(ehr: SandboxEhr, base = ehr.fhirBase) {
  const token = ehr.issueSystemToken('system/*.cruds');
  const call = async (path: string, init: RequestInit = {}) => {
    const headers = {
      authorization: `Bearer ${await token}`,
      accept: 'application/fhir+json',
      'content-type': 'application/fhir+json',
    };
    const res = await fetch(`${base}/${path}`, { ...init, headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return {
    async read<T extends Resource>(path: string): Promise<T | undefined> {
      const res = await call(path);
      return res.status === 200 ? (res.body as unknown as T) : undefined;
    },
    async put(resource: Resource): Promise<void> {
      const res = await call(`${resource.resourceType}/${resource.id ?? ''}`, {
        method: 'PUT',
        body: JSON.stringify(resource),
      });
      if (res.status >= 300)
        throw new Error(
          `PUT ${resource.resourceType} answered ${res.status}: ${JSON.stringify(res.body)}`,
        );
    },
    async search<T extends Resource>(path: string): Promise<T[]> {
      const res = await call(path);
      return ((res.body.entry ?? []) as { resource: T }[]).map((e) => e.resource);
    },
    /** How many versions the resource has (its history). */
    async versions(path: string): Promise<number> {
      const res = await call(`${path}/_history`);
      if (res.status !== 200) throw new Error(`history of ${path} answered ${res.status}`);
      return ((res.body.entry ?? []) as unknown[]).length;
    },
  };
}
type Chart = ReturnType<typeof chart>;

/** Every Condition and ChargeItem on the encounter with its version id, to compare before and after. */
async function versionsOn(c: Chart, encounter: string): Promise<Record<string, string>> {
  const conditions = await c.search<Condition>(
    `Condition?encounter=Encounter/${encounter}&_count=100`,
  );
  const charges = await c.search<ChargeItem>(
    `ChargeItem?context=Encounter/${encounter}&_count=100`,
  );
  return Object.fromEntries(
    [...conditions, ...charges].map((r) => [
      `${r.resourceType}/${r.id ?? ''}`,
      r.meta?.versionId ?? '',
    ]),
  );
}

async function versionOf(c: Chart, path: string): Promise<string | undefined> {
  return (await c.read(path))?.meta?.versionId;
}

function apiOf(url: string, handle: string) {
  const call = async (method: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${url}/api/coding`, {
      method,
      headers: {
        authorization: `Bearer ${handle}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Answer['json'] };
  };
  return {
    load: async () => (await call('GET')).json.coding as EncounterCoding,
    /** Saves as the panel does: keys for new entries, `seen` from the copy it was based on. */
    save: (coding: EncounterCoding, base: EncounterCoding, extra: { signOff?: boolean } = {}) =>
      call('PUT', { coding, keys: keysFor(coding), seen: seenOf(base), ...extra }),
    raw: (body: unknown) => call('PUT', body),
  };
}

function keysFor(coding: EncounterCoding) {
  return {
    diagnoses: coding.diagnoses.map((d) => (d.conditionId ? null : crypto.randomUUID())),
    lines: coding.lines.map((l) => (l.chargeItemId ? null : crypto.randomUUID())),
  };
}

function seenOf(coding: EncounterCoding) {
  return {
    conditions: Object.fromEntries(
      coding.diagnoses.flatMap((d) =>
        d.conditionId && d.versionId ? [[d.conditionId, d.versionId]] : [],
      ),
    ),
    chargeItems: Object.fromEntries(
      coding.lines.flatMap((l) =>
        l.chargeItemId && l.versionId ? [[l.chargeItemId, l.versionId]] : [],
      ),
    ),
  };
}

async function launched(encounter = ENCOUNTER) {
  stack = await startLaunchStack({ apps: [{ clientId: 'cb' }] });
  const url = stack.apps.get('cb')?.url ?? '';
  const handle = await launchSession(stack.ehr, url, 'cb', encounter);
  return { ehr: stack.ehr, api: apiOf(url, handle), chart: chart(stack.ehr) };
}

/** Another visit of the same patient, coded and billed: what a hostile save would move. */
async function otherBilledVisit(c: Chart): Promise<{ condition: string; charge: string }> {
  await c.put({
    resourceType: 'Encounter',
    id: 'enc-other',
    status: 'finished',
    class: { system: SYSTEM.actCode, code: 'AMB' },
    subject: { reference: `Patient/${PATIENT}` },
    period: { start: '2026-01-05T10:00:00Z', end: '2026-01-05T10:30:00Z' },
  } as Resource);
  await c.put({
    resourceType: 'Condition',
    id: 'cond-other',
    subject: { reference: `Patient/${PATIENT}` },
    encounter: { reference: 'Encounter/enc-other' },
    category: [{ coding: [{ system: SYSTEM.conditionCategory, code: 'encounter-diagnosis' }] }],
    clinicalStatus: { coding: [{ system: SYSTEM.conditionClinical, code: 'active' }] },
    verificationStatus: { coding: [{ system: SYSTEM.conditionVerification, code: 'confirmed' }] },
    code: { coding: [{ system: SYSTEM.icd10cm, code: 'J06.9' }] },
  } as Condition);
  await c.put({
    resourceType: 'ChargeItem',
    id: 'ci-other',
    status: 'billed',
    subject: { reference: `Patient/${PATIENT}` },
    context: { reference: 'Encounter/enc-other' },
    code: { coding: [{ system: SYSTEM.cpt, code: '99214' }] },
    quantity: { value: 1 },
  } as ChargeItem);
  return { condition: 'Condition/cond-other', charge: 'ChargeItem/ci-other' };
}

const visit = (
  chargeItemId?: string,
  extra: Partial<EncounterCoding['lines'][number]> = {},
): EncounterCoding['lines'][number] => ({
  code: '99215',
  system: 'cpt',
  units: 9,
  modifiers: [],
  pointers: [1],
  ...(chargeItemId ? { chargeItemId, versionId: '1' } : {}),
  ...extra,
});

describe('a coding save writes only the launched encounter’s own resources', () => {
  it('refuses to move another visit’s billed diagnosis and service onto this one, and changes nothing', async () => {
    const { api, chart: c } = await launched();
    const other = await otherBilledVisit(c);
    const base = await api.load();
    const before = {
      mine: await versionsOn(c, ENCOUNTER),
      theirs: await versionsOn(c, 'enc-other'),
    };

    const res = await api.save(
      {
        diagnoses: [...base.diagnoses, { code: 'I10', conditionId: 'cond-other', versionId: '1' }],
        lines: [visit('ci-other')],
      },
      base,
    );
    expect(res.status).toBe(403);
    expect(res.json.error).toBe('CODING_NOT_IN_ENCOUNTER');
    expect(res.json.message).toMatch(/not part of this encounter/);
    expect(await versionsOn(c, 'enc-other')).toEqual(before.theirs);
    expect(await versionsOn(c, ENCOUNTER)).toEqual(before.mine);
    expect(await c.read<ChargeItem>(other.charge)).toMatchObject({
      status: 'billed',
      code: { coding: [{ code: '99214' }] },
      quantity: { value: 1 },
    });
  });

  it('refuses another patient’s billed service, and changes nothing', async () => {
    const { api, chart: c } = await launched();
    const base = await api.load();
    const theirs = ['ChargeItem/ci-enc-clean-1-1', 'Condition/cond-enc-clean-1-1'];
    const before = await Promise.all(theirs.map((p) => versionOf(c, p)));
    const mine = await versionsOn(c, ENCOUNTER);

    const res = await api.save(
      {
        diagnoses: [
          { code: 'I10', conditionId: 'cond-enc-clean-1-1', versionId: before[1] ?? '1' },
        ],
        lines: [visit('ci-enc-clean-1-1')],
      },
      base,
    );
    expect(res.status).toBe(403);
    expect(res.json.error).toBe('CODING_NOT_IN_ENCOUNTER');
    expect(await Promise.all(theirs.map((p) => versionOf(c, p)))).toEqual(before);
    expect(await versionsOn(c, ENCOUNTER)).toEqual(mine);
  });

  it('refuses an id that does not exist instead of creating a resource with it', async () => {
    const { api, chart: c } = await launched();
    const base = await api.load();
    const mine = await versionsOn(c, ENCOUNTER);

    const res = await api.save(
      {
        diagnoses: [{ code: 'I10', conditionId: 'made-up-condition' }],
        lines: [visit('made-up-charge')],
      },
      base,
    );
    expect(res.status).toBe(403);
    expect(await c.read('Condition/made-up-condition')).toBeUndefined();
    expect(await c.read('ChargeItem/made-up-charge')).toBeUndefined();
    expect(await versionsOn(c, ENCOUNTER)).toEqual(mine);
  });

  it('refuses an entry key that reaches another visit’s resource through If-None-Exist', async () => {
    const { api, chart: c } = await launched();
    const other = await otherBilledVisit(c);
    const stolen = await c.read<Condition>(other.condition);
    await c.put({
      ...stolen,
      identifier: [
        {
          system: 'https://chartbill.dev/fhir/identifier/coding-entry',
          value: 'key-of-other-visit',
        },
      ],
    } as Condition);
    const base = await api.load();
    const res = await api.raw({
      coding: { diagnoses: [{ code: 'I10' }], lines: [visit(undefined, { units: 1 })] },
      keys: { diagnoses: ['key-of-other-visit'], lines: [null] },
      seen: seenOf(base),
    });
    expect(res.status).toBe(200);
    // The new diagnosis is this visit's own, and the line points at it, not at the other visit's Condition.
    const saved = res.json.coding as EncounterCoding;
    expect(saved.diagnoses.map((d) => d.conditionId)).not.toContain('cond-other');
    const line = await c.read<ChargeItem>(`ChargeItem/${saved.lines[0]?.chargeItemId ?? ''}`);
    expect(JSON.stringify(line?.extension)).not.toContain('cond-other');
  });
});

describe('displays come from the code set', () => {
  it('stores the code set’s display, not the browser’s, in the chart', async () => {
    const { api, chart: c } = await launched();
    const base = await api.load();
    const res = await api.save(
      {
        diagnoses: [{ code: 'I10', display: 'Type 1 diabetes' }],
        lines: [{ ...visit(), code: '99213', units: 1, display: 'Heart transplant' }],
      },
      base,
    );
    expect(res.status).toBe(200);
    const saved = res.json.coding as EncounterCoding;
    const codes = starterCodeSet();
    const condition = await c.read<Condition>(`Condition/${saved.diagnoses[0]?.conditionId ?? ''}`);
    const charge = await c.read<ChargeItem>(`ChargeItem/${saved.lines[0]?.chargeItemId ?? ''}`);
    expect(condition?.code?.coding?.[0]?.display).toBe(codes.lookup('icd10cm', 'I10')?.display);
    expect(charge?.code.coding?.[0]?.display).toBe(codes.lookup('cpt', '99213')?.display);
    expect(JSON.stringify([condition, charge])).not.toMatch(/Type 1 diabetes|Heart transplant/);
  });
});

describe('saving an unchanged coding writes nothing', () => {
  it('adds no version to diagnoses and services that did not change', async () => {
    const { api, chart: c } = await launched();
    const base = await api.load();
    const first = await api.save(
      {
        diagnoses: [...base.diagnoses, { code: 'I10' }, { code: 'E78.5' }],
        lines: [{ ...visit(), code: '99213', units: 1, pointers: [1, 2], modifiers: ['25'] }],
      },
      base,
    );
    expect(first.status).toBe(200);
    const saved = first.json.coding as EncounterCoding;
    const paths = [
      ...saved.diagnoses.map((d) => `Condition/${d.conditionId ?? ''}`),
      ...saved.lines.map((l) => `ChargeItem/${l.chargeItemId ?? ''}`),
    ];
    const counted = await Promise.all(paths.map((p) => c.versions(p)));

    const again = await api.save(saved, saved);
    expect(again.status).toBe(200);
    expect(await Promise.all(paths.map((p) => c.versions(p)))).toEqual(counted);
    expect(again.json.coding).toEqual(saved);
  });
});

describe('removing a saved diagnosis', () => {
  it('withdraws it (entered-in-error, without clinicalStatus) and keeps the rest', async () => {
    const { api, chart: c } = await launched();
    const base = await api.load();
    const first = await api.save(
      {
        diagnoses: [{ code: 'I10' }, { code: 'E78.5' }],
        lines: [{ ...visit(), code: '99213', units: 1, pointers: [1, 2] }],
      },
      base,
    );
    expect(first.status).toBe(200);
    const saved = first.json.coding as EncounterCoding;
    const removed = saved.diagnoses[1]?.conditionId ?? '';

    const res = await api.save(
      {
        diagnoses: saved.diagnoses.slice(0, 1),
        lines: saved.lines.map((l) => ({ ...l, pointers: [1] })),
      },
      saved,
    );
    expect(res.status).toBe(200);
    expect((res.json.coding as EncounterCoding).diagnoses.map((d) => d.code)).toEqual(['I10']);
    const withdrawn = await c.read<Condition>(`Condition/${removed}`);
    expect(withdrawn?.verificationStatus?.coding?.[0]?.code).toBe('entered-in-error');
    expect(withdrawn?.clinicalStatus).toBeUndefined();
    expect((await api.load()).diagnoses.map((d) => d.code)).toEqual(['I10']);
  });
});

const isWrite = (req: IncomingMessage, type: string) =>
  req.method !== 'GET' && (req.url ?? '').startsWith(`/fhir/${type}`);

/** The app registered with a fault proxy in front of the sandbox as its EHR; `faults.plan` decides each request's fault. */
async function launchedThroughProxy() {
  const faults: { plan: (req: IncomingMessage) => Fault } = { plan: () => 'pass' };
  stack = await startLaunchStack({
    apps: [
      {
        clientId: 'cb',
        fhirBase: async (ehr) => {
          proxy = await startFaultProxy({
            target: ehr.origin,
            rewriteRequests: true,
            // The proxy moves the EHR's URLs onto itself, but the EHR's identity stays its own:
            // the id_token it signs names the EHR as issuer, and so does its smart-configuration.
            rewrite: (json) =>
              json !== null && typeof json === 'object' && 'issuer' in json
                ? { ...json, issuer: ehr.origin }
                : json,
            choose: (_n, req) => faults.plan(req),
          });
          return `${proxy.origin}/fhir`;
        },
      },
    ],
  });
  const url = stack.apps.get('cb')?.url ?? '';
  const proxied = `${proxy?.origin ?? ''}/fhir`;
  const launchUrl = new URL(await ehrLaunchUrl(stack.ehr, ENCOUNTER, 'cb'));
  launchUrl.searchParams.set('iss', proxied);
  const started = await startLaunch(launchUrl.href);
  const callback = await authorizeAt(started.authorizeUrl);
  const handle = sessionHandleIn(
    await (await fetch(callback, { headers: { cookie: started.cookie } })).text(),
  );
  if (!handle) throw new Error('no session through the proxy');
  return { api: apiOf(url, handle), chart: chart(stack.ehr), faults };
}

describe('a save that fails halfway leaves nothing half-written', () => {
  it('puts back the diagnoses it had already written when the EHR refuses a service, and says so plainly', async () => {
    const { api, chart: c, faults } = await launchedThroughProxy();
    const base = await api.load();
    const first = await api.save(
      {
        diagnoses: [{ code: 'I10' }, { code: 'E78.5' }],
        lines: [{ ...visit(), code: '99213', units: 1, pointers: [1, 2] }],
      },
      base,
    );
    expect(first.status).toBe(200);
    const saved = first.json.coding as EncounterCoding;
    const conditionsBefore = await c.search<Condition>(
      `Condition?encounter=Encounter/${ENCOUNTER}`,
    );

    faults.plan = (req) => (isWrite(req, 'ChargeItem') ? 'status-500' : 'pass');
    // Swap the diagnoses' order, add one, remove none, and change the service: the service write fails.
    const changed: EncounterCoding = {
      diagnoses: [...saved.diagnoses.slice().reverse(), { code: 'E11.9' }],
      lines: saved.lines.map((l) => ({ ...l, units: 2, pointers: [2, 1, 3] })),
    };
    const res = await api.save(changed, saved);
    expect(res.status).toBe(502);
    expect(res.json.error).toBe('CODING_SAVE_FAILED');
    expect(res.json.message).toBe(
      'The EHR did not accept the coding, so nothing was saved. Your changes are still here.',
    );
    expect(JSON.stringify(res.json)).not.toMatch(/injected failure|HTTP|OperationOutcome|FHIR/);
    // The log says what failed, without the EHR's text.
    const logs = stack?.logs.join('') ?? '';
    expect(logs).toContain('coding save failed');
    expect(logs).not.toContain('injected failure');

    faults.plan = () => 'pass';
    const after = await api.load();
    expect(after.diagnoses.map((d) => d.code)).toEqual(['I10', 'E78.5']);
    expect(after.lines.map((l) => [l.code, l.units, l.pointers])).toEqual([['99213', 1, [1, 2]]]);
    // The diagnosis the failed save created is withdrawn, and no live Condition is left beside the first two.
    const conditionsAfter = await c.search<Condition>(`Condition?encounter=Encounter/${ENCOUNTER}`);
    const live = conditionsAfter.filter(
      (x) => x.verificationStatus?.coding?.[0]?.code !== 'entered-in-error',
    );
    expect(live.map((x) => x.id).sort()).toEqual(
      conditionsBefore
        .filter((x) => x.verificationStatus?.coding?.[0]?.code !== 'entered-in-error')
        .map((x) => x.id)
        .sort(),
    );

    // The clinician tries again while the EHR still refuses, then once it takes writes: the whole change is saved.
    faults.plan = (req) => (isWrite(req, 'ChargeItem') ? 'status-500' : 'pass');
    expect((await api.save(changed, saved)).status).toBe(502);
    faults.plan = () => 'pass';
    const retried = await api.save(changed, saved);
    expect(retried.status).toBe(200);
    expect((await api.load()).diagnoses.map((d) => d.code)).toEqual(['E78.5', 'I10', 'E11.9']);
  });
});

describe('a save whose answer was lost is neither repeated nor half-undone', () => {
  /** Each request matching `when` gets `fault` once, the first time. */
  function once(
    when: (req: IncomingMessage) => boolean,
    fault: Fault,
  ): (req: IncomingMessage) => Fault {
    let used = false;
    return (req) => (!used && when(req) ? ((used = true), fault) : 'pass');
  }

  it('completes when the EHR did a service update but its answer never came back', async () => {
    const { api, chart: c, faults } = await launchedThroughProxy();
    const base = await api.load();
    const first = await api.save(
      { diagnoses: [{ code: 'I10' }], lines: [{ ...visit(), code: '99213', units: 1 }] },
      base,
    );
    expect(first.status).toBe(200);
    const saved = first.json.coding as EncounterCoding;
    const charge = `ChargeItem/${saved.lines[0]?.chargeItemId ?? ''}`;
    const versions = await c.versions(charge);

    faults.plan = once((req) => isWrite(req, 'ChargeItem'), 'reset-after');
    const res = await api.save(
      { ...saved, lines: saved.lines.map((l) => ({ ...l, units: 3 })) },
      saved,
    );
    expect(res.status).toBe(200);
    expect((res.json.coding as EncounterCoding).lines.map((l) => l.units)).toEqual([3]);
    expect(await c.versions(charge)).toBe(versions + 1);
  });

  it('undoes a diagnosis whose creation was answered only on the retry, when a later write fails', async () => {
    const { api, chart: c, faults } = await launchedThroughProxy();
    const base = await api.load();
    const first = await api.save(
      { diagnoses: [{ code: 'I10' }], lines: [{ ...visit(), code: '99213', units: 1 }] },
      base,
    );
    expect(first.status).toBe(200);
    const saved = first.json.coding as EncounterCoding;

    const lostCreate = once(
      (req) => req.method === 'POST' && (req.url ?? '').startsWith('/fhir/Condition'),
      'reset-after',
    );
    faults.plan = (req) => (isWrite(req, 'ChargeItem') ? 'status-500' : lostCreate(req));
    const res = await api.save(
      {
        diagnoses: [...saved.diagnoses, { code: 'E11.9' }],
        lines: saved.lines.map((l) => ({ ...l, pointers: [1, 2] })),
      },
      saved,
    );
    expect(res.status).toBe(502);
    faults.plan = () => 'pass';
    const conditions = await c.search<Condition>(
      `Condition?encounter=Encounter/${ENCOUNTER}&code=E11.9`,
    );
    expect(conditions.length).toBeGreaterThan(0); // the lost creation did happen on the EHR…
    expect(
      conditions.every((x) => x.verificationStatus?.coding?.[0]?.code === 'entered-in-error'),
    ).toBe(true); // …and was withdrawn
    expect((await api.load()).diagnoses.map((d) => d.code)).toEqual(['I10']);
  });
});
