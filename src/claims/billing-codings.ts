/**
 * Which codings ChartBill bills: diagnoses in ICD-10-CM, services in CPT or HCPCS Level II, by
 * their system URI (`src/fhir/systems.ts`). A code in any other system, or with no system, is
 * never taken for one of these: `E11.9` in a local system may mean anything there. (A mapping
 * from a local code system is an explicit table, never a guess.)
 */
import type { CodeableConcept, Coding } from 'fhir/r4';
import { SYSTEM } from '../fhir/systems.ts';

/** The code systems a diagnosis or a service line may be billed in. */
export const BILLING_SYSTEMS = {
  diagnosis: [SYSTEM.icd10cm],
  service: [SYSTEM.cpt, SYSTEM.hcpcs],
} as const;

export type BilledKind = keyof typeof BILLING_SYSTEMS;

/** The first coding in a billing system of the kind, with a code; undefined when there is none. */
export function billingCodingOf(
  kind: BilledKind,
  concept: CodeableConcept | undefined,
): Coding | undefined {
  const systems: readonly string[] = BILLING_SYSTEMS[kind];
  return concept?.coding?.find(
    (c) =>
      c.system !== undefined &&
      systems.includes(c.system) &&
      typeof c.code === 'string' &&
      c.code.trim() !== '',
  );
}

/** What a concept holds, as `system|code` (each clipped), for a reason staff read: what was found instead. */
export function describeConcept(concept: CodeableConcept | undefined): string {
  const codings = concept?.coding ?? [];
  // Free text is not echoed: it may hold anything, and the reason reaches the worker's log.
  if (codings.length === 0) return concept?.text ? 'no coding, only text' : 'no coding';
  return codings
    .slice(0, 5)
    .map(
      (c) => `${c.system ? clip(c.system) : '(no system)'}|${c.code ? clip(c.code) : '(no code)'}`,
    )
    .join(', ');
}

/** At most 80 characters of text from a record, so a hostile value cannot bloat a work item. */
export function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
