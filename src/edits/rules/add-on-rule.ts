/**
 * An add-on code billed without any of its primary codes (NCCI AOC edits, see add-on-table.ts):
 * type 1 is an error, type 3 a warning (the contractor may accept another primary), type 2 no
 * finding. Runs with an add-on table (EditReference.addOns).
 */
import type { Finding } from '../../coding/coding-model.ts';
import type { EditRule } from '../edit-rule.ts';

export const addOnWithoutPrimary: EditRule = ({ coding, facts, reference }) => {
  const table = reference.addOns;
  if (!table) return [];
  const billed = new Set(coding.lines.map((l) => l.code));
  return coding.lines.flatMap((line, index): Finding[] => {
    const edits = table
      .edits(line.code, facts.dateOfService)
      .filter((e) => e.type === '1' || e.type === '3');
    if (edits.length === 0 || edits.some((e) => billed.has(e.primary))) return [];
    const primaries = [...new Set(edits.map((e) => e.primary))];
    const type1 = edits.some((e) => e.type === '1');
    const listed = primaries.slice(0, 6).join(', ') + (primaries.length > 6 ? ', …' : '');
    return [
      {
        rule: 'addon-without-primary',
        severity: type1 ? 'error' : 'warning',
        message: `${line.code} is an add-on code, billed without its primary procedure (${listed}): it is not paid alone (NCCI add-on code edit type ${type1 ? '1' : '3'}).`,
        fix: `Add the primary procedure that was done (${listed}), or remove ${line.code}.`,
        target: { kind: 'line', index },
      },
    ];
  });
};
