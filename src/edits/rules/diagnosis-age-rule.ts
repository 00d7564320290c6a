/**
 * Diagnoses meant for one age group (Medicare Code Editor age edits: newborn 0, pediatric 0–17,
 * maternity 9–64, adult 15–124), e.g. a routine child health exam Z00.12x for an adult. The group
 * comes from the code set (CodeEntry.ageGroup, imported from the MCE), else from the starter
 * set's MCE lists. An error (a newborn or maternity code on a 45-year-old is almost always a
 * slip), which the clinician may override by recording a reason (`DiagnosisEntry.overrides`);
 * an overridden conflict stays visible as a warning that quotes the reason.
 */
import { formatIcd10cm } from '../../codes/code-format.ts';
import type { CodeSet } from '../../codes/code-set.ts';
import { STARTER_MCE } from '../../codes/starter-mce.ts';
import type { Finding } from '../../coding/coding-model.ts';
import type { EditRule } from '../edit-rule.ts';
import { MCE_AGE_CATEGORIES, type AgeGroup } from '../mce-age-categories.ts';

const STARTER_GROUPS: ReadonlyMap<string, AgeGroup> = new Map<string, AgeGroup>([
  ...STARTER_MCE.pediatric.map((c): [string, AgeGroup] => [c, 'pediatric']),
  ...STARTER_MCE.adult.map((c): [string, AgeGroup] => [c, 'adult']),
]);

/** Completed years between two YYYY-MM-DD dates. */
export function ageOn(birthDate: string, date: string): number {
  const [by = 0, bm = 0, bd = 0] = birthDate.split('-').map(Number);
  const [y = 0, m = 0, d = 0] = date.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

function ageGroupOf(code: string, codes: CodeSet): AgeGroup | undefined {
  return codes.lookup('icd10cm', code)?.ageGroup ?? STARTER_GROUPS.get(formatIcd10cm(code));
}

export const diagnosisAge: EditRule = ({ coding, facts, codes }) => {
  if (!facts.patientBirthDate) return [];
  const age = ageOn(facts.patientBirthDate, facts.dateOfService);
  return coding.diagnoses.flatMap((dx, index): Finding[] => {
    const group = ageGroupOf(dx.code, codes);
    if (!group) return [];
    const range = MCE_AGE_CATEGORIES[group];
    if (age >= range.min && age <= range.max) return [];
    const message = `${dx.code} is for ${range.label}, but the patient is ${age} on the date of service (Medicare Code Editor age edit).`;
    const override = dx.overrides?.find((o) => o.rule === 'dx-age-conflict' && o.reason.trim());
    if (override)
      return [
        {
          rule: 'dx-age-conflict',
          severity: 'warning',
          message: `${message} Kept by the clinician: ${override.reason.trim()}`,
          target: { kind: 'diagnosis', index },
        },
      ];
    return [
      {
        rule: 'dx-age-conflict',
        severity: 'error',
        message,
        fix: `Check the code and the birth date: choose a code meant for a patient aged ${age}, or keep it and record why.`,
        target: { kind: 'diagnosis', index },
        overridable: true,
      },
    ];
  });
};
