import type { Appointment, Location } from 'fhir/r4';
import { practiceDateOf, DEFAULT_PRACTICE_TIME_ZONE } from '../../src/claims/practice-date.ts';
import { errorMessage } from '../../src/errors/error-message.ts';
import type { SearchParams } from '../../src/fhir/fhir-gateway.ts';
import { idOfReference } from '../../src/fhir/reference-id.ts';
import { supports, type ServerCapabilities } from '../../src/fhir/server-capabilities.ts';
import { firstLook, type EarlyDeps } from './check-visits-early.ts';
import { checkVisitEligibility } from './stages/check-eligibility.ts';
import { searchFrom } from './stages/cursor-window.ts';
import { later } from './stages/find-work.ts';
import { loadEligibilityParties } from './stages/load-context.ts';

/** Ledger cursors: booked appointments changed since, and how far ahead they were swept. */
export const BOOKED_CURSOR = 'booked-appointments';
export const HORIZON_CURSOR = 'appointment-horizon';

/** The horizon is swept for appointments that came into it at most this often. */
const SWEEP_EVERY_MS = 3_600_000;

type AppointmentWithId = Appointment & { id: string };

/**
 * Eligibility ahead of booked visits (issue 15): Appointments `booked` to start within
 * `eligibilityAheadMs` are checked once each, through the same payer routing as a claim (FHIR,
 * or an X12 270/271 through the clearinghouse), so the answer is there when the patient arrives
 * and the visit's Encounter (its `appointment`) reuses it. Found by one `_lastUpdated` search a
 * tick (booked or changed since the cursor), and, at most hourly, one search for appointments
 * the moving horizon has reached. A server whose CapabilityStatement has no Appointment search
 * is not asked (said once in the log by the runtime). An appointment that cannot be checked
 * (no patient, no Location naming the billing organization) is logged and left to its arrival.
 */
export async function checkBookedEarly(
  deps: EarlyDeps,
  capabilities: ServerCapabilities | undefined,
): Promise<number> {
  const aheadMs = deps.eligibilityAheadMs ?? 0;
  if (aheadMs <= 0 || !capabilities || !supports(capabilities, 'Appointment', 'search-type'))
    return 0;
  const appointments = await bookedAppointments(deps, aheadMs);
  for (const appointment of appointments) await checkAppointment(appointment, deps);
  if (appointments.length > 0)
    deps.log.info({ appointments: appointments.length }, 'eligibility checked ahead of visits');
  return appointments.length;
}

async function bookedAppointments(deps: EarlyDeps, aheadMs: number): Promise<AppointmentWithId[]> {
  const now = deps.now();
  const horizon = new Date(now.getTime() + aheadMs).toISOString();
  const since = await deps.ledger.getCursor(BOOKED_CURSOR);
  const swept = await deps.ledger.getCursor(HORIZON_CURSOR);
  const found = new Map<string, AppointmentWithId>();
  let cursor = since;
  const collect = async (params: SearchParams) => {
    const page = await deps.clinical.searchAll('Appointment', { status: 'booked', ...params });
    for (const r of page) {
      if (r.resourceType !== 'Appointment' || !r.id) continue;
      cursor = later(cursor, r.meta?.lastUpdated);
      const appointment = { ...r, id: r.id };
      if (firstLook(deps, appointment)) found.set(r.id, appointment);
    }
  };
  const fromNow = `ge${now.toISOString()}`;
  if (since)
    await collect({
      date: [fromNow, `le${horizon}`],
      _lastUpdated: `ge${searchFrom(since, now)}`,
      _count: 100,
    });
  const sweep = !swept || Date.parse(horizon) - Date.parse(swept) >= SWEEP_EVERY_MS;
  if (sweep) {
    const from = swept && Date.parse(swept) > now.getTime() ? `ge${swept}` : fromNow;
    await collect({ date: [from, `le${horizon}`], _count: 100 });
    await deps.ledger.setCursor(HORIZON_CURSOR, horizon);
  }
  await deps.ledger.setCursor(BOOKED_CURSOR, cursor ?? now.toISOString());
  return [...found.values()];
}

async function checkAppointment(appointment: AppointmentWithId, deps: EarlyDeps): Promise<void> {
  const log = deps.log.child({ appointment: `Appointment/${appointment.id}` });
  try {
    const patientId = actorId(appointment, 'Patient');
    const organizationId = await billingOrganizationOf(appointment, deps);
    if (!patientId || !organizationId || !appointment.start) {
      log.info({}, 'booked visit names no patient, start or billing location; checked on arrival');
      return;
    }
    const dateOfService = practiceDateOf(
      appointment.start,
      deps.practiceTimeZone ?? DEFAULT_PRACTICE_TIME_ZONE,
    );
    const parties = await loadEligibilityParties(deps.clinical, {
      patientId,
      organizationId,
      dateOfService,
    });
    if (!parties.coverage || !parties.billingProvider) return;
    const eligibility = await checkVisitEligibility(
      { ...parties, visit: { booked: appointment }, dateOfService },
      deps,
      'early',
    );
    // The work item is raised when the patient arrives (the Encounter's check reuses this
    // answer): one work item per visit, about the Encounter billing staff will see.
    if (!eligibility.inforce)
      log.info(
        { eligibilityResponse: eligibility.response },
        'booked visit: coverage not in force',
      );
  } catch (err) {
    log.warn({ err: errorMessage(err) }, 'booked visit not checked ahead; checked on arrival');
  }
}

function actorId(appointment: Appointment, type: string): string | undefined {
  for (const p of appointment.participant) {
    const id = idOfReference(p.actor?.reference, type);
    if (id) return id;
  }
  return undefined;
}

/** The billing organization of a booked visit: its Location's managing organization. */
async function billingOrganizationOf(
  appointment: Appointment,
  deps: EarlyDeps,
): Promise<string | undefined> {
  const locationId = actorId(appointment, 'Location');
  if (!locationId) return undefined;
  const location = await deps.clinical.read<Location>('Location', locationId);
  return idOfReference(location.managingOrganization?.reference, 'Organization');
}
