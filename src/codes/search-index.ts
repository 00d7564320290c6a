/**
 * The index behind `createCodeSet`, laid out for ~1 ms queries over the full ICD-10-CM and
 * HCPCS sets (~110,000 entries): words get ids in sorted order, so a word prefix is one id range;
 * each entry keeps its sorted word ids (description words apart from synonym words), and each
 * word its entries (compressed rows in typed arrays). A query takes the rarest term's entries and
 * checks the other terms against each entry's few word ids. Browser-safe.
 */
import type { CodeEntry } from './code-set.ts';
import { compactCode } from './code-format.ts';

/** Lower-case words of a text: letters and digits, split on everything else. */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/['’]s\b/g, '')
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** A half-open range of word ids: the words starting with a prefix. */
export interface WordRange {
  lo: number;
  hi: number;
  /** The id of the word equal to the prefix, or -1. */
  exact: number;
}

export interface SearchIndex {
  readonly entries: readonly CodeEntry[];
  /** Compact codes (`E119`), by entry id. */
  readonly compact: readonly string[];
  /** The words starting with `prefix`. */
  wordRange(prefix: string): WordRange;
  /** How many (entry, word) pairs a range covers: a cheap upper bound of its entries. */
  rangeSize(range: WordRange): number;
  /** Calls `visit` for each entry having a word in `range` (an entry may come more than once). */
  eachInRange(range: WordRange, visit: (id: number) => void): void;
  /** Calls `visit` for each entry whose compact code starts with `prefix`. */
  eachWithCode(prefix: string, visit: (id: number) => void): void;
  /** How many entries have a code starting with `prefix`. */
  codeCount(prefix: string): number;
  /** The ids of the entries whose compact code is exactly `code` (one per system at most). */
  withCode(code: string): number[];
  /** 2 when entry `id` has a word of `range` in its description, 1 in a synonym, 0 not at all. */
  where(id: number, range: WordRange): 0 | 1 | 2;
  /** True when entry `id`'s description has the word `word` (a word id). */
  hasWord(id: number, word: number): boolean;
  /**
   * How well entry `id`'s best phrase (an Alphabetic Index path, inclusion term or short
   * descriptor) fits the query: `covered(word)` tells whether a query term matches a word id,
   * `terms` how many query terms a phrase must match (via `termHit`). 0 when some phrase has no
   * word beyond the query's, n when the best has n more, 15 when no phrase holds every term.
   */
  phraseFit(id: number, termHit: (word: number) => number, terms: number): number;
  /** The sorted dictionary (for typo correction). */
  readonly words: readonly string[];
  /** Approximate bytes of the index's own arrays and strings (entries not counted). */
  readonly bytes: number;
}

/** First index in `sorted` whose value is ≥ `key`. */
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

/** Per-entry sorted unique word ids (or per-word entry ids), as compressed rows. */
interface Rows {
  start: Int32Array;
  ids: Int32Array;
}

function anyIn(rows: Rows, id: number, lo: number, hi: number): boolean {
  const end = rows.start[id + 1] ?? 0;
  for (let k = rows.start[id] ?? 0; k < end; k++) {
    const w = rows.ids[k] ?? -1;
    if (w >= lo) return w < hi;
  }
  return false;
}

/** Growable list of word ids per entry, in one typed buffer (no array per entry). */
class IdLists {
  start = new Int32Array(1);
  ids = new Int32Array(1 << 20);
  private used = 0;
  private docs = 0;

  constructor(docs: number) {
    this.start = new Int32Array(docs + 1);
  }

  push(id: number): void {
    if (this.used === this.ids.length) {
      const bigger = new Int32Array(this.ids.length * 2);
      bigger.set(this.ids);
      this.ids = bigger;
    }
    this.ids[this.used++] = id;
  }

  endDoc(): void {
    this.start[++this.docs] = this.used;
  }
}

/** Tokenizes every entry's texts into word ids (ids in first-seen order; remapped later). */
function collectWords(
  texts: (i: number) => readonly string[],
  docs: number,
  idOf: Map<string, number>,
): IdLists {
  const lists = new IdLists(docs);
  for (let i = 0; i < docs; i++) {
    for (const text of texts(i)) {
      for (const w of tokenize(text)) {
        let id = idOf.get(w);
        if (id === undefined) {
          id = idOf.size;
          idOf.set(w, id);
        }
        lists.push(id);
      }
    }
    lists.endDoc();
  }
  return lists;
}

/** Remaps ids to sorted-word ids, sorts and dedupes each entry's row, drops ids in `minus`. */
function finishRows(lists: IdLists, remap: Int32Array, minus?: Rows): Rows {
  const docs = lists.start.length - 1;
  const start = new Int32Array(docs + 1);
  const ids = new Int32Array(lists.start[docs] ?? 0);
  let out = 0;
  for (let d = 0; d < docs; d++) {
    const row = lists.ids
      .subarray(lists.start[d] ?? 0, lists.start[d + 1] ?? 0)
      .map((id) => remap[id] ?? 0)
      .sort();
    let prev = -1;
    for (const id of row) {
      if (id === prev) continue;
      prev = id;
      if (minus && anyIn(minus, d, id, id + 1)) continue;
      ids[out++] = id;
    }
    start[d + 1] = out;
  }
  return { start, ids: ids.slice(0, out) };
}

/** Per-word entry lists (postings) from per-entry word rows. */
function postingsOf(words: number, ...rows: Rows[]): Rows {
  const start = new Int32Array(words + 1);
  for (const r of rows) for (const w of r.ids) start[w + 1] = (start[w + 1] ?? 0) + 1;
  for (let w = 0; w < words; w++) start[w + 1] = (start[w + 1] ?? 0) + (start[w] ?? 0);
  const fill = start.slice(0, words);
  const ids = new Int32Array(start[words] ?? 0);
  for (const r of rows) {
    for (let d = 0; d + 1 < r.start.length; d++) {
      for (let k = r.start[d] ?? 0; k < (r.start[d + 1] ?? 0); k++) {
        const w = r.ids[k] ?? 0;
        ids[fill[w] ?? 0] = d;
        fill[w] = (fill[w] ?? 0) + 1;
      }
    }
  }
  return { start, ids };
}

/** Function words left out of phrases: they never make a phrase fit worse ("migraine with aura"). */
export const PHRASE_STOP_WORDS: ReadonlySet<string> = new Set([
  'a',
  'an',
  'and',
  'as',
  'at',
  'by',
  'due',
  'for',
  'from',
  'in',
  'nos',
  'of',
  'on',
  'or',
  'the',
  'to',
  'w',
  'with',
]);

/** Per-entry phrases: entry → phrase range (`byEntry`), phrase → sorted unique word ids (`rows`). */
interface Phrases {
  byEntry: Int32Array;
  rows: Rows;
}

/**
 * The index as plain arrays: what `chartbill codes compile` saves in the shipped snapshot, so a
 * cold start maps it instead of building it.
 */
export interface SearchIndexData {
  words: string[];
  primary: Rows;
  secondary: Rows;
  postings: Rows;
  phrases: Phrases;
  /** Entry ids in compact-code order. */
  byCode: Int32Array;
}

/**
 * Each entry's synonyms, one phrase per text, as sorted-word ids without stop words. Words in
 * parentheses (the Index's nonessential modifiers, "Infection, urinary (tract)") are optional:
 * stored as `-(id + 1)`, they may match a query term but never count as extra words.
 */
function buildPhrases(
  docs: number,
  texts: (i: number) => readonly string[],
  idOf: ReadonlyMap<string, number>,
  remap: Int32Array,
): Phrases {
  const byEntry = new Int32Array(docs + 1);
  const start: number[] = [0];
  const ids: number[] = [];
  const wordIds = (text: string): number[] =>
    tokenize(text)
      .filter((w) => !PHRASE_STOP_WORDS.has(w))
      .map((w) => remap[idOf.get(w) ?? 0] ?? 0);
  for (let d = 0; d < docs; d++) {
    for (const text of texts(d)) {
      const required = new Set(wordIds(text.replace(/\([^)]*\)/g, ' ')));
      const optional = new Set(
        [...text.matchAll(/\(([^)]*)\)/g)].flatMap((m) => wordIds(m[1] ?? '')),
      );
      const row = [
        ...[...required].sort((a, b) => a - b),
        ...[...optional].filter((id) => !required.has(id)).map((id) => -(id + 1)),
      ];
      if (required.size === 0) continue;
      ids.push(...row);
      start.push(ids.length);
    }
    byEntry[d + 1] = start.length - 1;
  }
  return { byEntry, rows: { start: Int32Array.from(start), ids: Int32Array.from(ids) } };
}

