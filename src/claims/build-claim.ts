import type {
  Claim,
  ClaimDiagnosis,
  ClaimItem,
  CodeableConcept,
  Coverage,
  Encounter,
  Identifier,
  Location,
  Organization,
  Patient,
  Practitioner,
  Reference,
} from 'fhir/r4';
import { modifierSystemOf } from '../coding/coding-fhir.ts';
import {
  CLAIM_LIMITS,
  type DiagnosisEntry,
  type EncounterCoding,
  type ServiceLine,
} from '../coding/coding-model.ts';
import { DEFAULT_PLACE_OF_SERVICE } from '../edits/place-of-service.ts';
import { AppError } from '../errors/app-error.ts';
import { EXT, SYSTEM, SYSTEM_CLAIM_FREQUENCY } from '../fhir/systems.ts';
import { chargeFor } from '../pricing/charge-master.ts';
import { drugDetail, type DrugLine } from './drug-line.ts';
import { encounterPlaceOfService } from './encounter-place-of-service.ts';
import { roundCents, type FeeSchedule } from './fee-schedule.ts';
import { withPatientControlNumber } from './patient-control-number.ts';
import { DEFAULT_PRACTICE_TIME_ZONE, practiceDateOf } from './practice-date.ts';

/** What a professional claim is assembled from; all of it read from the clinical store. */
export interface BuildClaimInput {
  encounter: Encounter;
  patient: Patient;
  coverage: Coverage;
  /** The encounter's diagnoses and billable lines, e.g. from `codingFromFhir`. */
  coding: EncounterCoding;
  /** The billing provider (837P loop 2010AA): an Organization with an NPI. */
  billingProvider: Organization;
  /** The rendering provider (837P loop 2310B), when known. */
  practitioner?: Practitioner;
  /** The referring provider (837P loop 2310A, Encounter.participant type REF), when known. */
  referring?: Practitioner;
  /** Where the visit took place (Encounter.location): place of service, service facility. */
  location?: Location;
  /**
   * The place-of-service code for an encounter whose class and location say nothing more
   * (see `encounterPlaceOfService`); `11` (office) by default.
   */
  placeOfService?: string;
  /** The practice's IANA time zone (CHARTBILL_PRACTICE_TIME_ZONE): the date of service is local. */
  timeZone?: string;
  /** The payer's prior authorization numbers for this visit (837P REF*G1). */
  priorAuthorizations?: readonly string[];
  /** The drug (NDC and amount) of each line that has one, by ChargeItem id (837P loop 2410). */
  drugs?: ReadonlyMap<string, DrugLine>;
  /** The practice's charge master: billed amount per unit. */
  feeSchedule: FeeSchedule;
  /** `draft` while the scrubber still finds errors, `active` when ready to submit. */
  status?: 'draft' | 'active';
  /** When the claim is created (ISO date-time); passed in so the function stays pure. */
  created: string;
}

/** The identifier of the one claim ChartBill makes for an encounter; reruns find it by this. */
export function claimIdentifierFor(encounterId: string): Identifier {
  return { system: SYSTEM.claimId, value: `enc-${encounterId}` };
}

/**
 * Assembles the professional `Claim` for a coded encounter (FHIR R4 Claim, mirroring the 837P:
 * up to 12 diagnoses in HI, up to 4 pointers per SV1 line). Pure: no I/O, no clock.
 * Throws `CLAIM_INVALID` when a reference it needs has no id or the encounter has no date.
 */
