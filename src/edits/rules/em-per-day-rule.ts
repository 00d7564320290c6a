/**
 * One office or other outpatient E/M visit (CPT 99202–99215) per patient, per physician, per day:
 * visits on one date are billed as one, at the level that covers all the work (Medicare Claims
 * Processing Manual ch. 12 §30.6.7.B; NCCI Policy Manual ch. XI §B). One encounter's claim is one
 * patient, one rendering provider and one date, so two such lines (or units) on it are an error.
 */
import type { ServiceLine } from '../../coding/coding-model.ts';
import type { EditRule } from '../edit-rule.ts';

/** New (99202–99205) and established (99211–99215) office or other outpatient visits. */
export function isOfficeVisit(line: ServiceLine): boolean {
  return line.system === 'cpt' && /^992(0[2-5]|1[1-5])$/.test(line.code);
}

export const officeVisitsPerDay: EditRule = ({ coding }) => {
  const visits = coding.lines
    .map((line, index) => ({ line, index }))
    .filter(({ line }) => isOfficeVisit(line));
  const count = visits.reduce((n, { line }) => n + Math.max(1, line.units), 0);
  const second = visits.length > 1 ? visits[1] : visits[0];
  if (count <= 1 || !second) return [];
  const codes = visits
    .map(({ line }) => (line.units > 1 ? `${line.code} x ${line.units}` : line.code))
    .join(', ');
  return [
    {
      rule: 'em-office-per-day',
      severity: 'error',
      message: `The claim bills ${count} office visits (${codes}) for one patient and provider on one date; only one is paid.`,
      fix: "Bill one office visit with 1 unit, at the level that covers all of the day's work.",
      target: { kind: 'line', index: second.index },
    },
  ];
};
