/**
 * An in-memory `CodeSet` with forgiving search, for the starter set and for code files a site
 * loads. Browser-safe: the app's search box calls it on every keystroke.
 */
import type { CodeEntry, CodeSet, CodeSystemKey, SearchKind } from './code-set.ts';
import { ABBREVIATIONS } from './abbreviations.ts';
import { compactCode } from './code-format.ts';
import { buildSearchIndex, tokenize, type IndexedEntry, type SearchIndex } from './search-index.ts';

const SYSTEMS_OF: Record<SearchKind, readonly CodeSystemKey[]> = {
  diagnosis: ['icd10cm'],
  service: ['cpt', 'hcpcs'],
  modifier: ['modifier'],
};

/** Words too common in descriptions to narrow a search ("fracture of femur"). */
const STOP_WORDS = new Set(['a', 'an', 'and', 'by', 'for', 'in', 'of', 'on', 'or', 'the', 'to', 'w']);

/** One word (or abbreviation) of the query: the entries it matches and how. */
interface Term {
  ids: Set<number>;
  /** Words that count as a whole-word hit for ranking. */
  words: string[];
  /** Code prefixes (compact) an abbreviation stands for: ranked first. */
  boost: string[];
}

function intersectAll(sets: Set<number>[]): Set<number> {
  const [smallest, ...rest] = [...sets].sort((a, b) => a.size - b.size);
  if (!smallest) return new Set();
  return new Set([...smallest].filter((id) => rest.every((s) => s.has(id))));
}

/** Entries having every word (each as a prefix) of `text`. */
function matchWords(index: SearchIndex, words: string[]): Set<number> {
  return words.length ? intersectAll(words.map((w) => index.withWordPrefix(w))) : new Set();
}

function termOf(index: SearchIndex, raw: string): Term | undefined {
  const abbreviation = ABBREVIATIONS[raw];
  if (abbreviation) {
    const words = tokenize(abbreviation.words);
    const boost = (abbreviation.codes ?? []).map(compactCode);
    const ids = matchWords(index, words);
    index.withWord(raw).forEach((id) => ids.add(id));
    for (const code of boost) index.withCodePrefix(code).forEach((id) => ids.add(id));
    return { ids, words: [...words, raw], boost };
  }
  const words = tokenize(raw).filter((w) => !STOP_WORDS.has(w));
  if (words.length === 0) return undefined;
  // A token can be a code or the start of one ("e11", "E11.9", "992"), or a word ("diab").
  const ids = matchWords(index, words);
  index.withCodePrefix(compactCode(raw)).forEach((id) => ids.add(id));
  return { ids, words, boost: [] };
}

interface Ranked { e: IndexedEntry; key: number[] }

/**
 * Order: the exact code typed, codes an abbreviation stands for, billable before categories,
 * more whole-word hits, shorter (more general) descriptions, then the code system's own order.
 */
function rankKey(e: IndexedEntry, exact: string, terms: Term[]): number[] {
  const boosted = terms.some((t) => t.boost.some((b) => e.compact.startsWith(b)));
  const wholeWords = terms.reduce((n, t) => n + t.words.filter((w) => e.words.has(w)).length, 0);
  return [
    e.compact === exact ? 0 : 1,
    boosted ? 0 : 1,
    e.entry.billable ? 0 : 1,
    -wholeWords,
    e.entry.display.length,
    e.id,
  ];
}

function compareKeys(a: Ranked, b: Ranked): number {
  for (let i = 0; i < a.key.length; i++) {
    const d = (a.key[i] ?? 0) - (b.key[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** ICD-10-CM parent links: each code's nearest shorter prefix present in the set. */
function buildChildren(entries: readonly IndexedEntry[]): Map<string, CodeEntry[]> {
  const icd = new Set(entries.filter((e) => e.entry.system === 'icd10cm').map((e) => e.compact));
  const children = new Map<string, CodeEntry[]>();
  for (const e of entries) {
    if (e.entry.system !== 'icd10cm') continue;
    for (let n = e.compact.length - 1; n >= 3; n--) {
      const parent = e.compact.slice(0, n);
      if (!icd.has(parent)) continue;
      children.set(parent, [...(children.get(parent) ?? []), e.entry]);
      break;
    }
  }
  return children;
}

/**
 * Builds a code set over `entries` (built once; keep the result). Search is case-insensitive and
 * forgiving: codes with or without their dot (`e119`, `E11.9`), code prefixes (`E11`, `992`),
 * word prefixes in any order (`diab type 2`), and clinicians' abbreviations (`htn`, `dm2`, `copd`).
 */
export function createCodeSet(entries: CodeEntry[]): CodeSet {
  const index = buildSearchIndex(entries);
  const byKey = new Map(index.entries.map((e) => [`${e.entry.system}|${e.compact}`, e.entry]));
  const children = buildChildren(index.entries);

  return {
    lookup: (system, code) => byKey.get(`${system}|${compactCode(code)}`),
    children: (code) => children.get(compactCode(code)) ?? [],
    search(query, kind, limit = 20) {
      const raws = query.trim().toLowerCase().split(/\s+/).filter((r) => r.length > 0);
      const terms = raws.map((r) => termOf(index, r)).filter((t): t is Term => t !== undefined);
      if (terms.length === 0) return [];
      const systems = SYSTEMS_OF[kind];
      const exact = raws.length === 1 ? compactCode(raws[0] ?? '') : '';
      const ranked: Ranked[] = [];
      for (const id of intersectAll(terms.map((t) => t.ids))) {
        const e = index.entries[id];
        if (e && systems.includes(e.entry.system)) ranked.push({ e, key: rankKey(e, exact, terms) });
      }
      return ranked.sort(compareKeys).slice(0, limit).map((r) => r.e.entry);
    },
  };
}
