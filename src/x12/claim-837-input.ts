import type {
  Claim,
  Coverage,
  Location,
  Organization,
  Patient,
  Practitioner,
  RelatedPerson,
} from 'fhir/r4';
import { idOfReference } from '../fhir/reference-id.ts';
import { EXT } from '../fhir/systems.ts';
import { SYSTEM } from '../fhir/systems.ts';
import { NUCC_SYSTEM } from './fhir-facts.ts';
import { X12_SYSTEM } from './x12-systems.ts';

/** A FHIR Claim and the resources it references, as read from the FHIR server. */
export interface Claim837Input {
  claim: Claim;
  patient: Patient;
  coverage: Coverage;
  /** Claim.provider: the billing provider (loop 2010AA). */
  billingProvider: Organization;
  /** Coverage.payor: the payer's Organization (name and payer id), when it is one. */
  payer?: Organization;
  /** The Practitioners of Claim.careTeam (the rendering provider, loop 2310B). */
  practitioners?: readonly Practitioner[];
  /** Claim.facility: the service facility (loop 2310C) when not the billing address. */
  location?: Location;
  /** Coverage.subscriber when the patient is a dependent (loop 2010BA). */
  subscriber?: Patient | RelatedPerson;
}

/** The rendering Practitioner of the claim's care team (role primary, or responsible). */
export function renderingOf(input: Claim837Input): Practitioner | undefined {
  const member =
    input.claim.careTeam?.find((c) => c.role?.coding?.some((r) => r.code === 'primary')) ??
    input.claim.careTeam?.find((c) => c.responsible) ??
    input.claim.careTeam?.[0];
  const id = idOfReference(member?.provider.reference, 'Practitioner');
  return input.practitioners?.find((p) => p.id === id);
}

/** A Practitioner's NUCC taxonomy, when its qualification names one. */
export function taxonomyOf(practitioner: Practitioner): string | undefined {
  return practitioner.qualification
    ?.flatMap((q) => q.code.coding ?? [])
    .find((c) => c.system === NUCC_SYSTEM)?.code;
}

/** CLM05-3 from the claim-frequency extension: 1 original (default), 7 replacement, 8 void. */
export function frequencyOf(claim: Claim): string {
  const code = claim.extension?.find((e) => e.url === EXT.claimFrequency)?.valueCoding?.code;
  return code ?? '1';
}

/** The referring Practitioner of the claim's care team (role `referring`, loop 2310A). */
export function referringOf(input: Claim837Input): Practitioner | undefined {
  const member = input.claim.careTeam?.find((c) =>
    c.role?.coding?.some((r) => r.code === 'referring'),
  );
  const id = idOfReference(member?.provider.reference, 'Practitioner');
  return id ? input.practitioners?.find((p) => p.id === id) : undefined;
}

/** The billing provider's NUCC taxonomy (PRV*BI): an Organization.type coding in the NUCC system. */
export function organizationTaxonomyOf(org: Organization): string | undefined {
  return org.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === NUCC_SYSTEM)?.code;
}

/** Coverage.type codes of HL7 v3 ActCode (insurance policy) and the SBR09 code each means. */
const FILING_BY_ACT_CODE: Readonly<Record<string, string>> = {
  HMO: 'HM',
  PPO: '12',
  POS: '13',
  WCBPOL: 'WC',
  AUTOPOL: 'AM',
};

/**
 * SBR09 as the Coverage says it: a Coverage.type coding in the X12 claim filing indicator code
 * system, else an HL7 v3 ActCode policy type ChartBill maps (HMO → HM, PPO → 12, POS → 13,
 * WCBPOL → WC, AUTOPOL → AM). Undefined when the Coverage says neither.
 */
export function coverageFilingIndicatorOf(coverage: Coverage): string | undefined {
  const codings = coverage.type?.coding ?? [];
  const x12 = codings.find((c) => c.system === X12_SYSTEM.claimFilingIndicator)?.code;
  if (x12) return x12;
  const act = codings.find((c) => c.system === SYSTEM.actCode)?.code;
  return act ? FILING_BY_ACT_CODE[act] : undefined;
}
