/**
 * Each diagnosis must be a known, billable ICD-10-CM code, valid on the date of service, and
 * listed once. ICD-10-CM Guidelines I.B.2: report codes to the highest number of characters
 * available; a category with subcategories is not a valid code.
 */
import type { CodeEntry, CodeSet } from '../../codes/code-set.ts';
import type { Finding } from '../../coding/coding-model.ts';
import { invalidOnDate } from '../code-validity.ts';
import type { EditRule } from '../edit-rule.ts';

/** "E11.2–E11.9" for a list of child codes, or the one code. */
function codeRange(children: CodeEntry[]): string {
  const first = children[0]?.code ?? '';
  const last = children[children.length - 1]?.code ?? '';
  return first === last ? first : `${first}–${last}`;
}

function notBillable(entry: CodeEntry, index: number, codes: CodeSet): Finding {
  const children = codes.children(entry.code);
  const kind = entry.code.replace('.', '').length === 3 ? 'a category' : 'a subcategory';
  return {
    rule: 'dx-not-billable',
    severity: 'error',
    message: children.length
      ? `${entry.code} is ${kind}, not a billable code: choose one of ${codeRange(children)}.`
      : `${entry.code} is ${kind}, not a billable code: choose a more specific code.`,
    fix: `Replace ${entry.code} with a more specific code under it.`,
    target: { kind: 'diagnosis', index },
    suggestions: children.map((c) => c.code),
  };
}

function unknown(code: string, index: number, codes: CodeSet): Finding {
  const near = codes.search(code.slice(0, 3), 'diagnosis', 5).filter((e) => e.billable);
  return {
    rule: 'dx-unknown',
    severity: 'error',
    message: `${code} is not an ICD-10-CM code ChartBill knows.`,
    fix: 'Check the code, or search for the diagnosis by its name.',
    target: { kind: 'diagnosis', index },
    suggestions: near.map((e) => e.code),
  };
}

export const diagnosisCodes: EditRule = ({ coding, facts, codes }) =>
  coding.diagnoses.flatMap((dx, index): Finding[] => {
    const entry = codes.lookup('icd10cm', dx.code);
    if (!entry) return [unknown(dx.code, index, codes)];
    if (!entry.billable) return [notBillable(entry, index, codes)];
    const why = invalidOnDate(entry, facts.dateOfService);
    if (!why) return [];
    return [{
      rule: 'dx-not-valid-on-date',
      severity: 'error',
      message: `${entry.code} is not valid on the date of service ${facts.dateOfService}: ${why}.`,
      fix: 'Choose a code that is valid on the date of service.',
      target: { kind: 'diagnosis', index },
    }];
  });

export const diagnosisDuplicate: EditRule = ({ coding }) => {
  const firstAt = new Map<string, number>();
  return coding.diagnoses.flatMap((dx, index): Finding[] => {
    const key = dx.code.replace('.', '').toUpperCase();
    const first = firstAt.get(key);
    if (first === undefined) {
      firstAt.set(key, index);
      return [];
    }
    return [{
      rule: 'dx-duplicate',
      severity: 'warning',
      message: `${dx.code} is listed twice (diagnoses ${first + 1} and ${index + 1}).`,
      fix: `Remove diagnosis ${index + 1}.`,
      target: { kind: 'diagnosis', index },
    }];
  });
};
