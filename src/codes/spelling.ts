/**
 * Typo tolerance for code search: a query word that starts no word of the code set's dictionary
 * (`diabetis`, `hypertention`, `migrane`, `pnuemonia`) is replaced by the closest dictionary word
 * within one edit (words of 4-6 letters) or two (7 or more): insertions, deletions, substitutions
 * and swaps of two neighbouring letters (optimal string alignment distance). Candidates share the
 * word's first letter (typos there are rare, and it keeps a lookup to a few thousand words); the
 * most frequent candidate wins a tie. Browser-safe.
 */

/** Optimal string alignment distance of `a` and `b`, or `max + 1` once it exceeds `max`. */
const rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)] as const;

export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  if (n >= 63 || a.length >= 63) return max + 1;
  let [prevPrev, prev, row] = rows;
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      )
        v = Math.min(v, (prevPrev[j - 2] ?? 0) + 1);
      row[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prevPrev, prev, row] = [prev, row, prevPrev];
  }
  return prev[n] ?? max + 1;
}

/** The edits a word of this length may have. */
export const allowedEdits = (word: string): number =>
  word.length < 4 ? 0 : word.length < 7 ? 1 : 2;

/**
 * The best correction of `word` among `words[lo..hi)` (the dictionary words with its first
 * letter), weighed by `frequency(id)`; -1 when none is close enough. Also accepts a word whose
 * beginning is close (a misspelt word still being typed: `pnuem` → `pneumonia`).
 */
export function closestWord(
  word: string,
  words: readonly string[],
  lo: number,
  hi: number,
  frequency: (id: number) => number,
): number {
  const max = allowedEdits(word);
  if (max === 0) return -1;
  let best = -1;
  let bestScore = Infinity;
  let bestFrequency = -1;
  for (let id = lo; id < hi; id++) {
    const candidate = words[id] ?? '';
    if (candidate.length + max < word.length) continue;
    // Score: twice the edits, plus one when only the candidate's beginning is close (a
    // misspelt word still being typed), so whole-word corrections win.
    let score = 2 * editDistance(word, candidate, max);
    if (score > 2 * max && candidate.length > word.length)
      score = 2 * editDistance(word, candidate.slice(0, word.length), max) + 1;
    if (score > 2 * max + 1) continue;
    const f = frequency(id);
    if (score < bestScore || (score === bestScore && f > bestFrequency)) {
      best = id;
      bestScore = score;
      bestFrequency = f;
    }
  }
  return best;
}
