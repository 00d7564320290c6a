/**
 * The edit engine: every rule over the encounter's coding, findings in plain words with the fix.
 * Pure and browser-safe: the app runs it as the clinician types, the worker scrubs claims with it.
 */
import type { CodeSet } from '../codes/code-set.ts';
import type { EncounterCoding, Finding, VisitFacts } from '../coding/coding-model.ts';
import type { EditRule } from './edit-rule.ts';
import { claimMaxDiagnoses, claimNoDiagnoses, claimNoLines } from './rules/claim-rules.ts';
import { diagnosisAge } from './rules/diagnosis-age-rule.ts';
import { diagnosisCodes, diagnosisDuplicate } from './rules/diagnosis-code-rules.ts';
import { externalCauseFirst, manifestationFirst } from './rules/diagnosis-sequence-rules.ts';
import { emNeeds25 } from './rules/em-modifier-25-rule.ts';
import { lineModifiers } from './rules/modifier-rules.ts';
import { linePointers } from './rules/pointer-rules.ts';
import { lineUnits, serviceCodes } from './rules/service-line-rules.ts';

/** All rules, claim-level first, then diagnoses, then lines. */
export const EDIT_RULES: readonly EditRule[] = [
  claimNoDiagnoses,
  claimNoLines,
  claimMaxDiagnoses,
  diagnosisCodes,
  diagnosisDuplicate,
  externalCauseFirst,
  manifestationFirst,
  diagnosisAge,
  serviceCodes,
  lineUnits,
  lineModifiers,
  linePointers,
  emNeeds25,
];

/** Runs every edit; errors come before warnings, otherwise in rule order. */
export function runEdits(coding: EncounterCoding, facts: VisitFacts, codes: CodeSet): Finding[] {
  const findings = EDIT_RULES.flatMap((rule) => rule({ coding, facts, codes }));
  const rank = (f: Finding): number => (f.severity === 'error' ? 0 : 1);
  return findings.sort((a, b) => rank(a) - rank(b));
}

/** True when a finding must be fixed before sign-off or submission. */
export function hasBlockingErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