export function buildClaim(input: BuildClaimInput): Claim {
  const { encounter, coverage, coding } = input;
  const timeZone = input.timeZone ?? DEFAULT_PRACTICE_TIME_ZONE;
  const dateOfService = dateOfServiceOf(encounter, timeZone);
  const diagnoses = coding.diagnoses.slice(0, CLAIM_LIMITS.maxDiagnoses);
  const pos = encounterPlaceOfService(
    encounter,
    input.location,
    input.placeOfService ?? DEFAULT_PLACE_OF_SERVICE,
  );
  const items = coding.lines.map((line, i) =>
    claimItem(line, i + 1, { ...input, dateOfService, pos, diagnosisCount: diagnoses.length }),
  );
  const payor = coverage.payor[0];
  const claim: Claim = {
    resourceType: 'Claim',
    identifier: [claimIdentifierFor(idOf(encounter))],
    // CLM05-3: an original claim says so (1); asReplacement makes it 7.
    extension: [
      {
        url: EXT.claimFrequency,
        valueCoding: { system: SYSTEM_CLAIM_FREQUENCY, code: '1', display: 'Original claim' },
      },
    ],
    status: input.status ?? 'draft',
    type: { coding: [{ system: SYSTEM.claimType, code: 'professional', display: 'Professional' }] },
    use: 'claim',
    patient: ref('Patient', input.patient),
    billablePeriod: {
      start: dateOfService,
      end: encounter.period?.end ? practiceDateOf(encounter.period.end, timeZone) : dateOfService,
    },
    created: input.created,
    provider: ref('Organization', input.billingProvider),
    priority: { coding: [{ system: SYSTEM.processPriority, code: 'normal' }] },
    payee: { type: { coding: [{ system: SYSTEM.payeeType, code: 'provider' }] } },
    insurance: [
      {
        sequence: 1,
        focal: true,
        coverage: ref('Coverage', coverage),
        ...(input.priorAuthorizations?.length
          ? { preAuthRef: [...input.priorAuthorizations] }
          : {}),
      },
    ],
    diagnosis: diagnoses.map(claimDiagnosis),
    item: items,
    total: {
      value: roundCents(items.reduce((sum, item) => sum + (item.net?.value ?? 0), 0)),
      currency: 'USD',
    },
  };
  if (payor?.reference || payor?.identifier) claim.insurer = payor;
  const careTeam = careTeamOf(input);
  if (careTeam.length > 0) claim.careTeam = careTeam;
  const referral = referralOf(encounter);
  if (referral) claim.referral = referral;
  if (input.location && !sameAddress(input.location, input.billingProvider))
    claim.facility = ref('Location', input.location);
  return withPatientControlNumber(claim);
}

/**
 * Claim.careTeam: the rendering provider (sequence 1, role `primary`, responsible) and the
 * referring one (role `referring` of CARIN Blue Button's care team roles, since HL7's
 * claimcareteamrole has none), as 837P loops 2310B and 2310A.
 */
function careTeamOf(input: BuildClaimInput): NonNullable<Claim['careTeam']> {
  const team: NonNullable<Claim['careTeam']> = [];
  if (input.practitioner)
    team.push({
      sequence: 1,
      provider: ref('Practitioner', input.practitioner),
      responsible: true,
      role: { coding: [{ system: SYSTEM.careTeamRole, code: 'primary' }] },
    });
  if (input.referring)
    team.push({
      sequence: team.length + 1,
      provider: ref('Practitioner', input.referring),
      role: { coding: [{ system: SYSTEM.careTeamRoleCarin, code: 'referring' }] },
    });
  return team;
}

/**
 * Claim.referral: the ServiceRequest the visit was based on (Encounter.basedOn), the referral
 * whose requester is the referring provider of 837P loop 2310A.
 */
function referralOf(encounter: Encounter): Reference | undefined {
  const based = encounter.basedOn?.find((b) => b.reference?.startsWith('ServiceRequest/'));
  return based?.reference ? { reference: based.reference } : undefined;
}

/** A service facility at the billing provider's own address is not reported (837P 2310C note). */
function sameAddress(location: Location, billing: Organization): boolean {
  const a = location.address;
  const b = billing.address?.[0];
  if (!a) return true;
  return (
    (a.line?.[0] ?? '').trim().toUpperCase() === (b?.line?.[0] ?? '').trim().toUpperCase() &&
    (a.postalCode ?? '').slice(0, 5) === (b?.postalCode ?? '').slice(0, 5)
  );
}

