import type { ChargeItem, Condition } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import {
  hasCodingContent,
  retiredCopy,
  withCodingContent,
} from '../../src/coding/coding-content.ts';
import { chargeItemFromLine, conditionFromDiagnosis } from '../../src/coding/coding-fhir.ts';
import { EXT } from '../../src/fhir/systems.ts';

const ctx = { patient: 'Patient/p1', encounter: 'Encounter/e1', recorder: 'Practitioner/d1' };
const draft = conditionFromDiagnosis(
  { code: 'I10', display: 'Essential (primary) hypertension' },
  1,
  ctx,
);

/** The same JSON with every object's keys in reverse order, as another server might return it. */
function reordered<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reordered) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reordered(v)]),
  ) as T;
}

describe('comparing a stored diagnosis or line with what a save would write', () => {
  it('finds an unchanged diagnosis unchanged whatever the key order, meta, key identifier or recorder', () => {
    const stored: Condition = {
      ...reordered(draft),
      id: 'c1',
      meta: { versionId: '4', lastUpdated: '2026-01-01T00:00:00Z' },
      identifier: [{ system: 'x', value: 'k' }],
      recorder: { reference: 'Practitioner/other' },
    };
    expect(hasCodingContent(stored, draft)).toBe(true);
  });

  it('sees a changed rank, code or display', () => {
    const stored: Condition = { ...draft, id: 'c1' };
    expect(
      hasCodingContent(
        stored,
        conditionFromDiagnosis(
          { code: 'I10', display: 'Essential (primary) hypertension' },
          2,
          ctx,
        ),
      ),
    ).toBe(false);
    expect(hasCodingContent(stored, conditionFromDiagnosis({ code: 'E78.5' }, 1, ctx))).toBe(false);
    expect(
      hasCodingContent(
        stored,
        conditionFromDiagnosis({ code: 'I10', display: 'Type 1 diabetes' }, 1, ctx),
      ),
    ).toBe(false);
  });

  it('ignores what other systems wrote (their extensions, the code’s text) but not a dropped pointer', () => {
    const theirs = { url: 'https://ehr.example/ext', valueString: 'x' };
    const stored: Condition = {
      ...draft,
      id: 'c1',
      extension: [theirs, ...(draft.extension ?? [])],
      code: { ...draft.code, text: 'High blood pressure' },
      recordedDate: '2026-01-01',
    };
    expect(hasCodingContent(stored, draft)).toBe(true);
    const line = { code: '99213', system: 'cpt' as const, units: 1, modifiers: [], pointers: [1] };
    const lineCtx = {
      ...ctx,
      conditionRefs: ['Condition/c1'],
      status: 'planned' as const,
      occurrence: '2026-03-02',
    };
    const withPointer: ChargeItem = { ...chargeItemFromLine(line, lineCtx), id: 'ci1' };
    const noPointer = chargeItemFromLine({ ...line, pointers: [] }, lineCtx);
    expect(hasCodingContent(withPointer, noPointer)).toBe(false);
  });

  it('applies a change onto the stored resource, keeping what others wrote there', () => {
    const theirs = { url: 'https://ehr.example/ext', valueString: 'x' };
    const stored: Condition = {
      ...draft,
      id: 'c1',
      meta: { versionId: '4', tag: [{ system: 's', code: 'seed' }] },
      extension: [theirs, { url: EXT.diagnosisRank, valuePositiveInt: 1 }],
      code: { ...draft.code, text: 'High blood pressure' },
      recordedDate: '2026-01-01',
    };
    const next = withCodingContent(
      stored,
      conditionFromDiagnosis({ code: 'I10', display: 'Essential (primary) hypertension' }, 2, ctx),
    );
    expect(next.extension).toEqual([theirs, { url: EXT.diagnosisRank, valuePositiveInt: 2 }]);
    expect(next).toMatchObject({
      id: 'c1',
      recordedDate: '2026-01-01',
      code: { text: 'High blood pressure' },
    });
    expect(next.meta?.versionId).toBeUndefined();
    expect(next.meta?.tag?.map((t) => t.code)).toEqual(['seed', 'smart-app']);
    // A new code drops the old code's text.
    expect(
      withCodingContent(stored, conditionFromDiagnosis({ code: 'E78.5' }, 1, ctx)).code?.text,
    ).toBeUndefined();
  });
});

describe('withdrawing a diagnosis', () => {
  it('marks it entered-in-error without clinicalStatus (FHIR R4 con-5)', () => {
    const retired = retiredCopy({ ...draft, id: 'c1', meta: { versionId: '2' } });
    expect(retired.verificationStatus?.coding?.[0]?.code).toBe('entered-in-error');
    expect(retired.clinicalStatus).toBeUndefined();
    expect(retired).not.toHaveProperty('meta.versionId');
  });
});