/** Builds the index arrays over `entries` (slow part: done once, or at compile time). */
export function buildSearchIndexData(
  entries: readonly CodeEntry[],
  synonymsOf: (entry: CodeEntry) => readonly string[] = () => [],
): SearchIndexData {
  const docs = entries.length;
  const primaryTexts = (i: number): readonly string[] => [entries[i]?.display ?? ''];
  const secondaryTexts = (i: number): readonly string[] => {
    const e = entries[i];
    return e ? synonymsOf(e) : [];
  };
  const idOf = new Map<string, number>();
  const primaryLists = collectWords(primaryTexts, docs, idOf);
  const secondaryLists = collectWords(secondaryTexts, docs, idOf);
  const words = [...idOf.keys()].sort();
  const remap = new Int32Array(words.length);
  words.forEach((w, sorted) => (remap[idOf.get(w) ?? 0] = sorted));
  const primary = finishRows(primaryLists, remap);
  const secondary = finishRows(secondaryLists, remap, primary);
  const compact = entries.map((e) => compactCode(e.code));
  const byCode = Int32Array.from(
    compact.map((_, i) => i).sort((a, b) => ((compact[a] ?? '') < (compact[b] ?? '') ? -1 : 1)),
  );
  return {
    words,
    primary,
    secondary,
    postings: postingsOf(words.length, primary, secondary),
    phrases: buildPhrases(docs, secondaryTexts, idOf, remap),
    byCode,
  };
}

