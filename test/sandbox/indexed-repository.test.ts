import { parseSearchRequest } from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';
import type {
  Bundle,
  ChargeItem,
  Claim,
  Encounter,
  Identifier,
  Resource,
} from '@medplum/fhirtypes';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { IndexedMemoryRepository } from '../../sandbox/indexed-repository.ts';
import { loadFhirDefinitions } from '../../sandbox/load-fhir-definitions.ts';

beforeAll(() => loadFhirDefinitions());
afterEach(() => vi.useRealTimers());

const BASE = 'http://ehr.example/fhir';
const ENCOUNTERS = 300;
const CLAIMS = 160;
const CHARGES = 320;

/** mulberry32: the same data on every run, so a failing query reproduces. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The plain and the indexed repository receive the same writes at the same faked instant, so
 * `meta.lastUpdated` agrees (with deliberate ties) and only the random versionIds differ.
 */
class Twin {
  readonly plain = new MemoryRepository();
  readonly indexed = new IndexedMemoryRepository();
  private clock = Date.parse('2026-01-05T08:00:00Z');
  private readonly rand = prng(42);

  constructor() {
    vi.useFakeTimers({ toFake: ['Date'] });
  }

  async write(op: (repo: MemoryRepository) => Promise<unknown>): Promise<void> {
    if (this.rand() > 0.3) this.clock += 1000 * Math.ceil(this.rand() * 5);
    vi.setSystemTime(this.clock);
    await op(this.plain);
    await op(this.indexed);
  }
}

function encounterId(i: number): string {
  return i % 17 === 0 ? `Enc-Upper-${i}` : `enc-${i}`;
}

function encounter(i: number, status: Encounter['status']): Encounter {
  return {
    resourceType: 'Encounter',
    id: encounterId(i),
    status,
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: { reference: `Patient/p${i % 23}` },
    period: {
      start: new Date(Date.parse('2025-11-01T09:00:00Z') + i * 86_400_000 * 0.4).toISOString(),
    },
    identifier: [{ system: 'urn:chartbill:visit', value: `V-${i % 250}` }],
  };
}

function claimIdentifier(i: number): Identifier[] {
  if (i % 5 === 0) return [{ value: `NOSYS-${i}` }];
  if (i % 7 === 0)
    return [{ system: 'urn:sys:a', value: `CL-${i}`, type: { text: 'Claim Number' } }];
  return [{ system: i % 2 ? 'urn:sys:a' : 'urn:sys:b', value: `CL-${i % 120}` }];
}

function claim(i: number, identifier: Identifier[] | undefined): Claim {
  return {
    resourceType: 'Claim',
    id: `claim-${i}`,
    status: i % 3 ? 'active' : 'draft',
    use: 'claim',
    type: {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' },
      ],
    },
    patient: { reference: `Patient/p${i % 23}` },
    created: '2026-01-05',
    provider: { reference: 'Organization/org-1' },
    priority: { coding: [{ code: 'normal' }] },
    insurance: [{ sequence: 1, focal: true, coverage: { reference: `Coverage/cov-${i % 23}` } }],
    ...(identifier ? { identifier } : {}),
  };
}

function chargeContext(i: number, target: number): string | undefined {
  const id = encounterId(target);
  if (i % 13 === 0) return undefined;
  if (i % 9 === 0) return `${BASE}/Encounter/${id}`;
  if (i % 11 === 0) return `Encounter/${id}/_history/1`;
  if (i % 29 === 0) return `Encounter/${id.toUpperCase()}`;
  return `Encounter/${id}`;
}

function charge(i: number, target: number): ChargeItem {
  const context = chargeContext(i, target);
  return {
    resourceType: 'ChargeItem',
    id: `charge-${i}`,
    status: 'billable',
    code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '99213' }] },
    subject: { reference: `Patient/p${target % 23}` },
    ...(context ? { context: { reference: context } } : {}),
    ...(i % 3 === 0
      ? {
          meta: {
            compartment: [{ reference: `${i % 2 ? BASE + '/' : ''}Patient/p${target % 23}` }],
          },
        }
      : {}),
  };
}

