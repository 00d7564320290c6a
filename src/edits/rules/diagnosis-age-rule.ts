/**
 * Diagnoses meant for one age group (Medicare Code Editor age edits: pediatric 0–17, adult
 * 15–124), e.g. a routine child health exam Z00.12x for an adult. A warning: the MCE is a Medicare
 * inpatient edit, and outpatient payers differ, but the mismatch is usually a slip.
 */
import { STARTER_MCE } from '../../codes/starter-mce.ts';
import { formatIcd10cm } from '../../codes/code-format.ts';
import type { Finding } from '../../coding/coding-model.ts';
import type { EditRule } from '../edit-rule.ts';

const AGE_GROUPS = [
  { codes: new Set<string>(STARTER_MCE.pediatric), min: 0, max: 17, name: 'children (0–17)' },
  { codes: new Set<string>(STARTER_MCE.adult), min: 15, max: 124, name: 'adults (15 and over)' },
] as const;

/** Completed years between two YYYY-MM-DD dates. */
export function ageOn(birthDate: string, date: string): number {
  const [by = 0, bm = 0, bd = 0] = birthDate.split('-').map(Number);
  const [y = 0, m = 0, d = 0] = date.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export const diagnosisAge: EditRule = ({ coding, facts }) => {
  if (!facts.patientBirthDate) return [];
  const age = ageOn(facts.patientBirthDate, facts.dateOfService);
  return coding.diagnoses.flatMap((dx, index): Finding[] => {
    const group = AGE_GROUPS.find((g) => g.codes.has(formatIcd10cm(dx.code)));
    if (!group || (age >= group.min && age <= group.max)) return [];
    return [{
      rule: 'dx-age-conflict',
      severity: 'warning',
      message: `${dx.code} is for ${group.name}, but the patient is ${age} on the date of service.`,
      fix: `Check the code: choose one meant for a patient aged ${age}.`,
      target: { kind: 'diagnosis', index },
    }];
  });
};