/**
 * Builds the index. `synonymsOf(entry)` gives extra searchable texts (Alphabetic Index terms,
 * inclusion terms, short descriptors): they match, but rank below description words.
 */
export function buildSearchIndex(
  entries: readonly CodeEntry[],
  synonymsOf: (entry: CodeEntry) => readonly string[] = () => [],
): SearchIndex {
  return searchIndexOf(entries, buildSearchIndexData(entries, synonymsOf));
}

/** A binary search over the code-sorted entries: first position whose code is ≥ `key`. */
function codeBound(byCode: Int32Array, compact: readonly string[], key: string): number {
  let lo = 0;
  let hi = byCode.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((compact[byCode[mid] ?? 0] ?? '') < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The searchable index over `entries` and their prebuilt arrays (fast: no text is read). */
export function searchIndexOf(entries: readonly CodeEntry[], data: SearchIndexData): SearchIndex {
  const { words, primary, secondary, postings, phrases, byCode } = data;
  const compact = entries.map((e) => compactCode(e.code));
  const codeRange = (prefix: string): [number, number] => [
    codeBound(byCode, compact, prefix),
    codeBound(byCode, compact, `${prefix}\uffff`),
  ];
  const arrays = [primary, secondary, postings, phrases.rows].reduce(
    (n, r) => n + r.start.byteLength + r.ids.byteLength,
    phrases.byEntry.byteLength + byCode.byteLength,
  );
  const strings =
    words.reduce((n, w) => n + 2 * w.length + 16, 0) +
    compact.reduce((n, c) => n + 2 * c.length + 16, 0);

  return {
    entries,
    compact,
    words,
    bytes: arrays + strings,
    wordRange(prefix) {
      const lo = lowerBound(words, prefix);
      const hi = lowerBound(words, `${prefix}\uffff`);
      return { lo, hi, exact: words[lo] === prefix ? lo : -1 };
    },
    rangeSize: (r) => (postings.start[r.hi] ?? 0) - (postings.start[r.lo] ?? 0),
    eachInRange(r, visit) {
      const end = postings.start[r.hi] ?? 0;
      for (let k = postings.start[r.lo] ?? 0; k < end; k++) visit(postings.ids[k] ?? 0);
    },
    eachWithCode(prefix, visit) {
      const [lo, hi] = codeRange(prefix);
      for (let k = lo; k < hi; k++) visit(byCode[k] ?? 0);
    },
    codeCount(prefix) {
      const [lo, hi] = codeRange(prefix);
      return hi - lo;
    },
    withCode(code) {
      const out: number[] = [];
      for (let k = codeBound(byCode, compact, code); k < byCode.length; k++) {
        const id = byCode[k] ?? 0;
        if (compact[id] !== code) break;
        out.push(id);
      }
      return out;
    },
    where(id, r) {
      if (anyIn(primary, id, r.lo, r.hi)) return 2;
      return anyIn(secondary, id, r.lo, r.hi) ? 1 : 0;
    },
    hasWord: (id, word) => word >= 0 && anyIn(primary, id, word, word + 1),
    phraseFit(id, termHit, terms) {
      let best = 15;
      const end = phrases.byEntry[id + 1] ?? 0;
      for (let p = phrases.byEntry[id] ?? 0; p < end && best > 0; p++) {
        const to = phrases.rows.start[p + 1] ?? 0;
        const from = phrases.rows.start[p] ?? 0;
        let hits = 0;
        let extra = 0;
        for (let k = from; k < to; k++) {
          const raw = phrases.rows.ids[k] ?? 0;
          const optional = raw < 0;
          const bits = termHit(optional ? -raw - 1 : raw);
          hits |= bits;
          if (bits === 0 && !optional) extra++;
        }
        if (hits !== (1 << terms) - 1) continue;
        best = Math.min(best, extra);
      }
      return best;
    },
  };
}
