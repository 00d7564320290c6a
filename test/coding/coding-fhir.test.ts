import type { ChargeItem, Condition } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import {
  chargeItemFromLine,
  codingFromFhir,
  conditionFromDiagnosis,
} from '../../src/coding/coding-fhir.ts';
import type { EncounterCoding, ServiceLine } from '../../src/coding/coding-model.ts';
import type { EmDocumentation } from '../../src/edits/em/em-level.ts';
import { EXT, SYSTEM } from '../../src/fhir/systems.ts';

const ctx = { patient: 'Patient/p1', encounter: 'Encounter/e1' };

function coding(): EncounterCoding {
  return {
    diagnoses: [
      { code: 'M17.11', display: 'Unilateral primary osteoarthritis, right knee' },
      { code: 'I10' },
      { code: 'E11.9' },
    ],
    lines: [
      { code: '99214', system: 'cpt', units: 1, modifiers: ['25'], pointers: [2, 3, 1] },
      { code: '20610', system: 'cpt', units: 1, modifiers: ['RT', '59'], pointers: [1] },
      { code: 'J3301', system: 'hcpcs', units: 4, modifiers: ['JZ'], pointers: [1] },
    ],
  };
}

/** Writes the coding as FHIR the way the app does, giving each resource a server id and version. */
function toFhir(c: EncounterCoding): { conditions: Condition[]; chargeItems: ChargeItem[] } {
  const conditions = c.diagnoses.map((dx, i) => ({
    ...conditionFromDiagnosis(dx, i + 1, { ...ctx, recorder: 'Practitioner/d1' }),
    id: `c${i + 1}`,
    meta: { versionId: '1' },
  }));
  const conditionRefs = conditions.map((x) => `Condition/${x.id}`);
  const chargeItems = c.lines.map((l, i) => ({
    ...chargeItemFromLine(l, {
      ...ctx,
      conditionRefs,
      status: 'billable',
      occurrence: '2026-03-02',
      sequence: i + 1,
    }),
    id: `ci${i + 1}`,
    meta: { versionId: '3' },
  }));
  return { conditions, chargeItems };
}

describe('coding ↔ FHIR', () => {
  it('round-trips diagnoses, lines, order, pointers, modifiers and units', () => {
    const { conditions, chargeItems } = toFhir(coding());
    // The server may return resources in any order: rank, not position, orders the diagnoses.
    const back = codingFromFhir([...conditions].reverse(), chargeItems);
    expect(back.diagnoses.map((d) => d.code)).toEqual(['M17.11', 'I10', 'E11.9']);
    expect(back.diagnoses[0]).toMatchObject({
      conditionId: 'c1',
      versionId: '1',
      display: 'Unilateral primary osteoarthritis, right knee',
    });
    expect(
      back.lines.map(({ code, system, units, modifiers, pointers }) => ({
        code,
        system,
        units,
        modifiers,
        pointers,
      })),
    ).toEqual(coding().lines);
    expect(back.lines[2]).toMatchObject({ chargeItemId: 'ci3', versionId: '3' });
  });

  it('keeps the claim line order even when the server returns the charges in another order', () => {
    const c = coding();
    const { conditions, chargeItems } = toFhir(c);
    expect(c.lines.length).toBeGreaterThan(1);
    const back = codingFromFhir(conditions, [...chargeItems].reverse());
    expect(back.lines.map((l) => l.code)).toEqual(c.lines.map((l) => l.code));
    expect(chargeItems[0]?.extension?.[0]).toEqual({ url: EXT.lineSequence, valuePositiveInt: 1 });
  });

  it('writes a Condition as a ranked, confirmed ICD-10-CM encounter diagnosis', () => {
    const condition = conditionFromDiagnosis({ code: 'e119' }, 2, {
      ...ctx,
      recorder: 'Practitioner/d1',
    });
    expect(condition).toMatchObject({
      resourceType: 'Condition',
      extension: [{ url: EXT.diagnosisRank, valuePositiveInt: 2 }],
      category: [{ coding: [{ system: SYSTEM.conditionCategory, code: 'encounter-diagnosis' }] }],
      code: { coding: [{ system: SYSTEM.icd10cm, code: 'E11.9' }] },
      clinicalStatus: { coding: [{ code: 'active' }] },
      verificationStatus: { coding: [{ code: 'confirmed' }] },
      subject: { reference: 'Patient/p1' },
      encounter: { reference: 'Encounter/e1' },
      recorder: { reference: 'Practitioner/d1' },
      meta: { tag: [{ system: SYSTEM.writer, code: 'smart-app' }] },
    });
  });

  it('writes CPT modifiers in the CPT system and HCPCS Level II modifiers in the HCPCS system', () => {
    const item = chargeItemFromLine(
      { code: '20610', system: 'cpt', units: 1, modifiers: ['25', 'RT', 'F1'], pointers: [1] },
      { ...ctx, conditionRefs: ['Condition/c1'], status: 'planned', occurrence: '2026-03-02' },
    );
    const modifiers = item.extension
      ?.filter((e) => e.url === EXT.modifier)
      .map((e) => e.valueCoding);
    expect(modifiers).toEqual([
      { system: SYSTEM.cpt, code: '25' },
      { system: SYSTEM.hcpcs, code: 'RT' },
      { system: SYSTEM.hcpcs, code: 'F1' },
    ]);
    expect(item).toMatchObject({
      status: 'planned',
      context: { reference: 'Encounter/e1' },
      quantity: { value: 1 },
    });
  });

  it('skips retired charges and diagnoses, and drops pointers to diagnoses that are gone', () => {
    const { conditions, chargeItems } = toFhir(coding());
    const [first, second, third] = conditions;
    if (!first || !second || !third) throw new Error('fixture');
    const retired: Condition = {
      ...first,
      verificationStatus: {
        coding: [{ system: SYSTEM.conditionVerification, code: 'entered-in-error' }],
      },
    };
    const items = chargeItems.map((c, i) =>
      i === 2 ? { ...c, status: 'entered-in-error' as const } : c,
    );
    const back = codingFromFhir(
      [retired, second, third],
      [...items, { ...items[0], id: 'x', status: 'not-billable' } as ChargeItem],
    );
    expect(back.diagnoses.map((d) => d.code)).toEqual(['I10', 'E11.9']);
    expect(back.lines.map((l) => l.code)).toEqual(['99214', '20610']);
    // 99214 pointed at I10, E11.9, M17.11: M17.11 is gone, the rest renumber to their new positions.
    expect(back.lines[0]?.pointers).toEqual([1, 2]);
    // 20610 pointed only at M17.11: no pointer left, so the line-no-pointer edit will ask for one.
    expect(back.lines[1]?.pointers).toEqual([]);
  });

  it('reads pointers written as absolute or versioned references', () => {
    const { conditions, chargeItems } = toFhir(coding());
    const [item] = chargeItems;
    if (!item) throw new Error('fixture');
    const absolute: ChargeItem = {
      ...item,
      extension: [
        {
          url: EXT.diagnosisPointer,
          valueReference: { reference: 'https://ehr.example/fhir/Condition/c3/_history/1' },
        },
        { url: EXT.diagnosisPointer, valueReference: { reference: 'Condition/c2' } },
      ],
    };
    expect(codingFromFhir(conditions, [absolute]).lines[0]?.pointers).toEqual([3, 2]);
  });
});

