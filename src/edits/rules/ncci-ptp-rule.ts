/**
 * NCCI procedure-to-procedure edits (NCCI Policy Manual, Introduction and Chapter I §E): when a
 * column 1 code and its column 2 code are billed for one patient on one date, the column 2 code
 * is not paid. Modifier indicator 0: no modifier allows the pair. Indicator 1: a bypass modifier
 * (anatomic, global surgery, 25, 59/X{EPSU}, 91…) on either line allows it when the services were
 * truly distinct; for a visit bundled into a procedure only 25 or 57 on the visit does: only 57
 * when column 1 is major surgery (PFS global days 090), only 25 when it is a minor procedure
 * (000/010: 57 is the decision for major surgery, NCCI Policy Manual ch. I §D), either when the
 * global period is unknown. Indicator 9: the edit no longer applies. Edits are taken in force on
 * the date of service (deleted ones are ignored). Runs only with NCCI tables (EditReference.ncci).
 */
import type { Finding, ServiceLine } from '../../coding/coding-model.ts';
import type { PtpEdit } from '../../ncci/ncci-tables.ts';
import type { EditRule } from '../edit-rule.ts';
import { hasAny, PTP_BYPASS_MODIFIERS } from '../modifier-groups.ts';
import { isEvaluationAndManagement } from './em-modifier-25-rule.ts';

/** A visit bundled into a procedure is separated only by 25 (or 57, decision for surgery) on the visit. */
const EM_BYPASS: ReadonlySet<string> = new Set(['25', '57']);

/** Major surgery (PFS global days 090): only 57 separates the visit that decided on it. */
const MAJOR_BYPASS: ReadonlySet<string> = new Set(['57']);

/** Minor procedure (PFS global days 000/010): only 25 separates the visit. */
const MINOR_BYPASS: ReadonlySet<string> = new Set(['25']);

type GlobalKind = 'major' | 'minor' | undefined;

const VISIT_BYPASS = (kind: GlobalKind): ReadonlySet<string> =>
  kind === 'major' ? MAJOR_BYPASS : kind === 'minor' ? MINOR_BYPASS : EM_BYPASS;

function ptpFinding(
  column1: ServiceLine,
  column2: ServiceLine,
  edit: PtpEdit,
  index: number,
  kind: GlobalKind,
): Finding | undefined {
  const major = kind === 'major';
  const target = { kind: 'line', index } as const;
  const why = edit.rationale ? ` (${edit.rationale})` : '';
  if (edit.modifierIndicator === '0') {
    return {
      rule: 'ncci-ptp',
      severity: 'error',
      message: `${column2.code} is not paid with ${column1.code} on the same day: NCCI PTP edit${why}, modifier indicator 0 — no modifier allows this pair.`,
      fix: `Remove ${column2.code}; its work is included in ${column1.code}.`,
      target,
      suggestions: [],
    };
  }
  const em = isEvaluationAndManagement(column2);
  const visitModifier = major ? '57' : '25';
  if (
    em
      ? hasAny(column2.modifiers, VISIT_BYPASS(kind))
      : hasAny(column2.modifiers, PTP_BYPASS_MODIFIERS) ||
        hasAny(column1.modifiers, PTP_BYPASS_MODIFIERS)
  )
    return undefined;
  return {
    rule: 'ncci-ptp',
    severity: 'error',
    message: `${column2.code} is bundled into ${column1.code} on the same day: NCCI PTP edit${why}, modifier indicator 1.`,
    fix: em
      ? major
        ? `${column1.code} is major surgery (90-day global period): if this visit was the decision for surgery, add modifier 57 to ${column2.code}; otherwise remove it.`
        : `If the visit was significant and separately identifiable, add modifier 25 to ${column2.code}${kind === 'minor' && hasAny(column2.modifiers, MAJOR_BYPASS) ? ' (57 is for major surgery; ' + column1.code + ' has a 0- or 10-day global period)' : ''}; otherwise remove it.`
      : `If ${column2.code} was a distinct service (another site, session, encounter or practitioner), add XS, XE, XP or XU (or 59) to ${column2.code} and document it; otherwise remove it.`,
    target,
    suggestions: em ? [visitModifier] : ['XS', 'XE', 'XP', 'XU', '59'],
  };
}

export const ncciPtp: EditRule = ({ coding, facts, reference }) => {
  const kindOf = (code: string): GlobalKind => {
    const days = reference.indicators?.(code)?.globalDays;
    return days === '090' ? 'major' : days === '000' || days === '010' ? 'minor' : undefined;
  };
  const ncci = reference.ncci;
  if (!ncci) return [];
  const findings: Finding[] = [];
  coding.lines.forEach((column2, j) => {
    coding.lines.forEach((column1, i) => {
      if (i === j || column1.code === column2.code) return;
      const edit = ncci.ptp(column1.code, column2.code, facts.dateOfService);
      if (!edit || edit.modifierIndicator === '9') return;
      const finding = ptpFinding(column1, column2, edit, j, kindOf(column1.code));
      if (finding) findings.push(finding);
    });
  });
  return findings;
};
