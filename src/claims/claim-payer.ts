/**
 * The insurer a claim goes to must be one the payer connection knows: the Coverage's `payor` an
 * Organization that exists and carries a known payer id (`src/payer/payer-ids.ts`). A person as
 * payor (self-pay, or a guarantor) is billed to the patient, not sent to a payer; the billing
 * organization is not its own insurer; a payor given only as text names no one the payer
 * connection can reach. Pure.
 */
import type { Coverage, Organization } from 'fhir/r4';
import { formatPayerId, knownPayerIdOf, type PayerId } from '../payer/payer-ids.ts';
import { clip } from './billing-codings.ts';
import type { ClaimProblem } from './claim-belongs.ts';

export interface PayerSources {
  coverage: Coverage;
  /** The Organization `coverage.payor[0]` refers to, as read (undefined when it does not exist). */
  payerOrg: Organization | undefined;
  billingProvider: Organization | undefined;
  knownPayers: readonly PayerId[];
}

/** The problem with the coverage's payer, or undefined when it is a known payer. */
export function payerProblem(sources: PayerSources): ClaimProblem | undefined {
  const { coverage, payerOrg, billingProvider, knownPayers } = sources;
  const what = `Coverage/${coverage.id ?? '?'}`;
  const payor = coverage.payor[0];
  const expression = 'Coverage.payor';
  if (!payor?.reference) {
    const named = payor?.display ? ` ("${clip(payor.display)}")` : '';
    return {
      expression,
      message: `${what} names its payer only as text${named}, not as an Organization with a payer id, so ChartBill cannot tell which insurer to bill`,
    };
  }
  const reference = clip(payor.reference);
  if (!/(?:^|\/)Organization\/[^/]+(?:\/_history\/[^/]+)?$/.test(payor.reference)) {
    return {
      expression,
      message: `${what} has ${reference} as its payer; only an insurer (an Organization) is billed, a person pays through patient billing`,
    };
  }
  if (!payerOrg)
    return {
      expression,
      message: `${what} has ${reference} as its payer, and that Organization does not exist`,
    };
  const org = `Organization/${payerOrg.id ?? '?'}`;
  if (billingProvider && isSameOrganization(payerOrg, billingProvider)) {
    return {
      expression,
      message: `${what} has the billing organization itself (${org}) as its payer; a practice does not bill itself`,
    };
  }
  if (knownPayerIdOf(payerOrg, knownPayers)) return undefined;
  const found =
    (payerOrg.identifier ?? [])
      .slice(0, 5)
      .map((i) => clip(`${i.system ?? '(no system)'}|${i.value ?? ''}`))
      .join(', ') || 'none';
  return {
    expression,
    message: `${what} has ${org} as its payer, which carries no payer id this payer connection knows (identifiers found: ${found}; known: ${knownPayers.map(formatPayerId).join(', ') || 'none'}); an admin adds it to CHARTBILL_PAYER_IDS if the connection reaches that payer`,
  };
}

/** The same Organization by id, or sharing an identifier (an NPI, a tax id) with it. */
function isSameOrganization(a: Organization, b: Organization): boolean {
  if (a.id && a.id === b.id) return true;
  const keys = new Set(
    (b.identifier ?? [])
      .filter((i) => i.system && i.value)
      .map((i) => `${i.system ?? ''}|${i.value ?? ''}`),
  );
  return (a.identifier ?? []).some(
    (i) => i.system && i.value && keys.has(`${i.system}|${i.value}`),
  );
}
