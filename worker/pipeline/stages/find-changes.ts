import type { FhirGateway } from '../../../src/fhir/fhir-gateway.ts';
import { SYSTEM } from '../../../src/fhir/systems.ts';
import type { Ledger, LedgerItem } from '../../ledger/ledger.ts';
import { isReopenable } from '../../ledger/item-states.ts';
import { searchFrom } from './cursor-window.ts';
import { idOfReference } from '../../../src/fhir/reference-id.ts';

/** Held reasons a changed Coverage can fix. */
const COVERAGE_REASONS = new Set(['no-coverage', 'coverage-inactive', 'data-invalid']);

/** What changed besides Encounters, as ledger items to look at now, and the cursors to move. */
export interface FoundChanges {
  /** Items made due by a change: held for coverage and the patient's Coverage changed; coding changed after a hold or a denial. */
  items: LedgerItem[];
  cursors: [name: string, value: string][];
  /**
   * `Patient/123` of every Coverage changed after the cursor (not the overlap re-read before
   * it), with the latest change's `lastUpdated`: their open visits are checked again.
   */
  patients: [patient: string, changedAt: string][];
}

const WATCHED = [
  {
    type: 'Coverage',
    store: 'clinical',
    cursor: 'changed-coverages',
    ref: (r: Record<string, unknown>) => refAt(r, 'beneficiary'),
  },
  {
    type: 'ChargeItem',
    store: 'clinical',
    cursor: 'changed-charge-items',
    ref: (r: Record<string, unknown>) => refAt(r, 'context'),
  },
  {
    type: 'Condition',
    store: 'clinical',
    cursor: 'changed-conditions',
    ref: (r: Record<string, unknown>) => refAt(r, 'encounter'),
  },
  // A draft claim billing staff edited: the held encounter is scrubbed again as they left it.
  // Only drafts: the claims the worker submits itself would otherwise all be read back.
  {
    type: 'Claim',
    store: 'billing',
    cursor: 'changed-claims',
    ref: encounterOfClaim,
    only: { status: 'draft' },
  },
] as const;

/**
 * Coverages, ChargeItems, Conditions (clinical store) and Claims (billing store) changed since
 * their cursors: a coverage fixed by billing staff releases the patient's held claims; coding
 * corrected after a scrub hold or a denial makes the encounter due (after a denial, for a
 * replacement claim); a held draft claim edited by billing staff makes its encounter due. One
 * search per type per tick.
 */
export async function findChanges(
  stores: { clinical: FhirGateway; billing: FhirGateway },
  ledger: Ledger,
  now: Date,
): Promise<FoundChanges> {
  // Each changed reference with its latest change: an item is due only if changed after it was handled.
  const patients = new Map<string, string>();
  const encounters = new Map<string, string>();
  const claimEncounters = new Map<string, string>();
  const changedBy = {
    Coverage: patients,
    ChargeItem: encounters,
    Condition: encounters,
    Claim: claimEncounters,
  };
  const newCoverage = new Map<string, string>();
  const cursors: [string, string][] = [];
  for (const watched of WATCHED) {
    const since = await ledger.getCursor(watched.cursor);
    // The first tick has nothing held or denied for a change to release: it only starts the cursor.
    if (!since) {
      cursors.push([watched.cursor, now.toISOString()]);
      continue;
    }
    let latest = since;
    const params = {
      _lastUpdated: `ge${searchFrom(since, now)}`,
      _count: 100,
      ...('only' in watched ? watched.only : {}),
    };
    for await (const page of stores[watched.store].searchPages(watched.type, params)) {
      for (const entry of page.entry ?? []) {
        const resource = entry.resource as Record<string, unknown> | undefined;
        if (resource?.resourceType !== watched.type) continue;
        const ref = watched.ref(resource);
        const updated = (resource.meta as { lastUpdated?: string } | undefined)?.lastUpdated;
        if (ref && updated) noteLatest(changedBy[watched.type], ref, updated);
        // Past the cursor, not the overlap's re-read: a Coverage change reported once for open visits.
        if (
          watched.type === 'Coverage' &&
          ref &&
          updated &&
          Date.parse(updated) > Date.parse(since)
        )
          noteLatest(newCoverage, ref, updated);
        if (updated && Date.parse(updated) > Date.parse(latest)) latest = updated;
      }
    }
    cursors.push([watched.cursor, latest]);
  }
  const items: LedgerItem[] = [];
  if (patients.size > 0) {
    const held = await ledger.listItems({ patients: [...patients.keys()], stages: ['held'] });
    items.push(
      ...held.filter(
        (i) =>
          i.reason !== undefined &&
          COVERAGE_REASONS.has(i.reason) &&
          changedAfter(patients.get(i.patient ?? ''), i),
      ),
    );
  }
  if (encounters.size > 0) {
    const touched = await ledger.listItems({ encounters: [...encounters.keys()] });
    items.push(
      ...touched.filter((i) => codingMatters(i) && changedAfter(encounters.get(i.encounter), i)),
    );
  }
  if (claimEncounters.size > 0) {
    const held = await ledger.listItems({
      encounters: [...claimEncounters.keys()],
      stages: ['held'],
    });
    items.push(...held.filter((i) => changedAfter(claimEncounters.get(i.encounter), i)));
  }
  return { items: unique(items), cursors, patients: [...newCoverage.entries()] };
}

/** `Encounter/123` of a claim: from its line's encounter, else from ChartBill's claim identifier. */
function encounterOfClaim(resource: Record<string, unknown>): string | undefined {
  const items = resource.item as { encounter?: { reference?: string }[] }[] | undefined;
  const identifiers = resource.identifier as { system?: unknown; value?: unknown }[] | undefined;
  const ours = identifiers?.find((i) => i.system === SYSTEM.claimId)?.value;
  const id =
    idOfReference(items?.[0]?.encounter?.[0]?.reference, 'Encounter') ??
    (typeof ours === 'string' ? /^enc-(.+?)(?:-r\d+)?$/.exec(ours)?.[1] : undefined);
  return id ? `Encounter/${id}` : undefined;
}

/** Coding changes matter to held, not-coded and denied items; a paid claim is left alone. */
function codingMatters(item: LedgerItem): boolean {
  if (item.stage === 'held' || item.stage === 'not-coded') return true;
  return isReopenable(item);
}

function noteLatest(map: Map<string, string>, ref: string, updated: string): void {
  const known = map.get(ref);
  if (!known || Date.parse(updated) > Date.parse(known)) map.set(ref, updated);
}

/** Changed after the worker last handled the item (server and worker clocks are assumed close; the regular recheck covers skew). */
function changedAfter(changed: string | undefined, item: LedgerItem): boolean {
  return changed !== undefined && Date.parse(changed) > Date.parse(item.updatedAt);
}

function refAt(resource: Record<string, unknown>, field: string): string | undefined {
  const value = resource[field] as { reference?: unknown } | undefined;
  return typeof value?.reference === 'string' ? value.reference : undefined;
}

function unique(items: LedgerItem[]): LedgerItem[] {
  return [...new Map(items.map((i) => [i.encounter, i])).values()];
}
