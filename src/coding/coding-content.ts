/**
 * What ChartBill controls in a coding resource, compared by content and applied onto the stored
 * resource without losing what others wrote there. Browser-safe.
 *
 * A diagnosis or a line is "unchanged" when the stored resource already holds everything the new
 * draft would write (same values, whatever the key order the server returned them in): saving it
 * again would only add a version, and a changed version tells the worker and billing staff that
 * the coding changed when it did not.
 */
import type { ChargeItem, Condition, Extension, Meta } from 'fhir/r4';
import { EXT, SYSTEM } from '../fhir/systems.ts';

type CodingResource = Condition | ChargeItem;

/** The extensions ChartBill writes; others' extensions on a resource are kept and not compared. */
const OWN_EXTENSIONS = new Set<string>([
  EXT.diagnosisRank,
  EXT.lineSequence,
  EXT.modifier,
  EXT.diagnosisPointer,
  EXT.emBasis,
]);

/**
 * Who wrote it and the bookkeeping keys are not content: a colleague opening and saving an
 * unchanged coding must not become its recorder, nor rewrite it.
 */
const NOT_CONTENT = new Set([
  'resourceType',
  'id',
  'meta',
  'identifier',
  'recorder',
  'enterer',
  'text',
]);

/** JSON with object keys sorted at every level and `undefined` members dropped. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}

function ownExtensions(extensions: Extension[] | undefined): Extension[] {
  return (extensions ?? []).filter((e) => OWN_EXTENSIONS.has(e.url));
}

/** What of an element is compared: ChartBill's own extensions, a code's codings (its narrative is the EHR's). */
function comparable(key: string, value: unknown): unknown {
  if (key === 'extension') return ownExtensions(value as Extension[] | undefined);
  if (key === 'code') return (value as { coding?: unknown } | undefined)?.coding;
  return value;
}

/**
 * True when `stored` already holds every element `draft` sets, by value (key order and
 * server-managed meta ignored; only ChartBill's own extensions compared, in order, since their
 * order is the modifiers' and pointers' billing order).
 */
export function hasCodingContent(stored: CodingResource, draft: CodingResource): boolean {
  if (stored.resourceType !== draft.resourceType) return false;
  const a = stored as unknown as Record<string, unknown>;
  const b = draft as unknown as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (NOT_CONTENT.has(key) || b[key] === undefined) continue;
    if (canonical(comparable(key, b[key])) !== canonical(comparable(key, a[key]))) return false;
  }
  // An element ChartBill writes but the draft leaves out (a pointer list emptied) must be gone too.
  return !(
    b.extension === undefined && ownExtensions(a.extension as Extension[] | undefined).length > 0
  );
}

/** `meta` for a write: the stored tags and security labels with the writer's tag added; the server sets versionId and lastUpdated. */
function mergedMeta(stored: Meta | undefined, draft: Meta | undefined): Meta | undefined {
  const tags = [...(stored?.tag ?? [])];
  for (const t of draft?.tag ?? [])
    if (!tags.some((x) => x.system === t.system && x.code === t.code)) tags.push(t);
  const meta: Meta = { ...stored, ...(tags.length ? { tag: tags } : {}) };
  delete meta.versionId;
  delete meta.lastUpdated;
  return Object.keys(meta).length ? meta : undefined;
}

/**
 * The stored resource with the draft's content applied: elements ChartBill does not write
 * (recordedDate, notes, others' extensions and identifiers) are kept.
 */
export function withCodingContent<T extends CodingResource>(stored: T, draft: T): T {
  const extension = [
    ...(stored.extension ?? []).filter((e) => !OWN_EXTENSIONS.has(e.url)),
    ...(draft.extension ?? []),
  ];
  const meta = mergedMeta(stored.meta, draft.meta);
  const merged = { ...stored, ...draft, id: stored.id, identifier: stored.identifier } as T;
  if (!stored.identifier) delete merged.identifier;
  if (extension.length) merged.extension = extension;
  else delete merged.extension;
  if (meta) merged.meta = meta;
  else delete merged.meta;
  // An unchanged code keeps the EHR's narrative; a changed one drops it, as it described the old code.
  if (
    stored.code &&
    canonical(comparable('code', stored.code)) === canonical(comparable('code', draft.code))
  )
    merged.code = stored.code;
  return merged;
}

/** The stored resource with server-managed meta removed, ready to be written back as it was. */
export function asWritten<T extends CodingResource>(stored: T): T {
  const copy = { ...stored };
  const meta = mergedMeta(stored.meta, undefined);
  if (meta) copy.meta = meta;
  else delete copy.meta;
  return copy;
}

/** True when the resource was withdrawn (entered-in-error): it is no part of the coding. */
export function isRetired(r: CodingResource): boolean {
  return r.resourceType === 'ChargeItem'
    ? r.status === 'entered-in-error'
    : r.verificationStatus?.coding?.some((c) => c.code === 'entered-in-error') === true;
}

/**
 * The resource withdrawn as entered-in-error. A Condition loses its clinicalStatus: FHIR R4
 * invariant con-5 forbids clinicalStatus on an entered-in-error Condition.
 */
export function retiredCopy<T extends CodingResource>(r: T): T {
  const copy = asWritten(r);
  if (copy.resourceType === 'ChargeItem') return { ...copy, status: 'entered-in-error' };
  const retired: Condition = {
    ...copy,
    verificationStatus: {
      coding: [{ system: SYSTEM.conditionVerification, code: 'entered-in-error' }],
    },
  };
  delete retired.clinicalStatus;
  return retired as T;
}
