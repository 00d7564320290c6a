/**
 * One code search over a `SearchIndex`: the query's terms, the candidate entries of its rarest
 * term, each candidate checked against every term, and the best `limit` kept. Browser-safe.
 */
import type { CodeEntry, CodeSystemKey } from './code-set.ts';
import { ABBREVIATIONS } from './abbreviations.ts';
import { compactCode } from './code-format.ts';
import { layQuery, layTermOf } from './lay-terms.ts';
import { tokenize, type SearchIndex, type WordRange } from './search-index.ts';
import { closestWord } from './spelling.ts';

/** Words too common in descriptions to narrow a search ("fracture of femur"). */
const STOP_WORDS = new Set([
  'a',
  'an',
  'and',
  'by',
  'for',
  'in',
  'of',
  'on',
  'or',
  'the',
  'to',
  'w',
  'with',
]);

/** One whitespace-separated token of the query. It matches an entry when any alternative does. */
interface Term {
  /** Every one of these word prefixes (a conjunction), e.g. "e11.9" → e11, 9; "htn" → hypertension. */
  words: WordRange[];
  /** Code prefix (compact) the token may be (`E119`, `992`), or ''. */
  code: string;
  /** Code prefixes an abbreviation stands for: they match and rank first. */
  boost: string[];
  /** The abbreviation itself as a whole word (`copd` in a synonym), or -1. */
  literal: number;
  /** A lay term: its codes rank first even when their descriptions lack the words. */
  strong?: boolean;
}

const corrections = new WeakMap<SearchIndex, Map<string, WordRange | undefined>>();

/** The words starting with `word`, or its typo correction when none does (spelling.ts). */
function rangeOrCorrection(index: SearchIndex, word: string): WordRange {
  const range = index.wordRange(word);
  if (range.hi > range.lo || /\d/.test(word)) return range;
  // A plural the descriptions write in the singular ("stones" → stone).
  if (word.length > 3 && word.endsWith('s')) {
    const singular = index.wordRange(word.slice(0, -1));
    if (singular.exact >= 0)
      return { lo: singular.exact, hi: singular.exact + 1, exact: singular.exact };
  }
  let cache = corrections.get(index);
  if (!cache) {
    cache = new Map<string, WordRange | undefined>();
    corrections.set(index, cache);
  }
  if (cache.has(word)) return cache.get(word) ?? range;
  // Words sharing the first two letters first (a few hundred), then the first letter only.
  const frequency = (w: number): number => index.rangeSize({ lo: w, hi: w + 1, exact: w });
  const two = index.wordRange(word.slice(0, 2));
  let id = closestWord(word, index.words, two.lo, two.hi, frequency);
  if (id < 0) {
    const one = index.wordRange(word.charAt(0));
    id = closestWord(word, index.words, one.lo, one.hi, frequency);
  }
  const corrected = id < 0 ? undefined : { lo: id, hi: id + 1, exact: id };
  if (cache.size > 5000) cache.clear();
  cache.set(word, corrected);
  return corrected ?? range;
}

function termOf(index: SearchIndex, raw: string): Term | undefined {
  const lay = layTermOf(raw);
  if (lay)
    return {
      words: tokenize(lay.words).map((w) => index.wordRange(w)),
      code: '',
      boost: (lay.codes ?? []).map(compactCode),
      literal: -1,
      strong: true,
    };
  const abbreviation = Object.hasOwn(ABBREVIATIONS, raw) ? ABBREVIATIONS[raw] : undefined;
  if (abbreviation) {
    return {
      words: tokenize(abbreviation.words).map((w) => index.wordRange(w)),
      code: '',
      boost: (abbreviation.codes ?? []).map(compactCode),
      literal: index.wordRange(raw).exact,
    };
  }
  if (STOP_WORDS.has(raw)) return undefined;
  const words = tokenize(raw).filter((w) => !STOP_WORDS.has(w));
  const code = /^[a-z]?\d[0-9a-z.]*$|^[a-z][0-9a-z]{1,2}$/i.test(raw) ? compactCode(raw) : '';
  if (words.length === 0 && !code) return undefined;
  return {
    words: words.map((w) => (code ? index.wordRange(w) : rangeOrCorrection(index, w))),
    code,
    boost: [],
    literal: -1,
  };
}

/** Upper bound of the entries a term can match (to start from the rarest). */
function termSize(index: SearchIndex, t: Term): number {
  const byWords = t.words.length ? Math.min(...t.words.map((r) => index.rangeSize(r))) : 0;
  const byCodes = [t.code, ...t.boost].filter((c) => c).reduce((n, c) => n + index.codeCount(c), 0);
  return (
    byWords +
    byCodes +
    (t.literal >= 0 ? index.rangeSize({ lo: t.literal, hi: t.literal + 1, exact: t.literal }) : 0)
  );
}

function eachCandidate(index: SearchIndex, t: Term, visit: (id: number) => void): void {
  if (t.words.length) {
    const rarest = t.words.reduce((a, b) => (index.rangeSize(b) < index.rangeSize(a) ? b : a));
    index.eachInRange(rarest, visit);
  }
  for (const c of [t.code, ...t.boost]) if (c) index.eachWithCode(c, visit);
  if (t.literal >= 0)
    index.eachInRange({ lo: t.literal, hi: t.literal + 1, exact: t.literal }, visit);
}

/**
 * How an entry matched a term, or undefined: [boosted, via synonym only, whole words]. An
 * abbreviation's code is boosted only when its words match too ("afib": I48.91 atrial
 * fibrillation, not I48.92 atrial flutter); its other codes still match.
 */
