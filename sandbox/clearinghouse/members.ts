import type { Coverage, Patient } from 'fhir/r4';
import { SYSTEM } from '../../src/fhir/systems.ts';

/** How a 270's 2100D names a dependent: no id of their own, a name and a date of birth. */
export interface DependentName {
  last: string;
  first: string;
  /** YYYYMMDD (DMG02), when the inquiry sent it. */
  birthDate?: string;
}

/**
 * The payer's enrollment as the clearinghouse's payers know it: member id → Coverage (status,
 * period, cost sharing), per payer id. An 837P or a 270 names a member; the payer's own records
 * say whether the plan is in force and what the patient pays, as a real payer's would.
 */
export interface MemberLookup {
  /** The subscriber's own Coverage under a member id (a dependent's when the payer has no other). */
  find(payerId: string, memberId: string): Coverage | undefined;
  /**
   * A dependent enrolled under a subscriber's member id (Coverage.relationship other than self),
   * found by name and date of birth as a payer matches 270 loop 2100D.
   */
  findDependent(payerId: string, memberId: string, who: DependentName): Coverage | undefined;
  /** The payer ids the clearinghouse reaches (its payer list). */
  payerIds(): string[];
  /** The payer's name, as its Coverage.payor names it. */
  payerName(payerId: string): string | undefined;
}

/** The payer id a Coverage's first payor names. */
export function payerIdOf(coverage: Coverage): string | undefined {
  const payor = coverage.payor[0];
  return payor?.identifier?.system === SYSTEM.payerId ? payor.identifier.value : undefined;
}

function isSelf(coverage: Coverage): boolean {
  const code = coverage.relationship?.coding?.find(
    (c) => c.system === SYSTEM.subscriberRelationship,
  )?.code;
  return code === undefined || code === 'self';
}

const upper = (v: string | undefined) => (v ?? '').trim().toUpperCase();

/**
 * A member lookup over Coverages (the sandbox's seeded ones), keyed by payer id and member id;
 * the Patients they cover let a dependent be found by name and date of birth.
 */
export function membersFromCoverages(
  coverages: readonly Coverage[],
  patients: readonly Patient[] = [],
): MemberLookup {
  const byKey = new Map<string, Coverage[]>();
  const names = new Map<string, string>();
  for (const coverage of coverages) {
    const payerId = payerIdOf(coverage);
    const memberId = coverage.subscriberId;
    if (!payerId || !memberId) continue;
    const key = `${payerId}|${upper(memberId)}`;
    byKey.set(key, [...(byKey.get(key) ?? []), coverage]);
    const display = coverage.payor[0]?.display;
    if (display && !names.has(payerId)) names.set(payerId, display);
  }
  const under = (payerId: string, memberId: string) =>
    byKey.get(`${payerId}|${upper(memberId)}`) ?? [];
  const patientOf = (coverage: Coverage) =>
    patients.find((p) => coverage.beneficiary.reference === `Patient/${p.id ?? ''}`);
  return {
    find: (payerId, memberId) => {
      const all = under(payerId, memberId);
      return all.find(isSelf) ?? all[0];
    },
    findDependent: (payerId, memberId, who) =>
      under(payerId, memberId).find((coverage) => {
        if (isSelf(coverage)) return false;
        const patient = patientOf(coverage);
        const name = patient?.name?.find((n) => n.use === 'official') ?? patient?.name?.[0];
        return (
          upper(name?.family) === upper(who.last) &&
          upper(name?.given?.[0]) === upper(who.first) &&
          (!who.birthDate || patient?.birthDate?.replace(/-/g, '') === who.birthDate)
        );
      }),
    payerIds: () => [...names.keys()],
    payerName: (payerId) => names.get(payerId),
  };
}
