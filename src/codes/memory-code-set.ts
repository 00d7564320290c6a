/**
 * An in-memory `CodeSet` with forgiving search, for the starter set and for the imported CMS
 * releases. Browser-safe: the app's search box calls it on every keystroke.
 */
import type {
  CodeEntry,
  CodeSet,
  CodeSetRelease,
  CodeSetVersion,
  CodeSystemKey,
  SearchKind,
} from './code-set.ts';
import { compactCode } from './code-format.ts';
import { buildSearchIndexData, searchIndexOf, type SearchIndexData } from './search-index.ts';
import { runQuery, type QueryContext } from './search-query.ts';

const SYSTEMS_OF: Record<SearchKind, readonly CodeSystemKey[]> = {
  diagnosis: ['icd10cm'],
  service: ['cpt', 'hcpcs'],
  modifier: ['modifier'],
};

/** The key of a code within its system (`icd10cm|E119`). */
export function entryKey(system: CodeSystemKey, code: string): string {
  return `${system}|${compactCode(code)}`;
}

export interface CodeSetOptions {
  /** Extra searchable texts by `entryKey` (Alphabetic Index terms, short descriptors). */
  synonyms?: ReadonlyMap<string, readonly string[]>;
  /** `entryKey`s of common codes, ranked first among equal matches (the starter set's codes). */
  common?: ReadonlySet<string>;
  version?: string;
  versions?: readonly CodeSetVersion[];
  releases?: readonly CodeSetRelease[];
  /** Prebuilt index arrays (the shipped snapshot): no text is indexed at start-up. */
  index?: SearchIndexData;
  /** Entry ids of common codes, instead of `common` (the shipped snapshot). */
  commonIds?: Int32Array;
}

/**
 * ICD-10-CM parent links: each code's nearest shorter prefix present in the set. Retired codes
 * (with `validTo`) are left out: they are never the code to choose today.
 */
function buildChildren(
  entries: readonly CodeEntry[],
  compact: readonly string[],
): Map<string, CodeEntry[]> {
  const icd = new Set(
    entries.flatMap((e, i) => (e.system === 'icd10cm' ? [compact[i] ?? ''] : [])),
  );
  const children = new Map<string, CodeEntry[]>();
  entries.forEach((e, i) => {
    const code = compact[i] ?? '';
    if (e.system !== 'icd10cm' || e.validTo) return;
    for (let n = code.length - 1; n >= 3; n--) {
      const parent = code.slice(0, n);
      if (!icd.has(parent)) continue;
      const list = children.get(parent);
      if (list) list.push(e);
      else children.set(parent, [e]);
      break;
    }
  });
  return children;
}

/** An entry's searchable extra texts: its inclusion terms and `synonyms` (kept out of closures). */
export function synonymLookup(
  synonyms: ReadonlyMap<string, readonly string[]> | undefined,
): (e: CodeEntry) => readonly string[] {
  const none: readonly string[] = [];
  return (e) => {
    const more = synonyms?.get(entryKey(e.system, e.code)) ?? none;
    return e.inclusionTerms ? [...e.inclusionTerms, ...more] : more;
  };
}

function commonFlags(
  entries: readonly CodeEntry[],
  compact: readonly string[],
  common: ReadonlySet<string> | undefined,
  commonIds?: Int32Array,
): Uint8Array {
  const flags = new Uint8Array(entries.length);
  if (commonIds) for (const id of commonIds) flags[id] = 1;
  else if (common)
    entries.forEach((e, i) => (flags[i] = common.has(`${e.system}|${compact[i] ?? ''}`) ? 1 : 0));
  return flags;
}

/** Size figures of a built code set (the bench reports them). */
export interface IndexStats {
  entries: number;
  indexBytes: number;
}

/**
 * Builds a code set over `entries` (built once; keep the result). Search is case-insensitive and
 * forgiving: codes with or without their dot (`e119`, `E11.9`), code prefixes (`E11`, `992`),
 * word prefixes in any order (`diab type 2`), clinicians' abbreviations (`htn`, `dm2`, `copd`),
 * inclusion terms and `options.synonyms` (Alphabetic Index terms). Billable codes rank before
 * categories; `children(category)` lists the codes one level below.
 */
export function createCodeSet(
  entries: CodeEntry[],
  options: CodeSetOptions = {},
): CodeSet & { stats: IndexStats } {
  const index = searchIndexOf(
    entries,
    options.index ?? buildSearchIndexData(entries, synonymLookup(options.synonyms)),
  );
  // Built on first use: a cold start does not pay for them.
  let children: Map<string, CodeEntry[]> | undefined;
  const common = commonFlags(entries, index.compact, options.common, options.commonIds);
  const { version, versions, releases } = options;
  const context = (kind: SearchKind): QueryContext => ({
    index,
    systems: SYSTEMS_OF[kind],
    common: (id) => common[id] === 1,
  });

  return {
    ...(version ? { version } : {}),
    ...(versions ? { versions } : {}),
    ...(releases ? { releases } : {}),
    stats: { entries: entries.length, indexBytes: index.bytes + common.byteLength },
    lookup: (system, code) => {
      for (const id of index.withCode(compactCode(code))) {
        const e = entries[id];
        if (e?.system === system) return e;
      }
      return undefined;
    },
    children: (code) => {
      children ??= buildChildren(entries, index.compact);
      return children.get(compactCode(code)) ?? [];
    },
    search: (query, kind, limit = 20) => runQuery(context(kind), query, limit),
  };
}
