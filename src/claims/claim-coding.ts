import type { Claim } from 'fhir/r4';
import type { EncounterCoding } from '../coding/coding-model.ts';
import { SYSTEM } from '../fhir/systems.ts';

/**
 * The coding a Claim carries, read back: its diagnoses in sequence order and its lines (code,
 * modifiers, units, diagnosis pointers). The inverse of claim assembly, so a claim billing staff
 * edited can be scrubbed by the same edits as the chart's coding.
 */
export function codingFromClaim(claim: Claim): EncounterCoding {
  const diagnoses = [...(claim.diagnosis ?? [])]
    .sort((a, b) => a.sequence - b.sequence)
    .map((d) => {
      const coding =
        d.diagnosisCodeableConcept?.coding?.find((c) => c.system === SYSTEM.icd10cm) ??
        d.diagnosisCodeableConcept?.coding?.[0];
      return { code: coding?.code ?? '', ...(coding?.display ? { display: coding.display } : {}) };
    });
  const lines = [...(claim.item ?? [])]
    .sort((a, b) => a.sequence - b.sequence)
    .map((item) => {
      const coding = item.productOrService.coding?.[0];
      return {
        code: coding?.code ?? '',
        system: coding?.system === SYSTEM.hcpcs ? ('hcpcs' as const) : ('cpt' as const),
        ...(coding?.display ? { display: coding.display } : {}),
        units: item.quantity?.value ?? 1,
        modifiers: (item.modifier ?? []).map((m) => m.coding?.[0]?.code ?? ''),
        pointers: item.diagnosisSequence ?? [],
      };
    });
  return { diagnoses, lines };
}

/**
 * Whether two codings bill the same thing: the same diagnoses in order, and the same lines
 * (code, modifiers, units, pointers). Displays and record ids do not count.
 */
export function sameBilledCoding(a: EncounterCoding, b: EncounterCoding): boolean {
  const key = (c: EncounterCoding) =>
    JSON.stringify([
      c.diagnoses.map((d) => d.code),
      c.lines.map((l) => [l.code, l.modifiers, l.units, l.pointers]),
    ]);
  return key(a) === key(b);
}
