/**
 * Modifiers on a line: known, not repeated, and at most four (837P SV101-3 to SV101-6).
 */
import { compactCode } from '../../codes/code-format.ts';
import { CLAIM_LIMITS, type Finding, type ServiceLine } from '../../coding/coding-model.ts';
import type { EditContext, EditRule } from '../edit-rule.ts';

function lineModifierFindings(line: ServiceLine, index: number, { codes }: EditContext): Finding[] {
  const target = { kind: 'line', index } as const;
  const findings: Finding[] = [];
  if (line.modifiers.length > CLAIM_LIMITS.maxModifiers) {
    findings.push({
      rule: 'line-max-modifiers',
      severity: 'error',
      message: `${line.code} has ${line.modifiers.length} modifiers; a claim line holds at most ${CLAIM_LIMITS.maxModifiers}.`,
      fix: 'Keep the modifiers that change payment first, and remove the rest.',
      target,
    });
  }
  const seen = new Set<string>();
  for (const modifier of line.modifiers) {
    const key = compactCode(modifier);
    if (seen.has(key)) {
      findings.push({
        rule: 'modifier-duplicate',
        severity: 'warning',
        message: `Modifier ${modifier} appears more than once on ${line.code}.`,
        fix: `Remove the repeated ${modifier}.`,
        target,
      });
    }
    seen.add(key);
    if (!codes.lookup('modifier', modifier)) {
      findings.push({
        rule: 'modifier-unknown',
        severity: 'error',
        message: `${modifier} on ${line.code} is not a modifier ChartBill knows.`,
        fix: `Check modifier ${modifier}, or remove it.`,
        target,
      });
    }
  }
  return findings;
}

export const lineModifiers: EditRule = (ctx) =>
  ctx.coding.lines.flatMap((line, index) => lineModifierFindings(line, index, ctx));
