/**
 * An E/M visit billed on the same day as a minor procedure is bundled into the procedure unless
 * the visit was significant and separately identifiable, shown by modifier 25 on the E/M
 * (NCCI Policy Manual, Chapter XI §A and Chapter I §D; CPT modifier 25). Labs, venipuncture,
 * tests, vaccines and their administration do not need it.
 */
import { compactCode } from '../../codes/code-format.ts';
import type { Finding, ServiceLine } from '../../coding/coding-model.ts';
import type { EditContext, EditRule } from '../edit-rule.ts';

/** Office, preventive and other E/M visits: 99202–99499 without add-on time codes (9941x). */
export function isEvaluationAndManagement(line: ServiceLine): boolean {
  return line.system === 'cpt' && /^99[23]\d\d$/.test(line.code);
}

/** Injections and treatments from the Medicine section that NCCI bundles an E/M into. */
const MEDICINE_PROCEDURES = new Set(['96372', '96373', '96374', '94640']);
/** Venipuncture and capillary blood draws sit in the surgery range but are lab work. */
const SPECIMEN_COLLECTION = new Set(['36415', '36416']);

/** A procedure for the modifier-25 rule: the CPT surgery section 10004–69990, plus the set above. */
export function isMinorProcedure(line: ServiceLine): boolean {
  if (line.system !== 'cpt' || !/^\d{5}$/.test(line.code)) return false;
  if (SPECIMEN_COLLECTION.has(line.code)) return false;
  const n = Number(line.code);
  return (n >= 10004 && n <= 69990) || MEDICINE_PROCEDURES.has(line.code);
}

/** The PFS global period of a procedure: major (090), minor (000/010) or unknown. */
function globalKind(code: string, ctx: EditContext): 'major' | 'minor' | undefined {
  const days = ctx.reference.indicators?.(code)?.globalDays;
  if (days === '090') return 'major';
  if (days === '000' || days === '010') return 'minor';
  return undefined;
}

function finding(
  line: ServiceLine,
  index: number,
  message: string,
  fix: string,
  add: string,
): Finding {
  return {
    rule: 'em-needs-25',
    severity: 'warning',
    message,
    fix,
    target: { kind: 'line', index },
    suggestions: [add],
  };
}

/**
 * An E/M the same day as a procedure. Major surgery (PFS global days 090): the visit that decided
 * on the surgery is paid only with modifier 57 (NCCI Policy Manual ch. I §D, Claims Processing
 * Manual ch. 12 §40.2.A.4), and 25 does not do it. Minor procedures (000/010) and procedures
 * without a PFS global period: 25. Without NCCI tables this is a heuristic warning; a visit the
 * PTP edits already pair with the procedure is reported by `ncci-ptp`, so not repeated here.
 */
export const emNeeds25: EditRule = (ctx) => {
  const { coding, facts, reference } = ctx;
  const procedures = coding.lines.filter(isMinorProcedure);
  if (procedures.length === 0) return [];
  const major = procedures.find((p) => globalKind(p.code, ctx) === 'major');
  const procedure = major ?? procedures[0];
  if (!procedure) return [];
  const pairedByNcci = (line: ServiceLine): boolean => {
    const edit = reference.ncci?.ptp(procedure.code, line.code, facts.dateOfService);
    return edit !== undefined && edit.modifierIndicator !== '9';
  };
  return coding.lines.flatMap((line, index): Finding[] => {
    // A visit an NCCI PTP edit pairs with the procedure is reported once, by ncci-ptp.
    if (!isEvaluationAndManagement(line) || pairedByNcci(line)) return [];
    const keys = line.modifiers.map(compactCode);
    if (major) {
      if (keys.includes('57')) return [];
      return [
        finding(
          line,
          index,
          `${line.code} is billed the same day as the major surgery ${major.code} (90-day global period): the visit is part of the surgery's payment unless it was the decision for surgery.`,
          `If this visit decided on the surgery, add modifier 57 to ${line.code}${keys.includes('25') ? ' (25 is for minor procedures)' : ''}; otherwise remove ${line.code}.`,
          '57',
        ),
      ];
    }
    if (keys.includes('25')) return [];
    if (keys.includes('57') && globalKind(procedure.code, ctx) === 'minor')
      return [
        finding(
          line,
          index,
          `${line.code} has modifier 57 (decision for major surgery), but ${procedure.code} is a minor procedure (0- or 10-day global period).`,
          `Use modifier 25 on ${line.code} instead of 57.`,
          '25',
        ),
      ];
    if (keys.includes('57')) return [];
    return [
      finding(
        line,
        index,
        `${line.code} is billed with the procedure ${procedure.code} on the same day: without modifier 25 the visit is paid as part of the procedure.`,
        `Add modifier 25 to ${line.code}`,
        '25',
      ),
    ];
  });
};
