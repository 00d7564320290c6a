/**
 * Adds the annotation layers to ICD-10-CM entries: Tabular notes (Excludes1/2, code first, use
 * additional, inclusion terms, 7th character), MCE attributes (age group, manifestation, and the
 * historical sex lists), and collects the search synonyms (Alphabetic Index terms, CMS short
 * descriptors). Browser-safe.
 */
import type { CodeEntry } from './code-set.ts';
import { compactCode } from './code-format.ts';
import type { MceFields, NoteFields, StoredRelease } from './store/stored-release.ts';

type Layer<L extends StoredRelease['layer']> = Extract<StoredRelease, { layer: L }>;

const byDate = (a: StoredRelease, b: StoredRelease): number =>
  a.effectiveFrom.localeCompare(b.effectiveFrom);

/** code → fields, later releases overriding earlier ones field by field. */
function mergedByCode<T extends object>(
  layers: readonly T[],
  pick: (layer: T) => Record<string, object>,
): Map<string, object> {
  const out = new Map<string, object>();
  for (const layer of layers)
    for (const [code, fields] of Object.entries(pick(layer)))
      out.set(code, { ...out.get(code), ...fields });
  return out;
}

/**
 * True for ICD-10-CM headers whose codes all need a 7th character, when no Tabular XML said so:
 * every billable code below is 7 characters long and at least one uses the placeholder X or a
 * letter in 7th position (A/D/S encounters; digit-only 7th characters such as E11.3211 are part
 * of the code, not a 7th-character extension).
 */
function seventhByShape(entries: readonly CodeEntry[]): Set<string> {
  const verdict = new Map<string, { all7: boolean; extension: boolean }>();
  for (const e of entries) {
    if (e.system !== 'icd10cm' || !e.billable || e.validTo) continue;
    const code = compactCode(e.code);
    const seven = code.length === 7;
    const extension = seven && (/[A-Z]$/.test(code) || code.slice(3, 6).includes('X'));
    for (let n = 3; n < code.length; n++) {
      const head = code.slice(0, n);
      const v = verdict.get(head) ?? { all7: true, extension: false };
      verdict.set(head, { all7: v.all7 && seven, extension: v.extension || extension });
    }
  }
  return new Set([...verdict].filter(([, v]) => v.all7 && v.extension).map(([head]) => head));
}

/** Adds notes, MCE fields and `requiresSeventh` to the ICD-10-CM entries, in place. */
export function annotateEntries(entries: CodeEntry[], releases: readonly StoredRelease[]): void {
  const notes = mergedByCode(
    releases.filter((r): r is Layer<'notes'> => r.layer === 'notes').sort(byDate),
    (r) => r.notes,
  ) as Map<string, NoteFields>;
  const mce = mergedByCode(
    releases.filter((r): r is Layer<'mce'> => r.layer === 'mce').sort(byDate),
    (r) => r.mce,
  ) as Map<string, MceFields>;
  const seventh = seventhByShape(entries);
  for (const e of entries) {
    if (e.system !== 'icd10cm') continue;
    const n = notes.get(e.code);
    if (n) Object.assign(e, n);
    const m = mce.get(e.code);
    if (m) Object.assign(e, m);
    if (!e.billable && seventh.has(compactCode(e.code))) e.requiresSeventh = true;
  }
}

/** Search synonyms by `system|compact code`: Alphabetic Index terms and short descriptors. */
export function synonymsOf(releases: readonly StoredRelease[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (key: string, texts: readonly string[]): void => {
    const list = out.get(key);
    if (list) list.push(...texts);
    else out.set(key, [...texts]);
  };
  for (const r of releases) {
    if (r.layer === 'index')
      for (const [code, terms] of Object.entries(r.terms))
        add(`icd10cm|${compactCode(code)}`, terms);
    if (r.layer === 'codes' && r.system !== 'icd10cm') {
      for (const [code, , , extra] of r.rows)
        if (extra?.short)
          add(`${extra.modifier ? 'modifier' : r.system}|${compactCode(code)}`, [extra.short]);
    }
  }
  return out;
}
