/**
 * ICD-10-CM 7th characters and the placeholder X (Guidelines I.A.5 and I.A.4): a code from a
 * category with a 7th character must have one, and a code shorter than six characters takes the
 * placeholder X to fill the empty positions (`T78.40` → `T78.40XA`, `W19` → `W19.XXXA`).
 * Browser-safe; answers come from the code set, so only real codes are suggested.
 */
import { ancestorsOf, compactCode, formatIcd10cm } from '../codes/code-format.ts';
import type { CodeEntry, CodeSet } from '../codes/code-set.ts';

const SEVENTH_CHARACTERS = 'ABCDEFGHJKMNPQRS0123456789'.split('');

/** `code` padded with placeholder X to six characters (no dot). */
function padWithX(compact: string): string {
  return compact.padEnd(6, 'X');
}

/** True when the code set marks `entry` or a header above it as needing a 7th character. */
export function marksSeventh(entry: CodeEntry, codes: CodeSet): boolean {
  if (entry.requiresSeventh === true) return true;
  return ancestorsOf(entry.code).some((a) => codes.lookup('icd10cm', a)?.requiresSeventh === true);
}

/**
 * The billable 7-character codes that complete `code` (padding with X as needed), e.g.
 * `S93.401` → `S93.401A`, `S93.401D`, `S93.401S`. Empty when `code` is 7 characters already or
 * nothing completes it. Digit-only completions count only when the code set marks the header as
 * needing a 7th character: elsewhere (E11.321 → E11.3211) the digit is part of the code.
 */
export function seventhCharacterOptions(entry: CodeEntry, codes: CodeSet): CodeEntry[] {
  const compact = compactCode(entry.code);
  if (compact.length >= 7) return [];
  const head = padWithX(compact);
  const found = SEVENTH_CHARACTERS.flatMap((c) => {
    const option = codes.lookup('icd10cm', formatIcd10cm(head + c));
    return option?.billable ? [option] : [];
  });
  const lettered = found.some((e) => /[A-Z]$/.test(e.code));
  return lettered || marksSeventh(entry, codes) ? found : [];
}

/**
 * The code meant when the placeholder X was left out (`T78.40A` → `T78.40XA`, `W19A` →
 * `W19.XXXA`), or undefined when no such billable code exists.
 */
export function placeholderCorrection(code: string, codes: CodeSet): CodeEntry | undefined {
  const compact = compactCode(code);
  if (compact.length < 4 || compact.length >= 7) return undefined;
  const seventh = compact.slice(-1);
  const candidate = codes.lookup(
    'icd10cm',
    formatIcd10cm(padWithX(compact.slice(0, -1)) + seventh),
  );
  return candidate?.billable ? candidate : undefined;
}

/**
 * The 7th character's meaning: the option's title after its parent's title (`S72.001C` →
 * "initial encounter for open fracture type IIIA, IIIB, or IIIC"), else after the last comma.
 */
export function seventhCharacterLabel(option: CodeEntry, parent: CodeEntry): string {
  const prefix = `${parent.display}, `;
  if (option.display.startsWith(prefix)) return option.display.slice(prefix.length);
  const parts = option.display.split(', ');
  return parts.length > 1 ? (parts[parts.length - 1] ?? '') : option.display;
}
