/**
 * Code spelling helpers shared by search, lookup and the edits. Browser-safe.
 */

/** A code as a key: upper case, without dots or spaces (`e11.9` → `E119`, `'   GT'` → `GT`). */
export function compactCode(code: string): string {
  return code.replace(/[.\s]/g, '').toUpperCase();
}

/**
 * An ICD-10-CM code as billed: upper case, dot after the category's third character
 * (`e119` → `E11.9`, `E11` → `E11`), per the ICD-10-CM code structure (Guidelines I.A.3).
 */
export function formatIcd10cm(code: string): string {
  const compact = compactCode(code);
  return compact.length > 3 ? `${compact.slice(0, 3)}.${compact.slice(3)}` : compact;
}

/**
 * The ICD-10-CM codes above `code`, nearest first (`E11.621` → `E11.62`, `E11.6`, `E11`):
 * Tabular notes (Excludes1, Code first…) written at a category or subcategory apply to every code
 * below it (ICD-10-CM Tabular conventions, Guidelines I.A.12-13).
 */
export function ancestorsOf(code: string): string[] {
  const compact = compactCode(code);
  const out: string[] = [];
  for (let n = compact.length - 1; n >= 3; n--) out.push(formatIcd10cm(compact.slice(0, n)));
  return out;
}
