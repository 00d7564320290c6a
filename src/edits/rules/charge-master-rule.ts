/**
 * A line whose code has no price on the practice's charge master (for the date of service). That
 * is a pricing work item for billing staff, never a coding error: the code follows the
 * documentation, so the fix is a price, never another code (OIG compliance guidance for
 * physician practices: code selection must not be driven by reimbursement). A warning, so it
 * never blocks the clinician's sign-off; the worker holds the claim as a pricing Task until the
 * code is priced, because a line billed at $0 is a lost charge.
 */
import type { Finding } from '../../coding/coding-model.ts';
import { chargeFor } from '../../pricing/charge-master.ts';
import type { EditRule } from '../edit-rule.ts';

export const chargeMasterPrice: EditRule = ({ coding, facts, reference }) => {
  const master = reference.chargeMaster;
  if (!master) return [];
  return coding.lines.flatMap((line, index): Finding[] =>
    chargeFor(master, line.code, line.modifiers, facts.dateOfService) === undefined
      ? [
          {
            rule: 'charge-unpriced',
            severity: 'warning',
            category: 'pricing',
            message: `${line.code} has no price on the practice's charge master for ${facts.dateOfService}: billing staff must price it before the claim goes out.`,
            fix: `Billing staff: add ${line.code} to the charge master (chartbill charges import). The code stays as documented.`,
            target: { kind: 'line', index },
          },
        ]
      : [],
  );
};
