import type { Coverage } from 'fhir/r4';
import { SYSTEM } from '../../src/fhir/systems.ts';

/**
 * The payer's enrollment as the clearinghouse's payers know it: member id → Coverage (status,
 * period, cost sharing), per payer id. An 837P or a 270 names a member; the payer's own records
 * say whether the plan is in force and what the patient pays, as a real payer's would.
 */
export interface MemberLookup {
  find(payerId: string, memberId: string): Coverage | undefined;
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

/** A member lookup over Coverages (the sandbox's seeded ones), keyed by payer id and member id. */
export function membersFromCoverages(coverages: readonly Coverage[]): MemberLookup {
  const byKey = new Map<string, Coverage>();
  const names = new Map<string, string>();
  for (const coverage of coverages) {
    const payerId = payerIdOf(coverage);
    const memberId = coverage.subscriberId;
    if (!payerId || !memberId) continue;
    byKey.set(`${payerId}|${memberId.toUpperCase()}`, coverage);
    const display = coverage.payor[0]?.display;
    if (display && !names.has(payerId)) names.set(payerId, display);
  }
  return {
    find: (payerId, memberId) => byKey.get(`${payerId}|${memberId.trim().toUpperCase()}`),
    payerIds: () => [...names.keys()],
    payerName: (payerId) => names.get(payerId),
  };
}
