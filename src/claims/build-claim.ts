import type {
  Claim,
  ClaimDiagnosis,
  ClaimItem,
  CodeableConcept,
  Coverage,
  Encounter,
  Identifier,
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
import { SYSTEM } from '../fhir/systems.ts';
import { chargeFor } from '../pricing/charge-master.ts';
import { roundCents, type FeeSchedule } from './fee-schedule.ts';

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
  /** CMS place-of-service code; `11` (office) by default. */
  placeOfService?: string;
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
  const dateOfService = dateOfServiceOf(encounter);
  const diagnoses = coding.diagnoses.slice(0, CLAIM_LIMITS.maxDiagnoses);
  const pos = input.placeOfService ?? DEFAULT_PLACE_OF_SERVICE;
  const items = coding.lines.map((line, i) =>
    claimItem(line, i + 1, { ...input, dateOfService, pos, diagnosisCount: diagnoses.length }),
  );
  const payor = coverage.payor[0];
  const claim: Claim = {
    resourceType: 'Claim',
    identifier: [claimIdentifierFor(idOf(encounter))],
    status: input.status ?? 'draft',
    type: { coding: [{ system: SYSTEM.claimType, code: 'professional', display: 'Professional' }] },
    use: 'claim',
    patient: ref('Patient', input.patient),
    billablePeriod: {
      start: dateOfService,
      end: encounter.period?.end?.slice(0, 10) ?? dateOfService,
    },
    created: input.created,
    provider: ref('Organization', input.billingProvider),
    priority: { coding: [{ system: SYSTEM.processPriority, code: 'normal' }] },
    payee: { type: { coding: [{ system: SYSTEM.payeeType, code: 'provider' }] } },
    insurance: [{ sequence: 1, focal: true, coverage: ref('Coverage', coverage) }],
    diagnosis: diagnoses.map(claimDiagnosis),
    item: items,
    total: {
      value: roundCents(items.reduce((sum, item) => sum + (item.net?.value ?? 0), 0)),
      currency: 'USD',
    },
  };
  if (payor?.reference || payor?.identifier) claim.insurer = payor;
  if (input.practitioner) {
    claim.careTeam = [
      {
        sequence: 1,
        provider: ref('Practitioner', input.practitioner),
        responsible: true,
        role: { coding: [{ system: SYSTEM.careTeamRole, code: 'primary' }] },
      },
    ];
  }
  return claim;
}

/** The date of service (YYYY-MM-DD, the encounter's local date) from Encounter.period.start. */
export function dateOfServiceOf(encounter: Encounter): string {
  const start = encounter.period?.start;
  if (!start || !/^\d{4}-\d{2}-\d{2}/.test(start)) {
    throw new AppError(
      'CLAIM_INVALID',
      `Encounter/${encounter.id ?? '?'} has no start date, so the claim has no date of service`,
    );
  }
  return start.slice(0, 10);
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
