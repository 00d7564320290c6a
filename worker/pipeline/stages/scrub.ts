import type { EncounterCoding, Finding, VisitFacts } from '../../../src/coding/coding-model.ts';
import { dateOfServiceOf } from '../../../src/claims/build-claim.ts';
import { priceFindings } from '../../../src/claims/price-findings.ts';
import { hasBlockingErrors, runEdits } from '../../../src/edits/run-edits.ts';
import { todayAnywhere } from '../../../src/edits/rules/visit-date-rules.ts';
import { SYSTEM } from '../../../src/fhir/systems.ts';
import type { EncounterContext, PipelineDeps } from '../pipeline-types.ts';

export interface ScrubResult {
  findings: Finding[];
  /** True when an error (not a warning) keeps the claim from being submitted. */
  blocked: boolean;
}

/**
 * The same edits the app runs while the clinician codes, plus the worker's own check that every
 * line has a price on the charge master.
 */
export function scrub(
  coding: EncounterCoding,
  ctx: EncounterContext,
  deps: Pick<PipelineDeps, 'codes' | 'chargeMaster' | 'placeOfService' | 'editReference' | 'now'>,
): ScrubResult {
  const gender = ctx.patient.gender;
  const period = ctx.encounter.period;
  const npi = ctx.billingProvider?.identifier?.find((i) => i.system === SYSTEM.npi)?.value;
  const facts: VisitFacts = {
    dateOfService: dateOfServiceOf(ctx.encounter),
    placeOfService: deps.placeOfService,
    // The worker knows the day and the billing provider, so the date and NPI edits run here too.
    today: todayAnywhere(deps.now()),
    ...(period
      ? {
          visitPeriod: {
            ...(period.start ? { start: period.start } : {}),
            ...(period.end ? { end: period.end } : {}),
          },
        }
      : {}),
    ...(ctx.billingProvider ? { billingProvider: npi ? { npi } : {} } : {}),
    ...(ctx.patient.birthDate ? { patientBirthDate: ctx.patient.birthDate } : {}),
    ...(gender ? { patientSex: gender } : {}),
  };
  const findings = [
    ...runEdits(coding, facts, deps.codes, deps.editReference ?? {}),
    ...priceFindings(coding, deps.chargeMaster),
  ];
  return { findings, blocked: hasBlockingErrors(findings) };
}

/** The findings as lines a person can act on: the problem, then the fix. */
export function describeFindings(findings: readonly Finding[]): string {
  return findings
    .filter((f) => f.severity === 'error')
    .map((f) => `- ${f.message}${f.fix ? ` Fix: ${f.fix}` : ''}`)
    .join('\n');
}
