import type { Encounter } from 'fhir/r4';
import type { FhirGateway } from '../../../src/fhir/fhir-gateway.ts';
import type { Logger } from '../../../src/log/create-logger.ts';
import { isFinal, type Ledger, type LedgerItem } from '../../ledger/ledger.ts';
import { findChanges } from './find-changes.ts';
import { searchFrom } from './cursor-window.ts';

/** The cursor's name in the ledger. */
export const ENCOUNTER_CURSOR = 'finished-encounters';

export type EncounterWithId = Encounter & { id: string };

export interface FoundWork {
  /**
   * Encounters changed since the cursor that are due, by id only: a backlog of thousands is
   * found without holding its resources, which are fetched a chunk at a time when processed.
   */
  encounters: { id: string; previous: LedgerItem | undefined; lastUpdated: string | undefined }[];
  /** Ledger items due for a retry or recheck that the search did not bring back. */
  due: LedgerItem[];
  /** Found but not due (final, or waiting for their next attempt). */
  skipped: number;
  /** The latest `meta.lastUpdated` seen: the next cursor. */
  cursor: string | undefined;
  /** Cursors of the other watched types (Coverage, ChargeItem, Condition) to move after the tick. */
  otherCursors: [name: string, value: string][];
  /** Patients whose Coverage changed since the last tick (their open visits are checked again). */
  changedPatients: [patient: string, changedAt: string][];
}

/**
 * Finished encounters changed since the cursor (`_lastUpdated=ge`, sorted, every page), minus
 * those the ledger says are done or not yet due; plus the ledger's due retries and rechecks.
 */
export async function findWork(
  stores: { clinical: FhirGateway; billing: FhirGateway },
  ledger: Ledger,
  now: Date,
  log: Logger,
): Promise<FoundWork> {
  const { clinical } = stores;
  const since = await ledger.getCursor(ENCOUNTER_CURSOR);
  const params: Record<string, string | number> = {
    status: 'finished',
    _sort: '_lastUpdated',
    _count: 100,
  };
  if (since) params._lastUpdated = `ge${searchFrom(since, now)}`;
  const changes = await findChanges(stores, ledger, now);
  const forced = new Set(changes.items.map((i) => i.encounter));
  const work: FoundWork = {
    encounters: [],
    due: [],
    skipped: 0,
    cursor: since,
    otherCursors: changes.cursors,
    changedPatients: changes.patients,
  };
  const seen = new Set<string>();
  for await (const page of clinical.searchPages('Encounter', params)) {
    for (const entry of page.entry ?? []) {
      if (entry.resource?.resourceType !== 'Encounter' || entry.search?.mode === 'include')
        continue;
      const encounter = usable(entry.resource as Encounter, log);
      if (!encounter || seen.has(encounter.id)) continue;
      seen.add(encounter.id);
      work.cursor = later(work.cursor, encounter.meta?.lastUpdated);
      const previous = await ledger.getItem(`Encounter/${encounter.id}`);
      if (forced.has(`Encounter/${encounter.id}`) || isDue(previous, versionOf(encounter), now))
        work.encounters.push({
          id: encounter.id,
          previous,
          lastUpdated: encounter.meta?.lastUpdated,
        });
      else work.skipped += 1;
    }
  }
  const dueItems = [...(await ledger.listItems({ dueBy: now.toISOString() })), ...changes.items];
  const queued = new Set<string>();
  work.due = dueItems.filter((item) => {
    if (seen.has(item.encounter.replace(/^Encounter\//, '')) || queued.has(item.encounter))
      return false;
    queued.add(item.encounter);
    return true;
  });
  return work;
}

/** The Encounter's version as the ledger records it. */
export function versionOf(encounter: Encounter): string | undefined {
  return encounter.meta?.versionId ?? encounter.meta?.lastUpdated;
}

/** Due when never seen, changed since last handled, or its next attempt has come; never when final. */
export function isDue(
  previous: LedgerItem | undefined,
  version: string | undefined,
  now: Date,
): boolean {
  if (!previous) return true;
  if (isFinal(previous)) return false;
  if (version !== undefined && previous.encounterVersion !== version) return true;
  return (
    previous.nextAttemptAt === undefined || Date.parse(previous.nextAttemptAt) <= now.getTime()
  );
}

/**
 * An Encounter with an id is work: whatever else is wrong with it is the pipeline's to check
 * and quarantine with a Task, so no finished encounter disappears silently.
 */
function usable(resource: Encounter, log: Logger): EncounterWithId | undefined {
  if (typeof resource.id === 'string' && resource.id.length > 0)
    return { ...resource, id: resource.id };
  log.warn('Encounter without an id in search results; skipped');
  return undefined;
}

/** The later of two instants (either may be absent). */
export function later(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}
