import type { Encounter } from 'fhir/r4';
import { errorMessage } from '../../src/errors/error-message.ts';
import type { Logger } from '../../src/log/create-logger.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { PipelineServices } from './pipeline-types.ts';
import { coverageInactiveText, createTask } from './process-encounter.ts';
import { resolveTask } from './resolve-tasks.ts';
import { checkEligibility } from './stages/check-eligibility.ts';
import { searchFrom } from './stages/cursor-window.ts';
import { later } from './stages/find-work.ts';
import { loadEligibilityContext } from './stages/load-context.ts';

/** The cursor's name in the ledger: open visits (arrived, in-progress) changed since. */
export const OPEN_VISIT_CURSOR = 'open-visits';

/** The Encounter statuses of a visit under way (FHIR R4 encounter-status). */
const OPEN = 'arrived,in-progress';

/** With no cursor yet, open visits changed in the last day are looked at. */
const FIRST_LOOK_MS = 86_400_000;

/** Patients with a changed Coverage whose open visits are looked up in one tick, at most. */
const CHANGED_PATIENTS_PER_TICK = 50;

export type EarlyDeps = Omit<PipelineServices, 'log'> & { ledger: Ledger; log: Logger };

/** What one pass over the open visits did, for the tick's log. */
export interface EarlySummary {
  /** Open visits looked at (changed since the cursor, or their patient's Coverage changed). */
  visits: number;
  /** Of them, the payer said the coverage is not in force (a work item says so). */
  inactive: number;
}

/**
 * Eligibility for visits under way (issue 15): Encounters `arrived` or `in-progress` changed
 * since the cursor (one `_lastUpdated` search a tick, nothing more when nothing changed), and
 * those of patients whose Coverage changed since the last tick. Each is checked as its finished
 * pass would check it (the same request, the same payer routing, FHIR or X12 270/271), so the
 * answer is there before the visit ends and the finished visit reuses it. A plan not in force
 * raises the coverage-inactive work item the finished visit would raise (the same Task, never a
 * second one), so the front desk can fix the insurance while the patient is there; a changed
 * Coverage found in force closes it. A visit that cannot be checked is logged and left to its
 * finished pass: an early check never holds up the tick.
 */
export async function checkVisitsEarly(
  deps: EarlyDeps,
  changedPatients: readonly (readonly [patient: string, changedAt: string])[],
): Promise<EarlySummary> {
  const now = deps.now();
  const since = await deps.ledger.getCursor(OPEN_VISIT_CURSOR);
  const from = since
    ? searchFrom(since, now)
    : new Date(now.getTime() - FIRST_LOOK_MS).toISOString();
  const visits = new Map<string, { encounter: Encounter & { id: string }; changed: boolean }>();
  let cursor = since;
  const params = {
    status: OPEN,
    _lastUpdated: `ge${from}`,
    _sort: '_lastUpdated',
    _count: 100,
  };
  for (const encounter of await openEncounters(deps, params)) {
    cursor = later(cursor, encounter.meta?.lastUpdated);
    if (firstLook(deps, encounter)) visits.set(encounter.id, { encounter, changed: false });
  }
  // Each Coverage change once (the Coverage cursor's overlap finds it again): one search for
  // the open visits of all the patients whose Coverage changed.
  const changed = changedPatients
    .filter(([patient, at]) => deps.eligibility?.firstLook(`${patient}|coverage@${at}`) ?? true)
    .slice(0, CHANGED_PATIENTS_PER_TICK)
    .map(([patient]) => patient);
  if (changed.length > 0)
    for (const encounter of await openEncounters(deps, {
      subject: changed.join(','),
      status: OPEN,
    }))
      visits.set(encounter.id, { encounter, changed: true });
  const summary: EarlySummary = { visits: visits.size, inactive: 0 };
  for (const { encounter, changed } of visits.values()) {
    if (await checkVisit(encounter, changed, deps)) continue;
    summary.inactive += 1;
  }
  if (cursor && cursor !== since) await deps.ledger.setCursor(OPEN_VISIT_CURSOR, cursor);
  if (summary.visits > 0) deps.log.info({ ...summary }, 'eligibility checked for open visits');
  return summary;
}

/** False when the payer said the plan is not in force (work item raised). */
async function checkVisit(
  encounter: Encounter & { id: string },
  coverageChanged: boolean,
  deps: EarlyDeps,
): Promise<boolean> {
  const log = deps.log.child({ encounter: `Encounter/${encounter.id}` });
  try {
    const ctx = await loadEligibilityContext(deps.clinical, encounter, deps.practiceTimeZone);
    // No Coverage or no billing organization: nothing to ask; the finished pass says what to fix.
    if (!ctx.coverage || !ctx.billingProvider) return true;
    const eligibility = await checkEligibility(ctx, deps, 'early');
    if (!eligibility.inforce) {
      await createTask(
        deps,
        encounter.id,
        `Patient/${ctx.patient.id ?? ''}`,
        'coverage-inactive',
        coverageInactiveText(eligibility.reason),
      );
      log.info({ eligibilityResponse: eligibility.response }, 'open visit: coverage not in force');
      return false;
    }
    if (coverageChanged)
      await resolveTask(deps.billing, encounter.id, 'coverage-inactive', deps.now());
    return true;
  } catch (err) {
    log.warn({ err: errorMessage(err) }, 'open visit not checked early; its finished pass will');
    return true;
  }
}

/** False for a visit version this worker already looked at (without a cache: always true). */
export function firstLook(
  deps: EarlyDeps,
  visit: { resourceType: string; id: string; meta?: { versionId?: string; lastUpdated?: string } },
): boolean {
  const version = visit.meta?.versionId ?? visit.meta?.lastUpdated ?? '';
  return deps.eligibility?.firstLook(`${visit.resourceType}/${visit.id}|${version}`) ?? true;
}

async function openEncounters(
  deps: EarlyDeps,
  params: Record<string, string | number>,
): Promise<(Encounter & { id: string })[]> {
  const found = await deps.clinical.searchAll('Encounter', params);
  return found.filter(
    (r): r is Encounter & { id: string } =>
      r.resourceType === 'Encounter' && typeof r.id === 'string' && r.id.length > 0,
  );
}