const STATUSES: Encounter['status'][] = ['finished', 'in-progress', 'planned', 'cancelled'];

async function seed(twin: Twin): Promise<void> {
  for (let i = 0; i < ENCOUNTERS; i++) {
    const status = STATUSES[i % 7 === 0 ? 1 + (i % 3) : 0] ?? 'finished';
    await twin.write((repo) => repo.createResource(encounter(i, status)));
  }
  for (let i = 0; i < CLAIMS; i++)
    await twin.write((repo) => repo.createResource(claim(i, claimIdentifier(i))));
  for (let i = 0; i < CHARGES; i++)
    await twin.write((repo) => repo.createResource(charge(i, i % ENCOUNTERS)));
}

/** Updates through every write path (update, patch, create over an existing id), deletes and re-creates. */
async function rewrite(twin: Twin): Promise<void> {
  for (let i = 0; i < CLAIMS; i += 3) {
    const identifier = i % 2 ? [{ system: 'urn:sys:b', value: `CL-NEW-${i}` }] : undefined;
    await twin.write((repo) => repo.updateResource(claim(i, identifier)));
  }
  for (let i = 0; i < CHARGES; i += 4) {
    const moved = charge(i, (i * 7 + 3) % ENCOUNTERS);
    if (i % 8 === 0) {
      await twin.write((repo) => repo.updateResource(moved));
    } else if (moved.context?.reference) {
      const reference = moved.context.reference;
      await twin.write((repo) =>
        repo.patchResource('ChargeItem', `charge-${i}`, [
          { op: 'add', path: '/context', value: { reference } },
        ]),
      );
    }
  }
  for (let i = 1; i < ENCOUNTERS; i += 5) {
    const status = STATUSES[i % 4] ?? 'finished';
    await twin.write((repo) =>
      repo.createResource({
        ...encounter(i, status),
        meta: { lastUpdated: new Date().toISOString() },
      }),
    );
  }
  for (let i = 2; i < ENCOUNTERS; i += 15)
    await twin.write((repo) => repo.deleteResource('Encounter', encounterId(i)));
  for (let i = 4; i < CLAIMS; i += 10)
    await twin.write((repo) => repo.deleteResource('Claim', `claim-${i}`));
  for (let i = 6; i < CHARGES; i += 9)
    await twin.write((repo) => repo.deleteResource('ChargeItem', `charge-${i}`));
  for (let i = 2; i < 80; i += 15)
    await twin.write((repo) => repo.createResource(encounter(i, 'finished')));
  await twin.write((repo) =>
    repo.createResource(claim(CLAIMS, [{ system: 'urn:sys:a', value: 'CL-5' }])),
  );
}

function withoutVersion(resource: Resource | undefined): unknown {
  if (!resource?.meta) return resource;
  const meta = { ...resource.meta };
  delete meta.versionId;
  return { ...resource, meta };
}

function view(bundle: Bundle): unknown {
  return {
    total: bundle.total,
    entry:
      bundle.entry === undefined ? 'none' : bundle.entry.map((e) => withoutVersion(e.resource)),
  };
}

/** Runs each query against both repositories; returns the totals so callers can check the queries found something. */
async function expectSameAnswers(twin: Twin, queries: string[]): Promise<number[]> {
  const totals: number[] = [];
  for (const query of queries) {
    const expected = await twin.plain.search(parseSearchRequest(query));
    const actual = await twin.indexed.search(parseSearchRequest(query));
    expect({ query, ...(view(actual) as object) }).toEqual({
      query,
      ...(view(expected) as object),
    });
    totals.push(expected.total ?? 0);
  }
  return totals;
}

const SORTS = [
  '_lastUpdated',
  '-_lastUpdated',
  '_id',
  '-_id',
  '_lastUpdated,-_id',
  '-_lastUpdated,_id',
];

