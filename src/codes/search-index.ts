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
  /** 2 when entry `id` has a word of `range` in its description, 1 in a synonym, 0 not at all. */
  where(id: number, range: WordRange): 0 | 1 | 2;
  /** True when entry `id`'s description has the word `word` (a word id). */
  hasWord(id: number, word: number): boolean;
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

/** Entry texts → sorted dictionary, per-entry word-id rows (description, synonyms), postings. */
function buildWords(
  docs: number,
  primaryTexts: (i: number) => readonly string[],
  secondaryTexts: (i: number) => readonly string[],
) {
  const idOf = new Map<string, number>();
  const primaryLists = collectWords(primaryTexts, docs, idOf);
  const secondaryLists = collectWords(secondaryTexts, docs, idOf);
  const words = [...idOf.keys()].sort();
  const remap = new Int32Array(words.length);
  words.forEach((w, sorted) => (remap[idOf.get(w) ?? 0] = sorted));
  const primary = finishRows(primaryLists, remap);
  const secondary = finishRows(secondaryLists, remap, primary);
  return { words, primary, secondary, postings: postingsOf(words.length, primary, secondary) };
}

/**
 * Builds the index. `synonymsOf(entry)` gives extra searchable texts (Alphabetic Index terms,
 * inclusion terms, short descriptors): they match, but rank below description words.
 */
export function buildSearchIndex(
  entries: readonly CodeEntry[],
  synonymsOf: (entry: CodeEntry) => readonly string[] = () => [],
): SearchIndex {
  const compact = entries.map((e) => compactCode(e.code));
  const { words, primary, secondary, postings } = buildWords(
    entries.length,
    (i) => [entries[i]?.display ?? ''],
    (i) => {
      const e = entries[i];
      return e ? synonymsOf(e) : [];
    },
  );
  const byCode = compact
    .map((_, i) => i)
    .sort((a, b) => ((compact[a] ?? '') < (compact[b] ?? '') ? -1 : 1));
  const sortedCodes = byCode.map((i) => compact[i] ?? '');
  const codeRange = (prefix: string): [number, number] => [
    lowerBound(sortedCodes, prefix),
    lowerBound(sortedCodes, `${prefix}\uffff`),
  ];
  const arrays = [primary, secondary, postings].reduce(
    (n, r) => n + r.start.byteLength + r.ids.byteLength,
    0,
  );
  const strings =
    words.reduce((n, w) => n + 2 * w.length + 16, 0) +
    compact.reduce((n, c) => n + 2 * c.length + 16, 0) +
    8 * byCode.length * 2;

  return {
    entries,
    compact,
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
    where(id, r) {
      if (anyIn(primary, id, r.lo, r.hi)) return 2;
      return anyIn(secondary, id, r.lo, r.hi) ? 1 : 0;
    },
    hasWord: (id, word) => word >= 0 && anyIn(primary, id, word, word + 1),
  };
}
