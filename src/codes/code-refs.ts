/**
 * Code references inside ICD-10-CM Tabular notes: "type 1 diabetes mellitus (E10.-)",
 * "diabetes mellitus (E08-E13)", "skin of breast (C44.501, C44.511)". Browser-safe.
 */
import { formatIcd10cm } from './code-format.ts';

// A trailing `-` (or `.-`) means "and the codes below"; a `-` followed by a code is a range.
const REF =
  /([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)(?:\.-|-(?![A-Z]))?(?:-([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)(?:\.-|-)?)?/g;
const PARENS = /\(([^()]*)\)/g;

/**
 * A range's members as code prefixes, when the two ends differ only in their last character and
 * that character is a digit (`E08-E13` → E08 … E13; `I10-I16` → I10 … I16); otherwise the range
 * itself as one reference `FROM-TO` (`O00-O9A`, `O10-O11.9`), which `refCovers` matches: keeping
 * only the two ends would miss every code between them (Z34 excludes O00-O9A).
 */
export function expandRange(from: string, to: string): string[] {
  const a = from.replace('.', '');
  const b = to.replace('.', '');
  const sameStem =
    a.length === b.length &&
    a.slice(0, -2) === b.slice(0, -2) &&
    /\d\d$/.test(a) &&
    /\d\d$/.test(b);
  if (!sameStem) return [`${from}-${to}`];
  const first = Number(a.slice(-2));
  const last = Number(b.slice(-2));
  if (last < first || last - first > 99) return [`${from}-${to}`];
  const out: string[] = [];
  for (let i = first; i <= last; i++)
    out.push(formatIcd10cm(a.slice(0, -2) + String(i).padStart(2, '0')));
  return out;
}

/** The code prefixes (dotted, `.-` dropped) a note refers to, in order, without repeats. */
export function codeRefsOf(note: string): string[] {
  const refs: string[] = [];
  for (const paren of note.matchAll(PARENS)) {
    for (const m of (paren[1] ?? '').matchAll(REF)) {
      const from = formatIcd10cm(m[1] ?? '');
      refs.push(...(m[2] ? expandRange(from, formatIcd10cm(m[2])) : [from]));
    }
  }
  return [...new Set(refs)];
}

/** The code references of every note, without repeats. */
export function codeRefsOfAll(notes: readonly string[]): string[] {
  return [...new Set(notes.flatMap(codeRefsOf))];
}

/**
 * True when a note's reference covers `code`: a prefix (`E10`, `Z32.0`) or a range `FROM-TO`
 * (`O00-O9A`: every code whose first characters sort between the two ends, in Tabular order).
 */
export function refCovers(ref: string, code: string): boolean {
  const target = code.replace('.', '').toUpperCase();
  const [from, to] = ref.split('-');
  const lo = (from ?? '').replace('.', '').toUpperCase();
  if (to === undefined) return target.startsWith(lo);
  const hi = to.replace('.', '').toUpperCase();
  return target.slice(0, lo.length) >= lo && target.slice(0, hi.length) <= hi;
}
