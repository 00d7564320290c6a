import type { Encounter, Identifier } from 'fhir/r4';
import { SYSTEM } from '../fhir/systems.ts';
import { idOfReference } from '../fhir/reference-id.ts';

/**
 * Which visit an eligibility check was made for, read back from its request's identifier
 * (`eligibilityIdentifierFor`, `appointmentEligibilityIdentifierFor`): an Encounter, or an
 * Appointment checked when it was booked (issue 15).
 */
export type EligibilityAskedFor = { encounterId: string } | { appointmentId: string };

export function eligibilityAskedFor(
  identifier: Identifier | undefined,
): EligibilityAskedFor | undefined {
  if (identifier?.system !== SYSTEM.eligibilityId || !identifier.value) return undefined;
  const [, kind, id] = /^(enc|appt)-(.+)$/.exec(identifier.value) ?? [];
  if (!id) return undefined;
  return kind === 'enc' ? { encounterId: id } : { appointmentId: id };
}

/** The appointments an encounter was booked as (`Encounter.appointment`), by id. */
export function bookedAsOf(encounter: Pick<Encounter, 'appointment'>): string[] {
  return (encounter.appointment ?? []).flatMap((r) => {
    const id = idOfReference(r.reference, 'Appointment');
    return id ? [id] : [];
  });
}

/** A visit as the link needs it: its encounter, the appointments it was booked as, its date. */
export interface EligibilityVisitKey {
  encounterId?: string;
  bookedAs: readonly string[];
  /** The visit's date of service; a booked check about another day does not stand for it. */
  dateOfService?: string;
}

/**
 * The one rule linking an eligibility check to a visit, used by the worker (reusing the answer
 * given at booking) and by the timelines (showing it): `own` when the check was made for the
 * encounter itself; `booked` when it was made for an appointment the encounter was booked as,
 * about the same date of service (a check saying no date is taken at its word); else none.
 */
export function eligibilityLink(
  check: { identifier: Identifier | undefined; servicedDate?: string | undefined },
  visit: EligibilityVisitKey,
): 'own' | 'booked' | undefined {
  const asked = eligibilityAskedFor(check.identifier);
  if (!asked) return undefined;
  if ('encounterId' in asked)
    return visit.encounterId !== undefined && asked.encounterId === visit.encounterId
      ? 'own'
      : undefined;
  if (!visit.bookedAs.includes(asked.appointmentId)) return undefined;
  const sameDay =
    !check.servicedDate || !visit.dateOfService || check.servicedDate === visit.dateOfService;
  return sameDay ? 'booked' : undefined;
}
