import type { EncounterCoding, Finding } from '../coding/coding-model.ts';
import { feeFor, type FeeSchedule } from './fee-schedule.ts';

/**
 * Lines whose code has no price on the practice's charge master. A claim line billed at $0 is
 * a lost charge, so the worker holds the claim until someone prices the code.
 */
export function priceFindings(coding: EncounterCoding, chargeMaster: FeeSchedule): Finding[] {
  return coding.lines.flatMap((line, index): Finding[] =>
    feeFor(chargeMaster, line.code) === undefined
      ? [
          {
            rule: 'claim-line-unpriced',
            severity: 'error',
            message: `${line.code} has no charge on the practice charge master, so the line would be billed at $0.`,
            fix: `Add ${line.code} to the charge master, or choose the service code the practice bills.`,
            target: { kind: 'line', index },
          },
        ]
      : [],
  );
}