function queries(): string[] {
  const out = [
    'Claim?identifier=CL-5',
    'Claim?identifier=urn:sys:a|CL-5',
    'Claim?identifier=URN:SYS:A|cl-5',
    'Claim?identifier=urn:sys:b|CL-5',
    'Claim?identifier=|NOSYS-10',
    'Claim?identifier=NOSYS-10',
    'Claim?identifier=urn:sys:a|',
    'Claim?identifier=|',
    'Claim?identifier=CL-1,CL-2,cl-new-3,CL-NEW-9,missing',
    'Claim?identifier=Claim Number',
    'Claim?identifier=urn:sys:a|CL-7|extra',
    'Claim?identifier:not=CL-5&_count=1000',
    'Claim?identifier=CL-7&status=active',
    'Claim?identifier=CL-13,CL-14&patient=Patient/p13',
    'Claim?patient=Patient/p3&_sort=-_lastUpdated',
    'Claim?_count=1000',
    'Encounter?_id=enc-1,enc-3,enc-4',
    'Encounter?_id=ENC-1,Enc-Upper-17,enc-upper-34,enc-upper-51',
    'Encounter?_id=nope',
    'Encounter?_id=enc-1&status=finished',
    'Encounter?_id=enc-1,enc-2,enc-7&_sort=-_lastUpdated',
    'Encounter?_id:not=enc-1&_count=1000',
    'Encounter?identifier=V-3',
    'Encounter?identifier=urn:chartbill:visit|v-10,V-260',
    'Encounter?subject=Patient/p3&status=finished,in-progress',
    'Encounter?status=finished&subject=Patient/p4&_id=enc-4,enc-27,enc-50',
    'Encounter?status:not=finished&_sort=_id&_count=1000',
    'Encounter?date=ge2026-01-01&_count=1000',
    'Encounter?_sort=date&_count=10',
    'Encounter?_sort=-date,_id&_count=50&_offset=20',
    'Encounter?status=finished&_sort=_lastUpdated,date&_count=20',
    'Encounter?_count=0',
    'Encounter?_offset=290',
    'Encounter?_count=15&_offset=45',
    `ChargeItem?context=${BASE}/Encounter/enc-9`,
    'ChargeItem?context=Encounter/enc-11/_history/1',
    'ChargeItem?context=enc-1',
    'ChargeItem?context=Encounter/ENC-29',
    'ChargeItem?context:missing=true&_count=1000',
    'ChargeItem?context=',
    'ChargeItem?context=Encounter/enc-1&subject=Patient/p1',
    `ChargeItem?context=Encounter/enc-3,${BASE}/Encounter/enc-3,Encounter/enc-3/_history/1`,
    'ChargeItem?context=Encounter/enc-1%5C,Encounter/enc-2',
    'ChargeItem?subject=Patient/p5&_sort=_lastUpdated&_count=1000',
    'ChargeItem?_compartment=Patient/p1',
    'ChargeItem?_compartment=p2&_count=1000',
    'Patient?_count=10',
  ];
  for (let i = 0; i < ENCOUNTERS; i += 10) {
    const ids = [i, i + 1, i + 2, i + 17, i + 31].map(encounterId);
    out.push(`Encounter?_id=${ids.join(',')}`);
    out.push(`ChargeItem?context=${ids.map((id) => `Encounter/${id}`).join(',')}`);
  }
  for (let i = 0; i < CLAIMS; i += 7)
    out.push(`Claim?identifier=CL-${i},urn:sys:b|CL-${i + 1},CL-NEW-${i}`);
  for (const sort of ['', ...SORTS]) {
    for (let offset = 0; offset <= ENCOUNTERS; offset += 40)
      out.push(
        `Encounter?status=finished${sort ? `&_sort=${sort}` : ''}&_count=40&_offset=${offset}`,
      );
  }
  return out;
}

