/**
 * NCCI medically unlikely edits (MUE): the most units of a service one practitioner reports for
 * one patient on one date. MUE adjudication indicator (MAI) 1 is a line edit (each claim line is
 * checked; more units may go on another line with a modifier such as 76, 91 or an anatomic one);
 * MAI 2 (policy) and MAI 3 (clinical) are date-of-service edits: the units of every line with the
 * code are added up. MAI 2 limits are absolute; MAI 3 denials may be appealed with documentation.
 * Runs only with NCCI tables (EditReference.ncci).
 *
 * A value of 0 is Medicare's coverage decision (the code is never paid to a practitioner), not a
 * unit limit: it applies to Medicare claims only, warns when the payer is unknown, and for the
 * preventive visits 99381–99397 `medicare-preventive` says what to bill instead.
 */
import type { Finding } from '../../coding/coding-model.ts';
import type { MueEdit } from '../../ncci/ncci-tables.ts';
import type { EditRule } from '../edit-rule.ts';
import { editSetOf } from '../payer-edit-set.ts';
import { isPreventiveVisit } from './medicare-preventive-rule.ts';

const MAI_NAME = {
  1: 'line edit',
  2: 'date-of-service edit, policy',
  3: 'date-of-service edit, clinical',
} as const;

function describe(mue: MueEdit): string {
  return `NCCI MUE ${mue.value}, MAI ${mue.mai} ${MAI_NAME[mue.mai]}${mue.rationale ? `: ${mue.rationale}` : ''}`;
}

function dayFix(mue: MueEdit, code: string): string {
  return mue.mai === 2
    ? `Bill at most ${mue.value} unit${mue.value === 1 ? '' : 's'} of ${code} for the day: units above this policy limit are never paid.`
    : `Bill at most ${mue.value} unit${mue.value === 1 ? '' : 's'} of ${code} for the day; if more were medically necessary, the denied units can be appealed with the documentation.`;
}

function notCovered(
  code: string,
  mue: MueEdit,
  index: number,
  severity: 'error' | 'warning',
): Finding {
  return {
    rule: 'ncci-mue',
    severity,
    message:
      severity === 'error'
        ? `Medicare does not pay ${code} to a practitioner (${describe(mue)}).`
        : `Medicare does not pay ${code} to a practitioner (${describe(mue)}); this applies if the payer is Medicare.`,
    fix:
      severity === 'error'
        ? `Bill ${code} only to a payer that covers it; for Medicare, tell the patient in advance (ABN) that they will pay.`
        : `Set the payer's edit set (CHARTBILL_PAYER_EDIT_SETS) so Medicare-only limits apply only to Medicare.`,
    target: { kind: 'line', index },
  };
}

export const ncciMue: EditRule = ({ coding, facts, reference }) => {
  const ncci = reference.ncci;
  if (!ncci) return [];
  const coverage = editSetOf(facts.payerType).medicareCoverage;
  const findings: Finding[] = [];
  const dayTotals = new Map<string, { units: number; last: number; mue: MueEdit }>();
  coding.lines.forEach((line, index) => {
    const mue = ncci.mue(line.code, facts.dateOfService);
    if (!mue) return;
    if (mue.value === 0) {
      // Preventive visits: medicare-preventive names the covered alternative instead.
      if (coverage !== 'off' && !isPreventiveVisit(line.code))
        findings.push(notCovered(line.code, mue, index, coverage));
      return;
    }
    if (mue.mai === 1) {
      if (line.units > mue.value) {
        findings.push({
          rule: 'ncci-mue',
          severity: 'error',
          message: `${line.code} has ${line.units} units on one line; the most allowed is ${mue.value} (${describe(mue)}).`,
          fix: `Bill at most ${mue.value} on this line; if more were done at another site or session, bill them on another line with the modifier that says so (e.g. 76, 91, LT/RT).`,
          target: { kind: 'line', index },
        });
      }
      return;
    }
    const sum = dayTotals.get(line.code);
    dayTotals.set(line.code, { units: (sum?.units ?? 0) + line.units, last: index, mue });
  });
  for (const [code, { units, last, mue }] of dayTotals) {
    if (units <= mue.value) continue;
    findings.push({
      rule: 'ncci-mue',
      severity: 'error',
      message: `${code} is billed for ${units} units on ${facts.dateOfService}; the most allowed for one day is ${mue.value} (${describe(mue)}).`,
      fix: dayFix(mue, code),
      target: { kind: 'line', index: last },
    });
  }
  return findings;
};
