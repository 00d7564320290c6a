import type { EditReference } from '../../src/edits/edit-reference.ts';
import type {
  Claim,
  ClaimResponse,
  ChargeItem,
  Condition,
  Coverage,
  Encounter,
  Location,
  Organization,
  Patient,
  Practitioner,
  RelatedPerson,
} from 'fhir/r4';
import type { FeeSchedule } from '../../src/claims/fee-schedule.ts';
import type { CodeSet } from '../../src/codes/code-set.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import type { Logger } from '../../src/log/create-logger.ts';
import type { PayerAdapter } from '../../src/payer/payer-adapter.ts';
import type { WorkItemCode } from './build-task.ts';
import type { EligibilityCache } from './eligibility-cache.ts';

/**
 * The services every stage may use, the same for every encounter. The clinical store is read;
 * the billing store is written.
 */
export interface PipelineServices {
  clinical: FhirGateway;
  billing: FhirGateway;
  payer: PayerAdapter;
  codes: CodeSet;
  chargeMaster: FeeSchedule;
  placeOfService: string;
  /** The practice's IANA time zone (CHARTBILL_PRACTICE_TIME_ZONE); America/New_York when absent. */
  practiceTimeZone?: string;
  now: () => Date;
  log: Logger;
  /** Recent eligibility answers to reuse; none when absent. */
  eligibility?: EligibilityCache;
  /**
   * How far ahead of a visit eligibility is checked (CHARTBILL_ELIGIBILITY_AHEAD_DAYS): an
   * in-force answer for the visit stands this long plus a day, so the finished visit reuses the
   * answer its arrival got. Absent: visits are checked only once finished.
   */
  eligibilityAheadMs?: number;
  /** NCCI tables, PFS indicators and submission facts for the scrubber; absent parts are not checked. */
  editReference?: EditReference;
  /**
   * How long a submitted claim may go without an answer before it becomes a `claim-no-answer`
   * work item (CHARTBILL_BILLING_NO_ANSWER_DAYS); 30 days when absent.
   */
  noAnswerMs?: number;
}

/** One encounter's pass through the pipeline: what the ledger's item says of earlier passes. */
export interface EncounterPass {
  outbox: Outbox;
  /** Set when this pass makes the n-th replacement of a denied claim (1 = replaces the original). */
  replacing?: number;
  /**
   * The ledger has no record of this encounter, so no earlier pass made its claim: the lookups
   * for an existing claim and answer are skipped (the claim's conditional create still finds one
   * that a lost ledger forgot, and then the answer is looked up).
   */
  firstPass?: boolean;
  /** The version of the draft claim the worker last wrote (see LedgerItem.claimVersion). */
  claimVersion?: string;
  /** When the ledger says a claim (`Claim/123`) was sent (see LedgerItem.submittedAt). */
  submitted?: { claim: string; at: string };
}

/** What a stage is handed: the services, and the pass over the encounter it works on. */
export interface PipelineDeps extends PipelineServices {
  pass: EncounterPass;
}

/** The submission outbox of the item being processed (see the ledger's `submitting` stage). */
export interface Outbox {
  /** An earlier attempt recorded the intent to submit (or a queued answer) but no final answer. */
  pending: boolean;
  /** Records the intent to submit this claim (`Claim/123`); called right before submitting. */
  record(claim: string): Promise<void>;
}

/** An encounter with everything its claim is made from, read from the clinical store. */
export interface EncounterContext {
  encounter: Encounter & { id: string };
  /** `Encounter/123` */
  encounterRef: string;
  patient: Patient;
  /** ChargeItems with status `billable` (signed off). */
  chargeItems: ChargeItem[];
  /** Encounter diagnoses. */
  conditions: Condition[];
  coverage: Coverage | undefined;
  billingProvider: Organization | undefined;
  payerOrg: Organization | undefined;
  practitioner: Practitioner | undefined;
  /** The referring provider (Encounter.participant type REF), when the encounter names one. */
  referring?: Practitioner | undefined;
  /** Where the visit took place (Encounter.location), for place of service and facility. */
  location?: Location | undefined;
  /**
   * The subscriber when the patient is a dependent on someone else's plan (Coverage.subscriber
   * names another Patient, or a RelatedPerson): 270 loop 2100C and 837P loop 2010BA, with the
   * patient in 2000D (270) and 2000C (837P).
   */
  subscriber?: Patient | RelatedPerson | undefined;
  /**
   * The patient's prior authorizations (ClaimResponse, use preauthorization) on the billing store
   * as the tick prefetched them for its chunk; absent: searched for this claim alone.
   */
  preauthorizations?: ClaimResponse[] | undefined;
}

/** How one encounter's pass through the pipeline ended. */
export type ItemOutcome = HeldOutcome | AnsweredOutcome;

/** Waiting for a person, with a Task saying why. */
export interface HeldOutcome {
  stage: 'not-coded' | 'held';
  reason: WorkItemCode;
  claim?: string;
  /** The draft claim's version as this pass left it. */
  claimVersion?: string;
}

/** Submitted; `answered` once the payer's answer is final (not `queued`). */
export interface AnsweredOutcome {
  stage: 'submitted' | 'answered';
  claim: string;
  claimResponse: string;
  outcome: string;
  paid: boolean;
  denied: boolean;
  /** A replacement was considered but the coding had not changed: the prior answer stands. */
  unchanged?: boolean;
}

export function isHeld(outcome: ItemOutcome): outcome is HeldOutcome {
  return outcome.stage === 'held' || outcome.stage === 'not-coded';
}

/** A conditional-create / search query for one identifier (one spelling, in src/fhir/). */
export { identifierQuery } from '../../src/fhir/identifier-query.ts';

/** `Type/id` of a resource that has an id. */
export function refOf(resource: { resourceType: string; id?: string }): string {
  return `${resource.resourceType}/${resource.id ?? ''}`;
}

export type ClaimWithId = Claim & { id: string };