describe('an overridden age conflict', () => {
  it('keeps the clinician’s reason on the Condition, so the worker’s scrub sees it too', () => {
    const condition = conditionFromDiagnosis(
      { code: 'Z00.129', overrides: [{ rule: 'dx-age-conflict', reason: 'Developmental delay' }] },
      1,
      ctx,
    );
    expect(condition.extension).toContainEqual({
      url: EXT.ageConflictOverride,
      valueString: 'Developmental delay',
    });
    const read = codingFromFhir([{ ...condition, id: 'c1' }], []);
    expect(read.diagnoses[0]?.overrides).toEqual([
      { rule: 'dx-age-conflict', reason: 'Developmental delay' },
    ]);
    const plain = conditionFromDiagnosis({ code: 'I10' }, 1, ctx);
    expect(plain.extension?.some((e) => e.url === EXT.ageConflictOverride)).toBe(false);
  });
});

describe('the E/M level basis travels with the visit’s ChargeItem (issue 16, item 11)', () => {
  const ctx = {
    patient: 'Patient/p1',
    encounter: 'Encounter/e1',
    conditionRefs: ['Condition/c1'],
    status: 'planned' as const,
    occurrence: '2026-03-02',
  };
  const condition = { ...conditionFromDiagnosis({ code: 'I10' }, 1, ctx), id: 'c1' };
  const visit = (code: string, emDocumentation?: EmDocumentation): ServiceLine => ({
    code,
    system: 'cpt',
    units: 1,
    modifiers: ['25'],
    pointers: [1],
    ...(emDocumentation ? { emDocumentation } : {}),
  });

  it('reads back the time and MDM elements the clinician entered', () => {
    const doc: EmDocumentation = {
      minutes: 22,
      problems: 'moderate',
      data: 'limited',
      risk: 'low',
    };
    const item = { ...chargeItemFromLine(visit('99214', doc), ctx), id: 'ci1' };
    const [line] = codingFromFhir([condition], [item]).lines;
    expect(line?.emDocumentation).toEqual(doc);
    expect(line?.modifiers).toEqual(['25']);
  });

  it('writes nothing for an empty basis or a service that is not an office visit', () => {
    expect(chargeItemFromLine(visit('99214', {}), ctx).extension?.map((e) => e.url)).not.toContain(
      EXT.emBasis,
    );
    const injection = chargeItemFromLine(visit('20610', { minutes: 30 }), ctx);
    expect(injection.extension?.map((e) => e.url)).not.toContain(EXT.emBasis);
  });

  it('drops values that are not AMA levels instead of trusting them', () => {
    const item = { ...chargeItemFromLine(visit('99213'), ctx), id: 'ci1' };
    item.extension = [
      ...(item.extension ?? []),
      {
        url: EXT.emBasis,
        extension: [
          { url: 'minutes', valueInteger: -5 },
          { url: 'risk', valueCode: 'extreme' },
          { url: 'problems', valueCode: 'low' },
        ],
      },
    ];
    expect(codingFromFhir([condition], [item]).lines[0]?.emDocumentation).toEqual({
      problems: 'low',
    });
  });
});
