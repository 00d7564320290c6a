/**
 * The shipped snapshot (`src/codes/compiled/snapshot.bin.br`): the code list ChartBill builds from
 * the shipped releases and the starter set, and its search index, saved at compile time so a cold
 * start decompresses and maps arrays instead of reading texts and indexing them (the full sets
 * must load in under 1.5 s). Layout, Brotli-compressed: a 4-byte little-endian header length, the
 * header (JSON: entries as columns, the dictionary, array offsets), zero padding to a multiple of
 * 4, then the index's Int32Arrays. `SNAPSHOT_FORMAT` changes whenever the index layout or the
 * way entries are built changes; an older snapshot is then ignored (start-up builds the index
 * from the releases, slower) until `chartbill codes compile` is run again. Node only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { CodeEntry, CodeSetRelease, CodeSetVersion, CodeSystemKey } from '../code-set.ts';
import { entryKey, synonymLookup } from '../memory-code-set.ts';
import { buildSearchIndexData, type SearchIndexData } from '../search-index.ts';
import { BUNDLED_DIR } from './bundle-format.ts';

/** Bump when search-index.ts's arrays, entriesFrom/annotateEntries or the starter set change. */
export const SNAPSHOT_FORMAT = 'chartbill-snapshot/4';
export const SNAPSHOT_FILE = 'snapshot.bin.br';

const SYSTEM_LETTER: Record<CodeSystemKey, string> = {
  icd10cm: 'i',
  cpt: 'c',
  hcpcs: 'h',
  modifier: 'm',
};
const LETTER_SYSTEM: Record<string, CodeSystemKey> = {
  i: 'icd10cm',
  c: 'cpt',
  h: 'hcpcs',
  m: 'modifier',
};

const BASE_FIELDS = new Set(['system', 'code', 'display', 'billable']);

type Extra = Omit<CodeEntry, 'system' | 'code' | 'display' | 'billable'>;

/** One release in the snapshot (or in use), without its data: for status and coverage notes. */
export type ReleaseInfo = CodeSetRelease;

interface Header {
  format: string;
  /** The manifest's compiledAt: a snapshot belongs to one compile. */
  compiledAt: string;
  label: string;
  versions: CodeSetVersion[];
  releases: ReleaseInfo[];
  systems: string;
  billable: string;
  codes: string;
  displays: string;
  extras: [number, Extra][];
  words: string;
  arrays: Record<string, [offset: number, length: number]>;
}

/** What a cold start needs: the entries, the index arrays and the common codes' ids. */
export interface Snapshot {
  compiledAt: string;
  label: string;
  versions: CodeSetVersion[];
  releases: ReleaseInfo[];
  entries: CodeEntry[];
  index: SearchIndexData;
  commonIds: Int32Array;
}

function arraysOf(index: SearchIndexData, commonIds: Int32Array): Record<string, Int32Array> {
  return {
    primaryStart: index.primary.start,
    primaryIds: index.primary.ids,
    secondaryStart: index.secondary.start,
    secondaryIds: index.secondary.ids,
    postingsStart: index.postings.start,
    postingsIds: index.postings.ids,
    phrasesByEntry: index.phrases.byEntry,
    phrasesStart: index.phrases.rows.start,
    phrasesIds: index.phrases.rows.ids,
    byCode: index.byCode,
    commonIds,
  };
}

