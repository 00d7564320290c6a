import type { ChargeItem, Condition } from 'fhir/r4';
import {
  hasCodingContent,
  isRetired,
  retiredCopy,
  withCodingContent,
} from '../../src/coding/coding-content.ts';
import { chargeItemFromLine, conditionFromDiagnosis } from '../../src/coding/coding-fhir.ts';
import type {
  DiagnosisEntry,
  EncounterCoding,
  ServiceLine,
} from '../../src/coding/coding-model.ts';
import type { CodeSet } from '../../src/codes/code-set.ts';
import { AppError } from '../../src/errors/app-error.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import type { LoadedEncounter } from './encounter-coding.ts';
import { plainSaveError } from './save-errors.ts';
import { createSaveJournal, type Restored, type SaveJournal } from './save-journal.ts';

/** Identifies an entry across retries, so a save that is sent twice creates nothing twice. */
export const ENTRY_KEY_SYSTEM = 'https://chartbill.dev/fhir/identifier/coding-entry';

export interface SaveContext {
  fhir: FhirGateway;
  codes: CodeSet;
  /** The launched encounter as the server read it at save time: the only resources a save may write. */
  loaded: LoadedEncounter;
  fhirUser: string | undefined;
  signOff: boolean;
  /** The Conditions and ChargeItems (id → versionId) the clinician's copy was based on. */
  seen: Seen;
  /** Told which writes a failed save could not undo (for the log; the browser gets plain words). */
  onNotUndone?: (refs: string[]) => void;
  /**
   * Versions an earlier failed save of this session put back (`Condition/1` → from, to), kept by
   * the caller: the clinician's copy still names `from`, whose content `to` holds, so saving it
   * again is not a conflict.
   */
  restored?: Map<string, Restored>;
}

export interface Seen {
  conditions: Record<string, string>;
  chargeItems: Record<string, string>;
}

/** Keys the browser gives new entries (a UUID each), parallel to diagnoses and lines. */
export interface EntryKeys {
  diagnoses: (string | undefined)[];
  lines: (string | undefined)[];
}

/** The launched encounter's references, for drafts and for scoping entry-key searches. */
interface Scope {
  patient: string;
  encounter: string;
}

/**
 * Writes the coding: new entries are created with If-None-Exist on their key (idempotent),
 * changed ones updated with If-Match on the version the clinician saw (a conflict surfaces as
 * FHIR_CONFLICT instead of overwriting someone else's change), unchanged ones left alone, removed
 * ones marked entered-in-error (never deleted: every write stays traceable).
 *
 * Only resources the server itself read for the launched encounter and patient are written; an
 * id from the browser that is not one of them refuses the whole save before anything is written.
 * Codes' displays come from the code set, never from the browser. When a write fails, the writes
 * before it are undone (see `save-journal.ts`), so the chart holds all of the save or none of it.
 */
export async function saveCoding(
  ctx: SaveContext,
  coding: EncounterCoding,
  keys: EntryKeys,
): Promise<void> {
  assertCodesExist(ctx.codes, coding);
  assertOwnIds(ctx.loaded, coding);
  assertNothingUnseen(ctx.loaded, ctx.seen);
  const existing = new Set(
    [...ctx.loaded.conditions, ...ctx.loaded.chargeItems].map(
      (r) => `${r.resourceType}/${r.id ?? ''}`,
    ),
  );
  const journal = createSaveJournal(ctx.fhir, existing);
  try {
    await writeCoding(ctx, coding, keys, journal);
  } catch (err) {
    const { notUndone, restored } = await journal.rollback();
    for (const r of restored) {
      // A second failed save restores what the first put back: the clinician still saw the first `from`.
      const earlier = ctx.restored?.get(r.ref);
      ctx.restored?.set(r.ref, earlier?.to === r.from ? { ...r, from: earlier.from } : r);
    }
    if (notUndone.length > 0) ctx.onNotUndone?.(notUndone);
    throw plainSaveError(err, 'write', notUndone);
  }
}

