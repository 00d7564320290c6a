/**
 * Diagnosis pointers (837P SV107, CMS-1500 box 24E): each line points at 1 to 4 diagnoses of
 * the claim, by position.
 */
import { CLAIM_LIMITS, type Finding, type ServiceLine } from '../../coding/coding-model.ts';
import type { EditContext, EditRule } from '../edit-rule.ts';

function linePointerFindings(line: ServiceLine, index: number, { coding }: EditContext): Finding[] {
  const target = { kind: 'line', index } as const;
  const count = coding.diagnoses.length;
  const primary = coding.diagnoses[0]?.code;
  if (line.pointers.length === 0) {
    return [
      {
        rule: 'line-no-pointer',
        severity: 'error',
        message: `${line.code} is not linked to any diagnosis.`,
        fix: primary
          ? `Link ${line.code} to the diagnosis it was for (often ${primary}).`
          : 'Add a diagnosis, then link it.',
        target,
        suggestions: primary ? [primary] : [],
      },
    ];
  }
  const findings: Finding[] = [];
  if (line.pointers.length > CLAIM_LIMITS.maxPointers) {
    findings.push({
      rule: 'line-max-pointers',
      severity: 'error',
      message: `${line.code} is linked to ${line.pointers.length} diagnoses; a claim line holds at most ${CLAIM_LIMITS.maxPointers}.`,
      fix: `Keep the ${CLAIM_LIMITS.maxPointers} diagnoses that best explain ${line.code}, the main one first.`,
      target,
    });
  }
  const outside = line.pointers.filter((p) => !Number.isInteger(p) || p < 1 || p > count);
  if (outside.length > 0) {
    // A pointer below 1 is a claim's diagnosis sequence that names no diagnosis: never "diagnosis 0".
    const numbered = outside.filter((p) => Number.isInteger(p) && p >= 1);
    const unnamed = outside.length - numbered.length;
    const what = [
      ...(numbered.length ? [`diagnosis ${numbered.join(', ')}`] : []),
      ...(unnamed
        ? [`${unnamed === 1 ? 'a diagnosis' : `${unnamed} diagnoses`} the claim does not list`]
        : []),
    ].join(' and ');
    findings.push({
      rule: 'line-pointer-out-of-range',
      severity: 'error',
      message: `${line.code} points to ${what}, but the encounter has ${count} diagnos${count === 1 ? 'is' : 'es'}.`,
      fix: `Link ${line.code} to one of the listed diagnoses.`,
      target,
    });
  }
  return findings;
}

export const linePointers: EditRule = (ctx) =>
  ctx.coding.lines.flatMap((line, index) => linePointerFindings(line, index, ctx));
