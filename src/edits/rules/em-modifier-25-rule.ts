/**
 * An E/M visit billed on the same day as a minor procedure is bundled into the procedure unless
 * the visit was significant and separately identifiable, shown by modifier 25 on the E/M
 * (NCCI Policy Manual, Chapter XI §A and Chapter I §D; CPT modifier 25). Labs, venipuncture,
 * tests, vaccines and their administration do not need it.
 */
import { compactCode } from '../../codes/code-format.ts';
import type { ServiceLine } from '../../coding/coding-model.ts';
import type { EditRule } from '../edit-rule.ts';

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

/**
 * Without NCCI tables this is a heuristic warning. With them, a visit the PTP edits already pair
 * with the procedure is reported by `ncci-ptp` (an error), so it is not repeated here.
 */
export const emNeeds25: EditRule = ({ coding, facts, reference }) => {
  const procedure = coding.lines.find(isMinorProcedure);
  if (!procedure) return [];
  const pairedByNcci = (line: ServiceLine): boolean =>
    reference.ncci?.ptp(procedure.code, line.code, facts.dateOfService) !== undefined;
  return coding.lines.flatMap((line, index) =>
    isEvaluationAndManagement(line) &&
    !line.modifiers.some((m) => compactCode(m) === '25') &&
    !pairedByNcci(line)
      ? [
          {
            rule: 'em-needs-25',
            severity: 'warning' as const,
            message: `${line.code} is billed with the procedure ${procedure.code} on the same day: without modifier 25 the visit is paid as part of the procedure.`,
            fix: `Add modifier 25 to ${line.code}`,
            target: { kind: 'line' as const, index },
            suggestions: ['25'],
          },
        ]
      : [],
  );
};