/** The version to send as If-Match for what the clinician saw, past an undo that put the same content back. */
function seenVersion(
  ctx: SaveContext,
  ref: string,
  version: string | undefined,
): string | undefined {
  const r = ctx.restored?.get(ref);
  return r && r.from === version ? r.to : version;
}

async function writeCoding(
  ctx: SaveContext,
  coding: EncounterCoding,
  keys: EntryKeys,
  journal: SaveJournal,
): Promise<void> {
  const { loaded, seen, codes } = ctx;
  const scope: Scope = {
    patient: `Patient/${loaded.patient.id ?? ''}`,
    encounter: `Encounter/${loaded.encounter.id ?? ''}`,
  };
  const recorder = ctx.fhirUser;
  const conditionRefs: string[] = [];
  for (const [i, dx] of coding.diagnoses.entries()) {
    const entry: DiagnosisEntry = { code: dx.code };
    const display = codes.lookup('icd10cm', dx.code)?.display;
    if (display) entry.display = display;
    const draft = conditionFromDiagnosis(entry, i + 1, {
      ...scope,
      ...(recorder ? { recorder } : {}),
    });
    const version = seenVersion(
      ctx,
      `Condition/${dx.conditionId ?? ''}`,
      dx.versionId ?? seen.conditions[dx.conditionId ?? ''],
    );
    const saved = await upsert(
      journal,
      draft,
      dx.conditionId,
      version,
      keyed(keys.diagnoses[i], scope, 'encounter'),
      loaded.conditions,
    );
    conditionRefs.push(`Condition/${saved.id ?? ''}`);
  }
  const occurrence = loaded.facts.dateOfService;
  for (const [i, line] of coding.lines.entries()) {
    const entry: ServiceLine = {
      code: line.code,
      system: line.system,
      units: line.units,
      modifiers: line.modifiers,
      pointers: line.pointers,
      // The E/M level's basis is saved with the visit's ChargeItem (issue 16, item 11).
      ...(line.emDocumentation ? { emDocumentation: line.emDocumentation } : {}),
    };
    const display = codes.lookup(line.system, line.code)?.display;
    if (display) entry.display = display;
    const draft = chargeItemFromLine(entry, {
      ...scope,
      conditionRefs,
      ...(recorder ? { enterer: recorder } : {}),
      status: ctx.signOff ? 'billable' : 'planned',
      occurrence,
      sequence: i + 1,
    });
    const version = seenVersion(
      ctx,
      `ChargeItem/${line.chargeItemId ?? ''}`,
      line.versionId ?? seen.chargeItems[line.chargeItemId ?? ''],
    );
    await upsert(
      journal,
      draft,
      line.chargeItemId,
      version,
      keyed(keys.lines[i], scope, 'context'),
      loaded.chargeItems,
    );
  }
  const seenConditions = loaded.conditions.filter(
    (c) => c.id !== undefined && c.id in seen.conditions,
  );
  const seenCharges = loaded.chargeItems.filter(
    (c) => c.id !== undefined && c.id in seen.chargeItems,
  );
  const versionOf = (r: Condition | ChargeItem, seenVersions: Record<string, string>) =>
    seenVersion(ctx, `${r.resourceType}/${r.id ?? ''}`, seenVersions[r.id ?? '']);
  await retireRemoved(
    journal,
    seenConditions,
    (r) => versionOf(r, seen.conditions),
    new Set(coding.diagnoses.map((d) => d.conditionId)),
  );
  await retireRemoved(
    journal,
    seenCharges,
    (r) => versionOf(r, seen.chargeItems),
    new Set(coding.lines.map((l) => l.chargeItemId)),
  );
}

/** An entry key and the If-None-Exist search finding it: within the launched encounter and patient only. */
interface Keyed {
  key: string;
  ifNoneExist: string;
}

function keyed(
  key: string | undefined,
  scope: Scope,
  encounterParam: 'encounter' | 'context',
): Keyed | undefined {
  if (!key) return undefined;
  const query = new URLSearchParams({
    identifier: `${ENTRY_KEY_SYSTEM}|${key}`,
    patient: scope.patient,
    [encounterParam]: scope.encounter,
  });
  return { key, ifNoneExist: query.toString() };
}

