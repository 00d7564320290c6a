/**
 * Modifier groups the edits reason about. Browser-safe.
 */
import { compactCode } from '../codes/code-format.ts';

/** Distinct procedural service: 59 and its more specific X{EPSU} subsets (CMS CR 8863, 2015). */
export const DISTINCT_SERVICE_MODIFIERS: ReadonlySet<string> = new Set([
  '59',
  'XE',
  'XP',
  'XS',
  'XU',
]);

/**
 * Modifiers that may bypass a PTP edit whose modifier indicator is 1 (NCCI Policy Manual,
 * Chapter I §E): anatomic (E1–E4, FA, F1–F9, TA, T1–T9, LT, RT, LC, LD, LM, RC, RI), global
 * surgery (24, 25, 57, 58, 78, 79) and other (27, 59, 91, XE, XP, XS, XU).
 */
export const PTP_BYPASS_MODIFIERS: ReadonlySet<string> = new Set([
  'E1',
  'E2',
  'E3',
  'E4',
  'FA',
  'F1',
  'F2',
  'F3',
  'F4',
  'F5',
  'F6',
  'F7',
  'F8',
  'F9',
  'TA',
  'T1',
  'T2',
  'T3',
  'T4',
  'T5',
  'T6',
  'T7',
  'T8',
  'T9',
  'LT',
  'RT',
  'LC',
  'LD',
  'LM',
  'RC',
  'RI',
  '24',
  '25',
  '57',
  '58',
  '78',
  '79',
  '27',
  '59',
  '91',
  'XE',
  'XP',
  'XS',
  'XU',
]);

/** The line's modifiers as keys (`rt` → `RT`). */
export function modifierKeys(modifiers: readonly string[]): string[] {
  return modifiers.map(compactCode);
}

/** True when `modifiers` contains one of `group`. */
export function hasAny(modifiers: readonly string[], group: ReadonlySet<string>): boolean {
  return modifiers.some((m) => group.has(compactCode(m)));
}
