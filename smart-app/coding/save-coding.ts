import type { ChargeItem, Condition, Resource } from 'fhir/r4';
import { chargeItemFromLine, conditionFromDiagnosis } from '../../src/coding/coding-fhir.ts';
import type { EncounterCoding } from '../../src/coding/coding-model.ts';
import type { CodeSet } from '../../src/codes/code-set.ts';
import { AppError } from '../../src/errors/app-error.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import type { LoadedEncounter } from './encounter-coding.ts';

/** Identifies an entry across retries, so a save that is sent twice creates nothing twice. */
export const ENTRY_KEY_SYSTEM = 'https://chartbill.dev/fhir/identifier/coding-entry';

export interface SaveContext {
  fhir: FhirGateway;
  codes: CodeSet;
  loaded: LoadedEncounter;
  fhirUser: string | undefined;
  signOff: boolean;
  /** The Conditions and ChargeItems (id → versionId) the clinician's copy was based on. */
  seen: Seen;
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

/**
 * Writes the coding: new entries are created with If-None-Exist on their key (idempotent),
 * changed ones updated with If-Match on the version the clinician saw (a conflict surfaces as
 * FHIR_CONFLICT instead of overwriting someone else's change), removed ones marked
 * entered-in-error (never deleted: every write stays traceable).
 */
export async function saveCoding(ctx: SaveContext, coding: EncounterCoding, keys: EntryKeys): Promise<void> {
  assertCodesExist(ctx.codes, coding);
  const { loaded, fhir, seen } = ctx;
  assertNothingUnseen(loaded, seen);
  const patient = `Patient/${loaded.patient.id ?? ''}`;
  const encounter = `Encounter/${loaded.encounter.id ?? ''}`;
  const recorder = ctx.fhirUser;

  const conditionRefs: string[] = [];
  for (const [i, dx] of coding.diagnoses.entries()) {
    const draft = conditionFromDiagnosis(dx, i + 1, { patient, encounter, ...(recorder ? { recorder } : {}) });
    const saved = await upsert(fhir, draft, dx.conditionId, dx.versionId, keys.diagnoses[i], loaded.conditions);
    conditionRefs.push(`Condition/${saved.id ?? ''}`);
  }
  const occurrence = loaded.facts.dateOfService;
  for (const [i, line] of coding.lines.entries()) {
    const draft = chargeItemFromLine(line, { patient, encounter, conditionRefs, ...(recorder ? { enterer: recorder } : {}), status: ctx.signOff ? 'billable' : 'planned', occurrence, sequence: i + 1 });
    await upsert(fhir, draft, line.chargeItemId, line.versionId, keys.lines[i], loaded.chargeItems);
  }
  const seenConditions = loaded.conditions.filter((c) => c.id !== undefined && c.id in seen.conditions);
  const seenCharges = loaded.chargeItems.filter((c) => c.id !== undefined && c.id in seen.chargeItems);
  await retireRemoved(fhir, seenConditions, seen.conditions, new Set(coding.diagnoses.map((d) => d.conditionId)), (c: Condition) => ({
    ...c,
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'entered-in-error' }] },
  }));
  await retireRemoved(fhir, seenCharges, seen.chargeItems, new Set(coding.lines.map((l) => l.chargeItemId)), (c: ChargeItem) => ({ ...c, status: 'entered-in-error' }));
}

async function upsert<T extends Condition | ChargeItem>(fhir: FhirGateway, draft: T, id: string | undefined, versionId: string | undefined, key: string | undefined, existing: T[]): Promise<T> {
  if (id) {
    const current = existing.find((r) => r.id === id);
    const merged = { ...draft, id, identifier: current?.identifier ?? draft.identifier } as T;
    if (current && sameContent(current, merged)) return current;
    return fhir.update(merged, versionId ? { ifMatchVersion: versionId } : {});
  }
  const withKey = key ? ({ ...draft, identifier: [...(draft.identifier ?? []), { system: ENTRY_KEY_SYSTEM, value: key }] } as T) : draft;
  const result = await fhir.create(withKey, key ? { ifNoneExist: `identifier=${ENTRY_KEY_SYSTEM}|${key}` } : {});
  return result.resource;
}

/** Retires what the clinician removed, If-Match on the version they saw: a change since then is a conflict. */
async function retireRemoved<T extends Condition | ChargeItem>(fhir: FhirGateway, existing: T[], seenVersions: Record<string, string>, kept: Set<string | undefined>, retire: (r: T) => T): Promise<void> {
  for (const resource of existing) {
    if (kept.has(resource.id) || isRetired(resource)) continue;
    const version = seenVersions[resource.id ?? ''];
    await fhir.update(retire(resource), version ? { ifMatchVersion: version } : {});
  }
}

/**
 * Someone else added a diagnosis or charge since this copy was loaded: saving it as is would
 * drop theirs, so refuse with a conflict and let the panel merge (issue: no silent overwrites).
 */
function assertNothingUnseen(loaded: LoadedEncounter, seen: Seen): void {
  const liveConditions = loaded.conditions.filter((c) => !isRetired(c) && c.id && !(c.id in seen.conditions));
  const liveCharges = loaded.chargeItems.filter((c) => !isRetired(c) && c.id && !(c.id in seen.chargeItems));
  if (liveConditions.length + liveCharges.length > 0) {
    throw new AppError('FHIR_CONFLICT', 'Someone else changed this encounter’s coding since you opened it.', { status: 409, hint: 'Review the merged coding and save again.' });
  }
}

function isRetired(r: Condition | ChargeItem): boolean {
  return r.resourceType === 'ChargeItem' ? r.status === 'entered-in-error' : r.verificationStatus?.coding?.some((c) => c.code === 'entered-in-error') === true;
}

/** Compares what the clinician controls, ignoring server-managed meta. */
function sameContent(a: Resource, b: Resource): boolean {
  const strip = (r: Resource) => JSON.stringify({ ...r, meta: undefined });
  return strip(a) === strip(b);
}

function assertCodesExist(codes: CodeSet, coding: EncounterCoding): void {
  const unknown = [
    ...coding.diagnoses.filter((d) => !codes.lookup('icd10cm', d.code)).map((d) => d.code),
    ...coding.lines.filter((l) => !codes.lookup(l.system, l.code)).map((l) => l.code),
    ...coding.lines.flatMap((l) => l.modifiers).filter((m) => !codes.lookup('modifier', m)),
  ];
  if (unknown.length > 0) {
    throw new AppError('CODE_UNKNOWN', `Not saved: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a code' : 'are not codes'} in the code set.`, { status: 422, hint: 'Pick the code from the search results.' });
  }
}