/** Builds and compresses the snapshot of `entries` (already annotated) and their synonyms. */
export function encodeSnapshot(input: {
  compiledAt: string;
  label: string;
  versions: CodeSetVersion[];
  releases: ReleaseInfo[];
  entries: CodeEntry[];
  synonyms: ReadonlyMap<string, readonly string[]>;
  common: ReadonlySet<string>;
}): Buffer {
  const { entries } = input;
  const index = buildSearchIndexData(entries, synonymLookup(input.synonyms));
  const commonIds = Int32Array.from(
    entries.flatMap((e, i) => (input.common.has(entryKey(e.system, e.code)) ? [i] : [])),
  );
  const extras: [number, Extra][] = [];
  entries.forEach((e, i) => {
    const extra = Object.fromEntries(
      Object.entries(e).filter(([key]) => !BASE_FIELDS.has(key)),
    ) as Extra;
    if (Object.keys(extra).length > 0) extras.push([i, extra]);
  });
  const arrays = arraysOf(index, commonIds);
  let offset = 0;
  const placed: Header['arrays'] = {};
  for (const [name, array] of Object.entries(arrays)) {
    placed[name] = [offset, array.length];
    offset += array.byteLength;
  }
  const header: Header = {
    format: SNAPSHOT_FORMAT,
    compiledAt: input.compiledAt,
    label: input.label,
    versions: input.versions,
    releases: input.releases,
    systems: entries.map((e) => SYSTEM_LETTER[e.system]).join(''),
    billable: entries.map((e) => (e.billable ? '1' : '0')).join(''),
    codes: entries.map((e) => e.code).join('\n'),
    displays: entries.map((e) => e.display).join('\n'),
    extras,
    words: index.words.join('\n'),
    arrays: placed,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = Math.ceil((4 + json.byteLength) / 4) * 4;
  const out = Buffer.alloc(start + offset);
  out.writeUInt32LE(json.byteLength, 0);
  json.copy(out, 4);
  for (const [name, array] of Object.entries(arrays)) {
    const [at] = placed[name] ?? [0];
    Buffer.from(array.buffer, array.byteOffset, array.byteLength).copy(out, start + at);
  }
  return brotliCompressSync(out, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_LGWIN]: 24 },
  });
}

/** Decodes a snapshot; undefined when it is of another format (then start-up builds the index). */
export function decodeSnapshot(compressed: Buffer): Snapshot | undefined {
  const raw = brotliDecompressSync(compressed);
  // An aligned copy, so the Int32Array views below need no copying of their own.
  const buffer = new ArrayBuffer(raw.byteLength);
  new Uint8Array(buffer).set(raw);
  const headerLength = raw.readUInt32LE(0);
  const header = JSON.parse(
    new TextDecoder().decode(new Uint8Array(buffer, 4, headerLength)),
  ) as Header;
  if (header.format !== SNAPSHOT_FORMAT) return undefined;
  const start = Math.ceil((4 + headerLength) / 4) * 4;
  const array = (name: string): Int32Array => {
    const [offset, length] = header.arrays[name] ?? [0, 0];
    return new Int32Array(buffer, start + offset, length);
  };
  const codes = header.codes.split('\n');
  const displays = header.displays.split('\n');
  const entries: CodeEntry[] = codes.map((code, i) => ({
    system: LETTER_SYSTEM[header.systems.charAt(i)] ?? 'icd10cm',
    code,
    display: displays[i] ?? '',
    billable: header.billable.charCodeAt(i) === 49,
  }));
  for (const [id, extra] of header.extras) {
    const entry = entries[id];
    if (entry) Object.assign(entry, extra);
  }
  return {
    compiledAt: header.compiledAt,
    label: header.label,
    versions: header.versions,
    releases: header.releases,
    entries,
    index: {
      words: header.words.split('\n'),
      primary: { start: array('primaryStart'), ids: array('primaryIds') },
      secondary: { start: array('secondaryStart'), ids: array('secondaryIds') },
      postings: { start: array('postingsStart'), ids: array('postingsIds') },
      phrases: {
        byEntry: array('phrasesByEntry'),
        rows: { start: array('phrasesStart'), ids: array('phrasesIds') },
      },
      byCode: array('byCode'),
    },
    commonIds: array('commonIds'),
  };
}

/** The shipped snapshot, or undefined when absent or of another format. */
export async function readSnapshot(dir: string = BUNDLED_DIR): Promise<Snapshot | undefined> {
  let compressed: Buffer;
  try {
    compressed = await readFile(join(dir, SNAPSHOT_FILE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return decodeSnapshot(compressed);
}
