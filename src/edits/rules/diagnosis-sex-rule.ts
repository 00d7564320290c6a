/**
 * Sex-specific diagnoses (Medicare Code Editor v37 sex lists, CodeEntry.sex), e.g. a pregnancy code
 * for a male patient. CMS deactivated the MCE sex-conflict edit on 2024-10-01 (FY2025), so this is
 * a warning only: some payers still apply their own, and a mismatch is often a registration slip.
 */
import type { Finding } from '../../coding/coding-model.ts';
import type { EditRule } from '../edit-rule.ts';

export const diagnosisSex: EditRule = ({ coding, facts, codes }) => {
  const sex = facts.patientSex;
  if (sex !== 'male' && sex !== 'female') return [];
  return coding.diagnoses.flatMap((dx, index): Finding[] => {
    const codeSex = codes.lookup('icd10cm', dx.code)?.sex;
    if (!codeSex || codeSex === sex) return [];
    return [
      {
        rule: 'dx-sex-conflict',
        severity: 'warning',
        message: `${dx.code} is for ${codeSex} patients, but the patient is recorded as ${sex}. CMS switched its sex-conflict edit off on 2024-10-01, but some payers still check it.`,
        fix: `Check the code and the patient's recorded sex; if both are right (e.g. a transgender patient), keep the code; some payers ask for modifier KX on the gender-specific services.`,
        target: { kind: 'diagnosis', index },
      },
    ];
  });
};
