import type { Bundle, CapabilityStatement, OperationOutcome } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxEhrProfileName } from '../../sandbox/ehr-profiles.ts';
import { sandboxEhrProfile } from '../../sandbox/ehr-profiles.ts';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { startTestEhr } from './sandbox-fixture.ts';

let ehr: SandboxEhr | undefined;
afterEach(async () => {
  await ehr?.close();
  ehr = undefined;
});

async function searchAs(
  profile: SandboxEhrProfileName,
): Promise<(path: string) => Promise<{ status: number; body: unknown }>> {
  const started = await startTestEhr({ profile: sandboxEhrProfile(profile) });
  ehr = started;
  const token = await started.issueSystemToken('system/*.rs');
  return async (path) => {
    const res = await fetch(`${started.fhirBase}/${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: res.status, body: await res.json() };
  };
}

function selfLink(bundle: Bundle): URL {
  return new URL(bundle.link?.find((l) => l.relation === 'self')?.url ?? '');
}

describe('sandbox search with parameters the server does not declare', () => {
  it('strict refuses an unknown parameter with 400 and an OperationOutcome naming it', async () => {
    const search = await searchAs('strict');
    const { status, body } = await search('Encounter?status=finished&bogus=x');
    expect(status).toBe(400);
    const issue = (body as OperationOutcome).issue[0];
    expect(issue?.code).toBe('not-supported');
    expect(issue?.diagnostics).toMatch(/\bbogus\b/);
    expect(issue?.diagnostics).not.toMatch(/\bstatus\b/);
  });

  it('strict refuses a chain and _elements it would otherwise ignore', async () => {
    const search = await searchAs('strict');
    for (const [query, named] of [
      ['Encounter?patient.name=Smith', 'patient.name'],
      ['Encounter?_elements=status', '_elements'],
    ] as const) {
      const { status, body } = await search(query);
      expect(status).toBe(400);
      expect((body as OperationOutcome).issue[0]?.diagnostics).toContain(named);
    }
  });

  it('epic-like ignores an unknown parameter and leaves it out of the self link', async () => {
    const search = await searchAs('epic-like');
    const all = (await search('Encounter?status=finished')).body as Bundle;
    const { status, body } = await search('Encounter?status=finished&bogus=x');
    expect(status).toBe(200);
    const bundle = body as Bundle;
    expect(bundle.total).toBe(all.total);
    expect(bundle.total).toBeGreaterThan(0);
    expect(selfLink(bundle).searchParams.has('bogus')).toBe(false);
    expect(selfLink(bundle).searchParams.get('status')).toBe('finished');
  });

  it('strict applies a declared parameter, with a modifier too', async () => {
    const search = await searchAs('strict');
    const all = (await search('Encounter')).body as Bundle;
    const finished = (await search('Encounter?status=finished')).body as Bundle;
    const notFinished = (await search('Encounter?status:not=finished')).body as Bundle;
    expect(finished.total).toBeGreaterThan(0);
    expect(finished.total).toBeLessThan(all.total ?? 0);
    expect((finished.total ?? 0) + (notFinished.total ?? 0)).toBe(all.total);
    expect(
      finished.entry?.every((e) => (e.resource as { status?: string }).status === 'finished'),
    ).toBe(true);
  });

  it('matches a reference given as Type/id, as :Type=id and as a bare id alike, as real servers do', async () => {
    const search = await searchAs('strict');
    const full = (await search('Encounter?subject=Patient/pat-01')).body as Bundle;
    expect(full.total).toBeGreaterThan(0);
    for (const query of ['subject:Patient=pat-01', 'patient=pat-01', 'subject=pat-01']) {
      const { status, body } = await search(`Encounter?${query}`);
      expect(status, query).toBe(200);
      expect(
        (body as Bundle).entry?.map((e) => e.resource?.id),
        query,
      ).toEqual(full.entry?.map((e) => e.resource?.id));
    }
    // A type the parameter does not target is refused, not answered with nothing.
    const { status, body } = await search('Encounter?subject:Practitioner=pat-01');
    expect(status).toBe(400);
    expect((body as OperationOutcome).issue[0]?.diagnostics).toContain('subject:Practitioner');
  });

  it('strict refuses a modifier it does not apply instead of finding nothing', async () => {
    const search = await searchAs('strict');
    for (const query of ['type:in=http://example.org/vs', 'subject:bogus=1', 'date:exact=2026']) {
      const { status, body } = await search(`Encounter?${query}`);
      expect(status, query).toBe(400);
      expect((body as OperationOutcome).issue[0]?.diagnostics).toContain(query.split('=')[0]);
    }
    // Those it applies: :missing on any parameter, :text on a token.
    const all = (await search('Encounter')).body as Bundle;
    const withSubject = (await search('Encounter?subject:missing=false')).body as Bundle;
    expect(withSubject.total).toBe(all.total);
    const byText = await search('Encounter?class:text=zzz-no-such-class');
    expect(byText.status).toBe(200);
    expect((byText.body as Bundle).total).toBe(0);
  });

  it('declares the parameters it applies in the CapabilityStatement', async () => {
    const search = await searchAs('strict');
    const cs = (await search('metadata')).body as CapabilityStatement;
    const encounter = cs.rest?.[0]?.resource?.find((r) => r.type === 'Encounter');
    const names = encounter?.searchParam?.map((p) => p.name) ?? [];
    expect(names).toEqual(expect.arrayContaining(['status', 'patient', 'date', '_lastUpdated']));
    expect(names).not.toContain('_compartment');
  });

  it('answers _summary=count with the total and no entries', async () => {
    const search = await searchAs('strict');
    const all = (await search('Encounter?_count=1000')).body as Bundle;
    const { status, body } = await search('Encounter?_summary=count');
    expect(status).toBe(200);
    const bundle = body as Bundle;
    expect(bundle.total).toBe(all.entry?.length);
    expect(bundle.total).toBeGreaterThan(0);
    expect(bundle.entry ?? []).toEqual([]);
  });
});
