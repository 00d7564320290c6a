/**
 * ICD-10-CM combination conventions a coder expects (Official Guidelines FY2026):
 * - I.C.9.a.1–3: hypertension with heart failure or chronic kidney disease is presumed linked and
 *   coded with the combination category (I11.- heart, I12.- CKD, I13.- both), never I10 beside
 *   them; the N18 stage and the I50 type are added as the notes ask.
 * - I.B.9 (combination codes) and the E08–E13 ".9 without complications" codes: E11.9 says
 *   "without complications", so it cannot stand beside another E11 code that names one.
 */
import { compactCode } from '../../codes/code-format.ts';
import type { DiagnosisEntry, Finding } from '../../coding/coding-model.ts';
import type { EditRule } from '../edit-rule.ts';

const starts = (dx: DiagnosisEntry, prefix: string): boolean =>
  compactCode(dx.code).startsWith(prefix);

/** CKD stage 5 or end-stage renal disease (N18.5, N18.6) picks I12.0 / I13.2. */
const isStage5 = (dx: DiagnosisEntry): boolean => /^N18[56]/.test(compactCode(dx.code));

function hypertensionTarget(dxs: DiagnosisEntry[]): { code: string; why: string } | undefined {
  const ckd = dxs.filter((d) => starts(d, 'N18'));
  const heartFailure = dxs.some((d) => starts(d, 'I50'));
  const late = ckd.some(isStage5);
  if (ckd.length && heartFailure)
    return {
      code: late ? 'I13.2' : 'I13.0',
      why: 'hypertension with heart failure and chronic kidney disease is coded I13.- (Guidelines I.C.9.a.3), with the I50 and N18 codes',
    };
  if (ckd.length)
    return {
      code: late ? 'I12.0' : 'I12.9',
      why: 'hypertension with chronic kidney disease is coded I12.- (Guidelines I.C.9.a.2), with the N18 code for the stage',
    };
  if (heartFailure)
    return {
      code: 'I11.0',
      why: 'hypertension with heart failure is coded I11.0 (Guidelines I.C.9.a.1), with the I50 code for the type',
    };
  return undefined;
}

export const hypertensionCombination: EditRule = ({ coding }) => {
  const index = coding.diagnoses.findIndex((d) => compactCode(d.code) === 'I10');
  if (index < 0) return [];
  const target = hypertensionTarget(coding.diagnoses);
  if (!target) return [];
  return [
    {
      rule: 'dx-hypertension-combination',
      severity: 'error',
      message: `I10 is listed with ${target.code.startsWith('I11') ? 'heart failure' : 'chronic kidney disease'}: ${target.why}.`,
      fix: `Replace I10 with ${target.code}. If the provider documents that the conditions are unrelated, keep I10 and say so in the note.`,
      target: { kind: 'diagnosis', index },
      suggestions: [target.code],
    },
  ];
};

/** E08–E13 categories whose `.9` code means "without complications". */
const DIABETES = /^E(0[89]|1[0-3])9$/;

export const diabetesWithoutComplications: EditRule = ({ coding }) =>
  coding.diagnoses.flatMap((dx, index): Finding[] => {
    const code = compactCode(dx.code);
    if (!DIABETES.test(code)) return [];
    const category = code.slice(0, 3);
    const other = coding.diagnoses.find((d) => {
      const c = compactCode(d.code);
      return c.startsWith(category) && c !== code;
    });
    if (!other) return [];
    return [
      {
        rule: 'dx-diabetes-without-complications',
        severity: 'error',
        message: `${dx.code} means diabetes without complications, but ${other.code} names a complication of the same diabetes.`,
        fix: `Remove ${dx.code}: ${other.code} already reports the diabetes (Guidelines I.C.4.a: use as many codes from ${category} as describe the complications).`,
        target: { kind: 'diagnosis', index },
      },
    ];
  });
