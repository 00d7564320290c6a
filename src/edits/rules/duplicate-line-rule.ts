/**
 * The same service twice on one claim (same code, same modifiers) is denied as a duplicate
 * (CARC 18, "exact duplicate claim/service"). A service really repeated that day is billed with
 * more units, or with modifier 76/77 (repeat procedure) or 91 (repeat lab test), which makes the
 * lines differ.
 */
import { compactCode } from '../../codes/code-format.ts';
import type { Finding, ServiceLine } from '../../coding/coding-model.ts';
import type { EditRule } from '../edit-rule.ts';

function lineKey(line: ServiceLine): string {
  const modifiers = line.modifiers.map(compactCode).sort();
  return `${line.system}|${compactCode(line.code)}|${modifiers.join(',')}`;
}

export const duplicateLines: EditRule = ({ coding }) => {
  const first = new Map<string, number>();
  return coding.lines.flatMap((line, index): Finding[] => {
    const key = lineKey(line);
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, index);
      return [];
    }
    const modifiers = line.modifiers.length ? ` with modifiers ${line.modifiers.join(', ')}` : '';
    return [
      {
        rule: 'line-duplicate',
        severity: 'error',
        message: `Line ${index + 1} repeats line ${earlier + 1} (${line.code}${modifiers}); the payer denies it as a duplicate (CARC 18).`,
        fix: 'Remove the repeated line, or bill one line with more units; for a service really repeated that day add modifier 76 or 77 (91 for a repeated lab test).',
        target: { kind: 'line', index },
      },
    ];
  });
};