/**
 * The date of service (YYYY-MM-DD) from Encounter.period.start: its date on the practice's
 * calendar (`timeZone`, CHARTBILL_PRACTICE_TIME_ZONE), not the UTC date.
 */
export function dateOfServiceOf(
  encounter: Encounter,
  timeZone: string = DEFAULT_PRACTICE_TIME_ZONE,
): string {
  const start = encounter.period?.start;
  if (!start || !/^\d{4}-\d{2}-\d{2}/.test(start)) {
    throw new AppError(
      'CLAIM_INVALID',
      `Encounter/${encounter.id ?? '?'} has no start date, so the claim has no date of service`,
    );
  }
  return practiceDateOf(start, timeZone);
}

function claimDiagnosis(dx: DiagnosisEntry, index: number): ClaimDiagnosis {
  const coding = {
    system: SYSTEM.icd10cm,
    code: dx.code,
    ...(dx.display ? { display: dx.display } : {}),
  };
  const diagnosis: ClaimDiagnosis = {
    sequence: index + 1,
    diagnosisCodeableConcept: { coding: [coding] },
  };
  // The first diagnosis is the principal one (837P HI01 uses qualifier ABK for it).
  if (index === 0)
    diagnosis.type = [{ coding: [{ system: SYSTEM.diagnosisType, code: 'principal' }] }];
  return diagnosis;
}

interface ItemContext extends BuildClaimInput {
  dateOfService: string;
  pos: string;
  diagnosisCount: number;
}

function claimItem(line: ServiceLine, sequence: number, ctx: ItemContext): ClaimItem {
  const price = chargeFor(ctx.feeSchedule, line.code, line.modifiers, ctx.dateOfService) ?? 0;
  const system = line.system === 'hcpcs' ? SYSTEM.hcpcs : SYSTEM.cpt;
  const item: ClaimItem = {
    sequence,
    // SV107 allows 4 pointers, each to one of the (at most 12) diagnoses on the claim.
    diagnosisSequence: line.pointers
      .filter((p) => p >= 1 && p <= ctx.diagnosisCount)
      .slice(0, CLAIM_LIMITS.maxPointers),
    productOrService: {
      coding: [{ system, code: line.code, ...(line.display ? { display: line.display } : {}) }],
    },
    servicedDate: ctx.dateOfService,
    locationCodeableConcept: { coding: [{ system: SYSTEM.placeOfService, code: ctx.pos }] },
    quantity: { value: line.units },
    unitPrice: { value: price, currency: 'USD' },
    net: { value: roundCents(price * line.units), currency: 'USD' },
    encounter: [ref('Encounter', ctx.encounter)],
  };
  if (ctx.practitioner) item.careTeamSequence = [1];
  const drug = line.chargeItemId ? ctx.drugs?.get(line.chargeItemId) : undefined;
  if (drug) item.detail = [drugDetail(drug)];
  if (line.modifiers.length > 0)
    item.modifier = line.modifiers.slice(0, CLAIM_LIMITS.maxModifiers).map(modifierConcept);
  return item;
}

/** CPT modifiers (25, 59, 1P) and HCPCS Level II ones (GT, LT, XE) keep their own systems. */
function modifierConcept(modifier: string): CodeableConcept {
  return { coding: [{ system: modifierSystemOf(modifier), code: modifier }] };
}

function idOf(resource: { resourceType: string; id?: string }): string {
  if (!resource.id)
    throw new AppError('CLAIM_INVALID', `The ${resource.resourceType} for the claim has no id`);
  return resource.id;
}

function ref(type: string, resource: { resourceType: string; id?: string }): Reference {
  return { reference: `${type}/${idOf(resource)}` };
}
