import type { EncounterCoding, Finding, VisitFacts } from '../../src/coding/coding-model.ts';
import { dateOfServiceOf } from '../../src/claims/build-claim.ts';
import { priceFindings } from '../../src/claims/price-findings.ts';
import { hasBlockingErrors, runEdits } from '../../src/edits/run-edits.ts';
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
export function scrub(coding: EncounterCoding, ctx: EncounterContext, deps: Pick<PipelineDeps, 'codes' | 'chargeMaster' | 'placeOfService' | 'editReference'>): ScrubResult {
  const gender = ctx.patient.gender;
  const facts: VisitFacts = {
    dateOfService: dateOfServiceOf(ctx.encounter),
    placeOfService: deps.placeOfService,
    ...(ctx.patient.birthDate ? { patientBirthDate: ctx.patient.birthDate } : {}),
    ...(gender ? { patientSex: gender } : {}),
  };
  const findings = [...runEdits(coding, facts, deps.codes, deps.editReference ?? {}), ...priceFindings(coding, deps.chargeMaster)];
  return { findings, blocked: hasBlockingErrors(findings) };
}

/** The findings as lines a person can act on: the problem, then the fix. */
export function describeFindings(findings: readonly Finding[]): string {
  return findings
    .filter((f) => f.severity === 'error')
    .map((f) => `- ${f.message}${f.fix ? ` Fix: ${f.fix}` : ''}`)
    .join('\n');
}
