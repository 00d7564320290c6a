/**
 * Preventive medicine visits 99381–99397 are excluded from Medicare by statute (Social Security
 * Act §1862(a)(7), routine physical checkups); Medicare pays the annual wellness visit instead
 * (G0438 initial, G0439 subsequent; 42 CFR 410.15) and the Welcome to Medicare visit (G0402).
 * For a Medicare patient the line says what to do: bill the wellness visit if that is what was
 * done, or give the patient advance notice (an ABN used as a voluntary notice) and bill the
 * preventive code with modifier GY (statutorily excluded) so the patient or a secondary payer can
 * be billed. With GY, GX or GA on the line the clinician has done that: no finding. Other payers:
 * nothing (see payer-edit-set.ts).
 */
import type { Finding } from '../../coding/coding-model.ts';
import type { EditRule } from '../edit-rule.ts';
import { modifierKeys } from '../modifier-groups.ts';
import { editSetOf } from '../payer-edit-set.ts';

/** CPT preventive medicine, new (99381–99387) and established (99391–99397). */
export function isPreventiveVisit(code: string): boolean {
  return /^993(8[1-7]|9[1-7])$/.test(code);
}

const NOTICE_MODIFIERS = ['GY', 'GX', 'GA'];

export const medicarePreventive: EditRule = ({ coding, facts }) => {
  const coverage = editSetOf(facts.payerType).medicareCoverage;
  if (coverage === 'off') return [];
  return coding.lines.flatMap((line, index): Finding[] => {
    if (!isPreventiveVisit(line.code)) return [];
    if (modifierKeys(line.modifiers).some((m) => NOTICE_MODIFIERS.includes(m))) return [];
    const when = coverage === 'warning' ? ' If the payer is Medicare:' : '';
    return [
      {
        rule: 'medicare-preventive',
        severity: coverage,
        message: `Medicare does not cover the preventive visit ${line.code} (Social Security Act §1862(a)(7)).${coverage === 'warning' ? ' The payer is not known to be Medicare or not.' : ''}`,
        fix: `${when} if this was an annual wellness visit, bill G0438 (first) or G0439 (subsequent) instead; otherwise give the patient advance notice (ABN) and add modifier GY so the patient or a secondary payer can be billed.`,
        target: { kind: 'line', index },
        suggestions: ['G0438', 'G0439', 'GY'],
      },
    ];
  });
};
