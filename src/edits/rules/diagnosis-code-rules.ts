/**
 * Each diagnosis must be a known, billable ICD-10-CM code, valid on the date of service, and
 * listed once. ICD-10-CM Guidelines I.B.2: report codes to the highest number of characters
 * available; a category with subcategories is not a valid code. Guidelines I.A.5/I.A.4: a code
 * that needs a 7th character has one, with placeholder X where positions are empty.
 */
import { compactCode } from '../../codes/code-format.ts';
import type { CodeEntry, CodeSet } from '../../codes/code-set.ts';
import type { Finding } from '../../coding/coding-model.ts';
import { invalidOnDate } from '../code-validity.ts';
import type { EditRule } from '../edit-rule.ts';
import {
  placeholderCorrection,
  seventhCharacterLabel,
  seventhCharacterOptions,
} from '../seventh-character.ts';

/** "E11.2–E11.9" for a list of child codes, or the one code. */
function codeRange(children: CodeEntry[]): string {
  const first = children[0]?.code ?? '';
  const last = children[children.length - 1]?.code ?? '';
  return first === last ? first : `${first}–${last}`;
}

/** Most one-click choices offered for a category. */
const MAX_CHOICES = 24;

/**
 * The billable codes under a category or subcategory, for one-click fixes: billable children
 * first (E11.8, E11.9), then the billable codes under each non-billable child (E11.00, E11.01…),
 * never a subcategory that itself cannot be billed.
 */
export function billableChoices(code: string, codes: CodeSet): CodeEntry[] {
  const children = codes.children(code);
  const direct = children.filter((c) => c.billable);
  const deeper = children.filter((c) => !c.billable).flatMap((c) => billableChoices(c.code, codes));
  return [...direct, ...deeper].slice(0, MAX_CHOICES);
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
    suggestions: billableChoices(entry.code, codes).map((c) => c.code),
  };
}

/** S93.401 → "needs a 7th character"; T78.40 → "needs placeholder X and a 7th character". */
function missingSeventh(entry: CodeEntry, index: number, codes: CodeSet): Finding | undefined {
  const options = seventhCharacterOptions(entry, codes);
  if (options.length === 0) return undefined;
  const padded = compactCode(entry.code).length < 6;
  const listed = options
    .slice(0, 6)
    .map((o) => `${o.code} (${seventhCharacterLabel(o, entry)})`)
    .join(', ');
  return {
    rule: padded ? 'dx-placeholder-x' : 'dx-seventh-character',
    severity: 'error',
    message: padded
      ? `${entry.code} needs the placeholder X and a 7th character (ICD-10-CM Guidelines I.A.4–5): ${listed}.`
      : `${entry.code} needs a 7th character (ICD-10-CM Guidelines I.A.5): ${listed}.`,
    fix: `Choose the 7th character for this encounter, e.g. ${options[0]?.code ?? ''}.`,
    target: { kind: 'diagnosis', index },
    suggestions: options.map((o) => o.code),
  };
}

function unknown(code: string, index: number, codes: CodeSet): Finding {
  const meant = placeholderCorrection(code, codes);
  if (meant) {
    return {
      rule: 'dx-placeholder-x',
      severity: 'error',
      message: `${code} is missing the placeholder X: the code is ${meant.code} (${meant.display}).`,
      fix: `Replace ${code} with ${meant.code}.`,
      target: { kind: 'diagnosis', index },
      suggestions: [meant.code],
    };
  }
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
    // A code subdivided later (G35 in FY2026) is still billable on an earlier date of service.
    const billableThen = entry.billableTo !== undefined && facts.dateOfService <= entry.billableTo;
    if (!entry.billable && !billableThen)
      return [missingSeventh(entry, index, codes) ?? notBillable(entry, index, codes)];
    const why = invalidOnDate(entry, facts.dateOfService);
    if (!why) return [];
    return [
      {
        rule: 'dx-not-valid-on-date',
        severity: 'error',
        message: `${entry.code} is not valid on the date of service ${facts.dateOfService}: ${why}.`,
        fix: 'Choose a code that is valid on the date of service.',
        target: { kind: 'diagnosis', index },
      },
    ];
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
    return [
      {
        rule: 'dx-duplicate',
        severity: 'warning',
        message: `${dx.code} is listed twice (diagnoses ${first + 1} and ${index + 1}).`,
        fix: `Remove diagnosis ${index + 1}.`,
        target: { kind: 'diagnosis', index },
      },
    ];
  });
};
