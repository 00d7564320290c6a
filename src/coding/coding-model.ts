/**
 * The encounter's coding as the clinician sees it: ordered diagnoses (primary first) and service
 * lines. Shared by the app's panel, the edit engine and claim assembly. Browser-safe.
 *
 * In FHIR a diagnosis is a Condition and a line is a ChargeItem (see `coding-fhir.ts`).
 */
import type { EmDocumentation } from '../edits/em/em-level.ts';

export type ServiceSystem = 'cpt' | 'hcpcs';

/** A clinician's decision to keep a code an edit objects to, with the reason they recorded. */
export interface EditOverride {
  /** The rule overridden, e.g. `dx-age-conflict`. */
  rule: string;
  reason: string;
}

/** Which edit set applies: Medicare's own coverage limits apply to Medicare only. */
export type PayerType = 'medicare' | 'medicaid' | 'commercial';

export interface DiagnosisEntry {
  /** ICD-10-CM code with its dot, e.g. `E11.9`. */
  code: string;
  display?: string;
  /** The Condition this entry was read from, with its version for If-Match. */
  conditionId?: string;
  versionId?: string;
  /** Edits the clinician overrode on this diagnosis, each with a recorded reason. */
  overrides?: EditOverride[];
}

export interface ServiceLine {
  /** CPT (five digits or four digits + F/T/U) or HCPCS Level II code (letter + four digits). */
  code: string;
  system: ServiceSystem;
  display?: string;
  /** Units of service, ≥ 1. */
  units: number;
  /** Up to 4 two-character modifiers, in billing order. */
  modifiers: string[];
  /** Up to 4 diagnosis pointers: 1-based positions in `EncounterCoding.diagnoses`. */
  pointers: number[];
  chargeItemId?: string;
  versionId?: string;
  /** On an office visit (99202–99215): the time or MDM documented for its level. */
  emDocumentation?: EmDocumentation;
}

export interface EncounterCoding {
  diagnoses: DiagnosisEntry[];
  lines: ServiceLine[];
}

/** What the edits need to know about the visit besides its codes. */
export interface VisitFacts {
  /** Date of service, YYYY-MM-DD. */
  dateOfService: string;
  patientBirthDate?: string;
  patientSex?: 'male' | 'female' | 'other' | 'unknown';
  /** CMS place-of-service code, e.g. `11` (office). */
  placeOfService?: string;
  /** Today, YYYY-MM-DD, where the caller has a clock: a date of service after it is an error. */
  today?: string;
  /** The visit's start and end as the EHR recorded them (Encounter.period), when known. */
  visitPeriod?: { start?: string; end?: string };
  /**
   * The billing provider (837P loop 2010AA) when the caller knows it: its NPI, absent when it
   * has none. The whole field is absent when the billing provider is not known (then unchecked).
   */
  billingProvider?: { npi?: string };
  /** The payer's id (its timely filing window, its edit set), when known. */
  payerId?: string;
  /** The payer's edit set; unknown means Medicare's coverage limits are warnings, not errors. */
  payerType?: PayerType;
}

export type Severity = 'error' | 'warning';

/** One finding of the edit engine, in words a clinician can act on. */
export interface Finding {
  /** Stable rule id, e.g. `icd-billable`, `claim-max-diagnoses`. */
  rule: string;
  severity: Severity;
  /** What is wrong, in plain words, naming the code. */
  message: string;
  /** What to do about it. */
  fix?: string;
  /** Which entry the finding is about, when it is about one. */
  target?: { kind: 'diagnosis' | 'line'; index: number };
  /** Codes the fix offers, e.g. a category's billable children or a modifier to add. */
  suggestions?: string[];
  /** A coding error is fixed by recoding; a pricing one by the charge master, never a code. */
  category?: 'coding' | 'pricing';
  /** True when the clinician may keep the code by recording a reason (`EditOverride`). */
  overridable?: boolean;
}

/** Limits of the 837P professional claim (loop 2300 HI: 12 diagnoses; SV107: 4 pointers). */
export const CLAIM_LIMITS = { maxDiagnoses: 12, maxPointers: 4, maxModifiers: 4 } as const;

/** Guess a service code's system from its shape: HCPCS Level II starts with a letter. */
export function serviceSystemOf(code: string): ServiceSystem {
  return /^[A-V]\d{4}$/i.test(code) ? 'hcpcs' : 'cpt';
}

/** Default pointers for a new line: the first four diagnoses, primary first. */
export function defaultPointers(diagnosisCount: number): number[] {
  return Array.from(
    { length: Math.min(diagnosisCount, CLAIM_LIMITS.maxPointers) },
    (_, i) => i + 1,
  );
}
