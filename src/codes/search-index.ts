/**
 * The precomputed index behind `createCodeSet`: every description word → entry ids, a sorted word
 * list for prefix lookups, and a sorted code list for code-prefix lookups. Browser-safe.
 */
import type { CodeEntry } from './code-set.ts';
import { compactCode } from './code-format.ts';

export interface IndexedEntry {
  entry: CodeEntry;
  /** Position in the input, i.e. the code system's own order (tabular order for ICD-10-CM). */
  id: number;
  compact: string;
  words: ReadonlySet<string>;
}

export interface SearchIndex {
  entries: readonly IndexedEntry[];
  /** Ids of entries with a description word starting with `prefix`. */
  withWordPrefix(prefix: string): Set<number>;
  /** Ids of entries with exactly this description word. */
  withWord(word: string): ReadonlySet<number>;
  /** Ids of entries whose compact code starts with `prefix` (already compact). */
  withCodePrefix(prefix: string): Set<number>;
}

/** Lower-case words of a text: letters and digits, split on everything else. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 0);
}

/** First index in `sorted` whose value is ≥ `key` (binary search). */
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? '') < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Calls `visit` for each value in `sorted` that starts with `prefix`. */
function eachWithPrefix(sorted: readonly string[], prefix: string, visit: (value: string) => void): void {
  for (let i = lowerBound(sorted, prefix); i < sorted.length; i++) {
    const value = sorted[i] ?? '';
    if (!value.startsWith(prefix)) break;
    visit(value);
  }
}

export function buildSearchIndex(entries: readonly CodeEntry[]): SearchIndex {
  const indexed = entries.map((entry, id) => ({
    entry,
    id,
    compact: compactCode(entry.code),
    words: new Set(tokenize(entry.display)),
  }));
  const byWord = new Map<string, Set<number>>();
  for (const e of indexed) {
    for (const w of e.words) {
      const ids = byWord.get(w) ?? new Set<number>();
      ids.add(e.id);
      byWord.set(w, ids);
    }
  }
  const sortedWords = [...byWord.keys()].sort();
  const idsByCode = new Map<string, number[]>();
  for (const e of indexed) idsByCode.set(e.compact, [...(idsByCode.get(e.compact) ?? []), e.id]);
  const sortedCodes = [...idsByCode.keys()].sort();
  const empty: ReadonlySet<number> = new Set();

  return {
    entries: indexed,
    withWord: (word) => byWord.get(word) ?? empty,
    withWordPrefix(prefix) {
      const ids = new Set<number>();
      eachWithPrefix(sortedWords, prefix, (w) => byWord.get(w)?.forEach((id) => ids.add(id)));
      return ids;
    },
    withCodePrefix(prefix) {
      const ids = new Set<number>();
      eachWithPrefix(sortedCodes, prefix, (c) => idsByCode.get(c)?.forEach((id) => ids.add(id)));
      return ids;
    },
  };
}
