/**
 * The payers a payer connection can reach, by the payer id their Organization carries (the id a
 * clearinghouse lists the payer under, X12 837P loop 2010BB NM109). A Coverage whose payor has
 * none of them is not billed through that connection: the claim would go to the wrong insurer.
 */
import type { Organization } from 'fhir/r4';
import { SYSTEM } from '../fhir/systems.ts';

/** One payer id; without a system it matches that value in any identifier system. */
export interface PayerId {
  system?: string;
  value: string;
}

/** The sandbox payer (`Organization/org-payer`, "Sandbox Health Plan"): the default. */
export const SANDBOX_PAYER_IDS: readonly PayerId[] = [{ system: SYSTEM.payerId, value: 'SBXHP' }];

/** `system|value` or a bare `value`, as written in `CHARTBILL_PAYER_IDS`. */
export function formatPayerId(id: PayerId): string {
  return id.system ? `${id.system}|${id.value}` : id.value;
}

/**
 * Parses a comma-separated list of `system|value` or bare `value` entries; throws on an empty
 * entry so a typo is not silently a payer nobody has.
 */
export function parsePayerIds(text: string): PayerId[] {
  return text.split(',').map((entry) => {
    const trimmed = entry.trim();
    const bar = trimmed.lastIndexOf('|');
    const id: PayerId =
      bar >= 0
        ? { system: trimmed.slice(0, bar), value: trimmed.slice(bar + 1) }
        : { value: trimmed };
    if (!id.value || id.system === '')
      throw new Error(`'${trimmed}' is not a payer id (system|value or value)`);
    return id;
  });
}

/** The first of the organization's identifiers that is a known payer id, if any. */
export function knownPayerIdOf(
  organization: Organization,
  known: readonly PayerId[],
): PayerId | undefined {
  for (const identifier of organization.identifier ?? []) {
    const match = known.find(
      (k) =>
        k.value === identifier.value && (k.system === undefined || k.system === identifier.system),
    );
    if (match) return match;
  }
  return undefined;
}
