/**
 * Alphabetic Index terms as searchable synonyms: each index entry's path of terms (main term,
 * subterms: "Stone, kidney") becomes a synonym of the code it leads to. "See" cross-references
 * ("Attack, heart — see Infarction, myocardium") are followed once, so the words a clinician
 * types ("heart attack") find the code the index sends a coder to.
 */
import { compactCode, formatIcd10cm } from '../code-format.ts';

/** Collects index rows, then resolves cross-references into code → terms. */
export interface IndexTerms {
  /**
   * One index entry: its term path, the code or the "see" target it gives, and its nonessential
   * modifiers (`(tract)`, kept in parentheses: search treats them as optional words).
   */
  add(
    path: readonly string[],
    code: string | undefined,
    see: string | undefined,
    nonEssential?: string,
  ): void;
  /** code (dotted, without a trailing `-`) → term paths ("Stone, kidney"). */
  result(): Record<string, string[]>;
}

/**
 * A path's lookup key: each term by its first spelling ("Infarct, infarction" → infarct), since a
 * "see" target names terms that way ("see Infarct, myocardium").
 */
const pathKey = (path: readonly string[]): string =>
  path.map((p) => (p.split(',')[0] ?? '').trim().toLowerCase()).join('|');
const targetKey = (target: string): string =>
  target
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .join('|');

/** An index code as a code-set key: `N20.0` stays, `M54.5-` → `M54.5`, `I82.4-` → `I82.4`. */
function indexCode(raw: string): string | undefined {
  const code = compactCode(raw.replace(/-+$/, '').replace(/\.$/, ''));
  return /^[A-Z][0-9A-Z]{2,6}$/.test(code) ? formatIcd10cm(code) : undefined;
}

export function collectIndexTerms(): IndexTerms {
  const codeByPath = new Map<string, string>();
  const sees: [path: string, target: string][] = [];
  const terms = new Map<string, Set<string>>();
  const put = (code: string, path: string): void => {
    const set = terms.get(code) ?? new Set<string>();
    set.add(path);
    terms.set(code, set);
  };
  return {
    add(path, rawCode, see, nonEssential) {
      const joined = path
        .map((p) => p.trim())
        .filter((p) => p.length > 0)
        .join(', ');
      const text = nonEssential?.trim() ? `${joined} ${nonEssential.trim()}` : joined;
      if (!joined) return;
      const code = rawCode ? indexCode(rawCode) : undefined;
      if (code) {
        put(code, text);
        if (!codeByPath.has(pathKey(path))) codeByPath.set(pathKey(path), code);
      } else if (see) sees.push([text, see]);
    },
    result() {
      for (const [path, target] of sees) {
        const code = codeByPath.get(targetKey(target));
        if (code) put(code, path);
      }
      return Object.fromEntries([...terms].map(([code, set]) => [code, [...set]]));
    },
  };
}
