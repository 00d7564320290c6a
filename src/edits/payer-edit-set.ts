/**
 * Edit sets per payer type. Medicare's practitioner MUE table lists 0 units for services Medicare
 * does not pay at all (e.g. preventive visits 99381–99397: Medicare covers the annual wellness
 * visit G0438/G0439 instead, Social Security Act §1862(a)(7)); that is Medicare's coverage, not a
 * coding error, so a commercial or Medicaid claim is not held for it. NCCI PTP and non-zero MUE
 * limits stay on for every payer (Medicaid must use NCCI, §1903(r) of the Act; most commercial
 * plans adopt it). Which payer gets which set: `CHARTBILL_PAYER_EDIT_SETS`
 * (`MCR01=medicare,MCD=medicaid,SBXHP=commercial`), else the Coverage's type (Source of Payment
 * Typology 1 Medicare, 2 Medicaid; HL7 ActCode), else unknown. Browser-safe.
 */
import type { Coverage, Organization } from 'fhir/r4';
import type { PayerType } from '../coding/coding-model.ts';
import { SYSTEM } from '../fhir/systems.ts';

export interface PayerEditSets {
  /** Payer id → edit set. */
  byPayer: Readonly<Record<string, PayerType>>;
}

export interface EditSet {
  /** Medicare coverage limits (MUE 0, non-covered preventive visits): error, warning or off. */
  medicareCoverage: 'error' | 'warning' | 'off';
}

/** What each payer type gets; `unknown` warns where Medicare would refuse, never blocks. */
export const EDIT_SETS: Readonly<Record<PayerType | 'unknown', EditSet>> = {
  medicare: { medicareCoverage: 'error' },
  medicaid: { medicareCoverage: 'off' },
  commercial: { medicareCoverage: 'off' },
  unknown: { medicareCoverage: 'warning' },
};

export function editSetOf(payerType: PayerType | undefined): EditSet {
  return EDIT_SETS[payerType ?? 'unknown'];
}

const TYPES = new Set<PayerType>(['medicare', 'medicaid', 'commercial']);

/** Parses `payerA=medicare,payerB=commercial`; throws an Error naming the bad entry. */
export function payerEditSetsFromEnv(value: string | undefined): PayerEditSets {
  const byPayer: Record<string, PayerType> = {};
  for (const part of (value ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [id, type] = part.split('=').map((x) => x.trim());
    if (!id || !TYPES.has(type as PayerType))
      throw new Error(
        `payer edit set entry '${part}' must be payerId=medicare|medicaid|commercial`,
      );
    byPayer[id] = type as PayerType;
  }
  return { byPayer };
}

/** A Coverage.type coding, as read from FHIR. */
export interface TypeCoding {
  system?: string;
  code?: string;
}

const SOPT = 'https://nahdo.org/sopt';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/** The payer type a Coverage.type says, if it says one (SOPT 1x Medicare, 2x Medicaid, 5–6 private). */
function typeFromCoverage(codings: readonly TypeCoding[]): PayerType | undefined {
  for (const c of codings) {
    const code = c.code ?? '';
    if (c.system === SOPT) {
      if (code.startsWith('1')) return 'medicare';
      if (code.startsWith('2')) return 'medicaid';
      if (/^[56]/.test(code)) return 'commercial';
    }
    if (c.system === ACT_CODE && /^(HMO|PPO|POS|EHCPOL|HSAPOL)$/.test(code)) return 'commercial';
  }
  return undefined;
}

/** The payer's edit set: the setting for its id first, then its Coverage's type. */
export function payerTypeOf(
  sets: PayerEditSets | undefined,
  payerId: string | undefined,
  coverageType: readonly TypeCoding[] = [],
): PayerType | undefined {
  if (payerId && sets && Object.hasOwn(sets.byPayer, payerId)) return sets.byPayer[payerId];
  return typeFromCoverage(coverageType);
}

/** The payer facts of a visit (for the timely filing window and the edit set). */
export function payerFacts(
  sets: PayerEditSets | undefined,
  payerId: string | undefined,
  coverageType: readonly TypeCoding[] = [],
): { payerId?: string; payerType?: PayerType } {
  const payerType = payerTypeOf(sets, payerId, coverageType);
  return { ...(payerId ? { payerId } : {}), ...(payerType ? { payerType } : {}) };
}

/**
 * The payer's id for a visit: the Coverage payor's identifier, else the payer Organization's
 * payer-id identifier (when the caller could read it). The app and the worker both use this, so
 * both pick the same timely filing window and edit set.
 */
export function payerIdOfCoverage(
  coverage: Pick<Coverage, 'payor'> | undefined,
  payerOrg?: Pick<Organization, 'identifier'>,
): string | undefined {
  const payors = Array.isArray(coverage?.payor) ? coverage.payor : [];
  return (
    payors[0]?.identifier?.value ??
    payerOrg?.identifier?.find((i) => i.system === SYSTEM.payerId)?.value ??
    payerOrg?.identifier?.[0]?.value
  );
}