describe('IndexedMemoryRepository', () => {
  it('answers every search exactly as MemoryRepository does, before and after updates and deletes', async () => {
    const twin = new Twin();
    await seed(twin);
    const before = await expectSameAnswers(twin, queries());
    await rewrite(twin);
    const after = await expectSameAnswers(twin, queries());
    for (const totals of [before, after]) {
      expect(totals.filter((t) => t > 0).length).toBeGreaterThan(totals.length * 0.7);
      expect(totals.filter((t) => t > 1).length).toBeGreaterThan(totals.length * 0.4);
    }
  });

  it('pages a sorted search while writes to the type move resources between pages', async () => {
    const twin = new Twin();
    await seed(twin);
    for (const sort of SORTS) {
      let total = Infinity;
      for (let offset = 0, step = 0; offset < total; offset += 25, step++) {
        const query = `Encounter?status=finished&_sort=${sort}&_count=25&_offset=${offset}`;
        [total = 0] = await expectSameAnswers(twin, [query]);
        const i = (offset * 3 + step) % ENCOUNTERS;
        await twin.write((repo) =>
          repo.createResource(encounter(i, step % 2 ? 'finished' : 'cancelled')),
        );
        if (step % 3 === 0)
          await twin.write((repo) =>
            repo
              .deleteResource('Encounter', encounterId((i + 1) % ENCOUNTERS))
              .catch(() => undefined),
          );
        if (step % 4 === 0)
          await twin.write((repo) => repo.createResource(claim(step, [{ value: `PAGE-${step}` }])));
      }
    }
  });

  it('finds a conditional-create identifier the moment it is written, and forgets it after an update or delete', async () => {
    const repo = new IndexedMemoryRepository();
    const search = async (q: string): Promise<string[]> =>
      ((await repo.search(parseSearchRequest(q))).entry ?? []).map((e) => e.resource?.id ?? '');
    expect(await search('Claim?identifier=urn:sys:a|X-1')).toEqual([]);
    await repo.createResource(claim(1, [{ system: 'urn:sys:a', value: 'X-1' }]));
    expect(await search('Claim?identifier=urn:sys:a|X-1')).toEqual(['claim-1']);
    await repo.updateResource(claim(1, [{ system: 'urn:sys:a', value: 'X-2' }]));
    expect(await search('Claim?identifier=urn:sys:a|X-1')).toEqual([]);
    expect(await search('Claim?identifier=x-2')).toEqual(['claim-1']);
    await repo.deleteResource('Claim', 'claim-1');
    expect(await search('Claim?identifier=x-2')).toEqual([]);
    repo.clear();
    await repo.createResource(claim(2, [{ system: 'urn:sys:a', value: 'X-2' }]));
    expect(await search('Claim?identifier=x-2')).toEqual(['claim-2']);
  });

  it('returns copies, so a caller changing a result does not change the repository', async () => {
    const repo = new IndexedMemoryRepository();
    await repo.createResource(encounter(1, 'finished'));
    const first = await repo.search(parseSearchRequest('Encounter?_id=enc-1&_sort=_lastUpdated'));
    const found = first.entry?.[0]?.resource as Encounter;
    found.status = 'cancelled';
    const again = await repo.search(parseSearchRequest('Encounter?_id=enc-1&_sort=_lastUpdated'));
    expect((again.entry?.[0]?.resource as Encounter).status).toBe('finished');
    expect((await repo.search(parseSearchRequest('Encounter?status=cancelled'))).total).toBe(0);
  });

  it('keeps answering correctly after cached queries expire', async () => {
    let now = 0;
    const repo = new IndexedMemoryRepository({ now: () => now });
    for (let i = 0; i < 60; i++) await repo.createResource(encounter(i, 'finished'));
    const plain = new MemoryRepository();
    for (let i = 0; i < 60; i++)
      await plain.createResource(await repo.readResource('Encounter', encounterId(i)));
    for (let i = 0; i < 120; i++) {
      now += 1000;
      const query = `Encounter?status=finished&_sort=${i % 2 ? '-' : ''}_lastUpdated&_count=7&_offset=${i % 60}&subject=Patient/p${i % 23}`;
      const ids = async (r: MemoryRepository): Promise<unknown> =>
        ((await r.search(parseSearchRequest(query))).entry ?? []).map((e) => e.resource?.id);
      expect(await ids(repo)).toEqual(await ids(plain));
    }
  });
});