async function upsert<T extends Condition | ChargeItem>(
  journal: SaveJournal,
  draft: T,
  id: string | undefined,
  versionId: string | undefined,
  key: Keyed | undefined,
  existing: T[],
): Promise<T> {
  if (id) {
    // assertOwnIds made sure the id is one of the encounter's.
    const current = existing.find((r) => r.id === id) as T;
    // Compared by content: the server's key order or meta never makes an unchanged entry a write.
    if (hasCodingContent(current, draft)) return current;
    return journal.update(current, withCodingContent(current, draft), versionId);
  }
  const withKey = key
    ? ({
        ...draft,
        identifier: [...(draft.identifier ?? []), { system: ENTRY_KEY_SYSTEM, value: key.key }],
      } as T)
    : draft;
  return journal.create(withKey, key?.ifNoneExist, ENTRY_KEY_SYSTEM);
}

/** Retires what the clinician removed, If-Match on the version they saw: a change since then is a conflict. */
async function retireRemoved<T extends Condition | ChargeItem>(
  journal: SaveJournal,
  existing: T[],
  seenVersionOf: (r: T) => string | undefined,
  kept: Set<string | undefined>,
): Promise<void> {
  for (const resource of existing) {
    if (kept.has(resource.id) || isRetired(resource)) continue;
    await journal.update(resource, retiredCopy(resource), seenVersionOf(resource));
  }
}

/**
 * Every id the browser names must be one the server read for the launched encounter and patient
 * at save time, once: anything else (another encounter's or patient's resource, an id that does
 * not exist, which an update would create) refuses the save before anything is written.
 */
function assertOwnIds(loaded: LoadedEncounter, coding: EncounterCoding): void {
  const conditionIds = new Set(loaded.conditions.map((c) => c.id));
  const chargeIds = new Set(loaded.chargeItems.map((c) => c.id));
  const named = (ids: (string | undefined)[]) => ids.filter((id): id is string => id !== undefined);
  const dxIds = named(coding.diagnoses.map((d) => d.conditionId));
  const lineIds = named(coding.lines.map((l) => l.chargeItemId));
  const foreign = [
    ...dxIds.filter((id) => !conditionIds.has(id)),
    ...lineIds.filter((id) => !chargeIds.has(id)),
  ];
  const twice = new Set(dxIds).size !== dxIds.length || new Set(lineIds).size !== lineIds.length;
  if (foreign.length > 0 || twice) {
    throw new AppError(
      'CODING_NOT_IN_ENCOUNTER',
      'Not saved: the coding names diagnoses or services that are not part of this encounter.',
      {
        hint: 'Relaunch ChartBill from the encounter and code it again.',
      },
    );
  }
}

/**
 * Someone else added a diagnosis or charge since this copy was loaded: saving it as is would
 * drop theirs, so refuse with a conflict and let the panel merge (issue: no silent overwrites).
 */
function assertNothingUnseen(loaded: LoadedEncounter, seen: Seen): void {
  const liveConditions = loaded.conditions.filter(
    (c) => !isRetired(c) && c.id && !(c.id in seen.conditions),
  );
  const liveCharges = loaded.chargeItems.filter(
    (c) => !isRetired(c) && c.id && !(c.id in seen.chargeItems),
  );
  if (liveConditions.length + liveCharges.length > 0) {
    throw new AppError(
      'FHIR_CONFLICT',
      'Someone else changed this encounter’s coding since you opened it.',
      { hint: 'Review the merged coding and save again.' },
    );
  }
}

function assertCodesExist(codes: CodeSet, coding: EncounterCoding): void {
  const unknown = [
    ...coding.diagnoses.filter((d) => !codes.lookup('icd10cm', d.code)).map((d) => d.code),
    ...coding.lines.filter((l) => !codes.lookup(l.system, l.code)).map((l) => l.code),
    ...coding.lines.flatMap((l) => l.modifiers).filter((m) => !codes.lookup('modifier', m)),
  ];
  if (unknown.length > 0) {
    throw new AppError(
      'CODE_UNKNOWN',
      `Not saved: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a code' : 'are not codes'} in the code set.`,
      { hint: 'Pick the code from the search results.' },
    );
  }
}