function matchTerm(
  index: SearchIndex,
  id: number,
  t: Term,
): [boosted: boolean, synonym: boolean, whole: number] | undefined {
  const code = index.compact[id] ?? '';
  if (t.code && code.startsWith(t.code)) return [false, false, 1];
  const inBoost = t.boost.some((b) => code.startsWith(b));
  if (inBoost && t.strong) return [true, false, 1];
  let synonym = false;
  let whole = 0;
  for (const r of t.words) {
    const where = index.where(id, r);
    if (where === 0) {
      if (inBoost) return [false, false, 0];
      return t.literal >= 0 &&
        index.where(id, { lo: t.literal, hi: t.literal + 1, exact: t.literal }) > 0
        ? [false, true, 0]
        : undefined;
    }
    if (where === 1) synonym = true;
    else if (index.hasWord(id, r.exact)) whole++;
  }
  return t.words.length ? [inBoost && !synonym, synonym, whole] : undefined;
}

/** 1 for a subsequent-encounter or sequela 7th character: the initial encounter is the usual pick. */
function laterEpisode(display: string): number {
  return display.endsWith(', sequela') ||
    display.endsWith(', subsequent encounter') ||
    display.includes(', subsequent encounter for')
    ? 1
    : 0;
}

/** word id → bit mask of the query terms matching it (terms beyond 30 are ignored). */
function termHits(terms: readonly Term[]): (word: number) => number {
  return (word) => {
    let bits = 0;
    for (let i = 0; i < terms.length && i < 30; i++) {
      const t = terms[i];
      if (t?.words.some((r) => word >= r.lo && word < r.hi)) bits |= 1 << i;
    }
    return bits;
  };
}

export interface QueryContext {
  index: SearchIndex;
  systems: readonly CodeSystemKey[];
  /** Entry ids of common outpatient codes (the starter set): ranked first among equals. */
  common: (id: number) => boolean;
}

/**
 * A number to sort by, lower first: the exact code typed; an abbreviation's codes; matched in the
 * description (not only a synonym); billable before categories; current before retired; more
 * whole words; common codes; initial encounter before later ones; shorter descriptions; then the code system's own order.
 */
function rankOf(
  ctx: QueryContext,
  id: number,
  entry: CodeEntry,
  exact: string,
  terms: Term[],
): number | undefined {
  let boosted = false;
  let synonym = false;
  let whole = 0;
  for (const t of terms) {
    const m = matchTerm(ctx.index, id, t);
    if (!m) return undefined;
    boosted ||= m[0];
    synonym ||= m[1];
    whole += m[2];
  }
  const exactHit = exact !== '' && ctx.index.compact[id] === exact;
  const fit = Math.min(ctx.index.phraseFit(id, termHits(terms), Math.min(terms.length, 30)), 7);
  let key = exactHit ? 0 : 1;
  key = key * 2 + (boosted ? 0 : 1);
  key = key * 2 + (entry.billable ? 0 : 1);
  key = key * 2 + (entry.validTo ? 1 : 0);
  key = key * 8 + fit;
  key = key * 2 + (synonym ? 1 : 0);
  key = key * 16 + Math.max(0, 15 - whole);
  key = key * 2 + (ctx.common(id) ? 0 : 1);
  key = key * 2 + laterEpisode(entry.display);
  key = key * 512 + Math.min(entry.display.length, 511);
  return key * 262144 + id;
}

/** Side words: ICD-10-CM often has no laterality (hernia, cataract NOS), so a search retries without. */
const SIDE_WORDS = /\b(left|right|bilateral|lt|rt|bilat)\b/;

/**
 * The best `limit` entries for `query`, best first; when nothing matches a query naming a side,
 * the same query without its side words.
 */
export function runQuery(ctx: QueryContext, query: string, limit: number): CodeEntry[] {
  const found = runOnce(ctx, query, limit);
  if (found.length > 0 || !SIDE_WORDS.test(query.toLowerCase())) return found;
  return runOnce(ctx, query.toLowerCase().replace(new RegExp(SIDE_WORDS.source, 'g'), ' '), limit);
}

function runOnce(ctx: QueryContext, query: string, limit: number): CodeEntry[] {
  const raws = layQuery(query)
    .trim()
    .toLowerCase()
    .split(/\s+/)
    .filter((r) => r.length > 0);
  const terms = raws.map((r) => termOf(ctx.index, r)).filter((t): t is Term => t !== undefined);
  if (terms.length === 0 || limit <= 0) return [];
  const exact = raws.length === 1 ? compactCode(raws[0] ?? '') : '';
  const rarest = terms.reduce((a, b) => (termSize(ctx.index, b) < termSize(ctx.index, a) ? b : a));
  const seen = new Set<number>();
  const best: [key: number, id: number][] = [];
  eachCandidate(ctx.index, rarest, (id) => {
    if (seen.has(id)) return;
    seen.add(id);
    const entry = ctx.index.entries[id];
    if (!entry || !ctx.systems.includes(entry.system)) return;
    const key = rankOf(ctx, id, entry, exact, terms);
    if (key === undefined) return;
    if (best.length === limit && key >= (best[limit - 1]?.[0] ?? Infinity)) return;
    let at = best.length;
    while (at > 0 && (best[at - 1]?.[0] ?? 0) > key) at--;
    best.splice(at, 0, [key, id]);
    if (best.length > limit) best.pop();
  });
  return best.map(([, id]) => ctx.index.entries[id]).filter((e): e is CodeEntry => e !== undefined);
}
