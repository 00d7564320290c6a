/**
 * Modifier 59 and X{EPSU} say "distinct procedural service" to bypass an NCCI PTP edit (NCCI
 * Policy Manual Chapter I §E; CMS CR 8863). They are needed only where an edit with modifier
 * indicator 1 pairs the line with another service on the claim, or where the same code is billed
 * on another line; anywhere else the modifier does nothing except draw audits. 59 and an X
 * modifier together say the same thing twice. Runs only with NCCI tables (EditReference.ncci)
 * holding PTP rows: an MUE-only table says nothing about pairs.
 */
import { compactCode } from '../../codes/code-format.ts';
import type { Finding, ServiceLine } from '../../coding/coding-model.ts';
import type { NcciTables } from '../../ncci/ncci-tables.ts';
import type { EditRule } from '../edit-rule.ts';
import { DISTINCT_SERVICE_MODIFIERS } from '../modifier-groups.ts';

function pairedByEdit(
  line: ServiceLine,
  others: ServiceLine[],
  ncci: NcciTables,
  date: string,
): boolean {
  return others.some((other) => {
    if (other.code === line.code) return true;
    const edit = ncci.ptp(other.code, line.code, date) ?? ncci.ptp(line.code, other.code, date);
    // Indicator 0 pairs them too: ncci-ptp says no modifier helps, so "not needed" would mislead.
    return edit !== undefined && edit.modifierIndicator !== '9';
  });
}

export const distinctServiceModifier: EditRule = ({ coding, facts, reference }) => {
  const ncci = reference.ncci;
  if (!ncci) return [];
  return coding.lines.flatMap((line, index): Finding[] => {
    const distinct = line.modifiers.filter((m) => DISTINCT_SERVICE_MODIFIERS.has(compactCode(m)));
    const first = distinct[0];
    if (!first) return [];
    const target = { kind: 'line', index } as const;
    const others = coding.lines.filter((_, i) => i !== index);
    // Without a PTP table nothing can be said about pairs (data-coverage.ts says the edit is off).
    if (ncci.counts.ptp > 0 && !pairedByEdit(line, others, ncci, facts.dateOfService)) {
      return [
        {
          rule: 'modifier-59-not-needed',
          severity: 'warning',
          message: `Modifier ${first} on ${line.code} is not needed: no NCCI PTP edit pairs ${line.code} with another service on this claim.`,
          fix: `Remove ${first} from ${line.code}; unneeded 59/X modifiers draw audits.`,
          target,
        },
      ];
    }
    const keys = distinct.map(compactCode);
    if (keys.includes('59') && keys.length > 1) {
      return [
        {
          rule: 'modifier-59-with-x',
          severity: 'warning',
          message: `${line.code} has both 59 and ${keys.find((k) => k !== '59') ?? ''}: they say the same thing.`,
          fix: 'Keep the more specific X modifier and remove 59.',
          target,
        },
      ];
    }
    return [];
  });
};
