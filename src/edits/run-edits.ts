/**
 * The edit engine: every rule over the encounter's coding, findings in plain words with the fix.
 * Pure and browser-safe: the app runs it as the clinician types, the worker scrubs claims with it
 * (adding the reference data it has: NCCI tables, PFS indicators, timely filing).
 */
import type { CodeSet } from '../codes/code-set.ts';
import type { EncounterCoding, Finding, VisitFacts } from '../coding/coding-model.ts';
import type { EditReference } from './edit-reference.ts';
import type { EditRule } from './edit-rule.ts';
import {
  claimMaxDiagnoses,
  claimNoDiagnoses,
  claimNoLines,
  claimPlaceOfService,
} from './rules/claim-rules.ts';
import { addOnWithoutPrimary } from './rules/add-on-rule.ts';
import { billingProviderNpi } from './rules/billing-provider-rule.ts';
import { chargeMasterPrice } from './rules/charge-master-rule.ts';
import {
  diabetesWithoutComplications,
  hypertensionCombination,
} from './rules/diagnosis-combination-rules.ts';
import { emLevelAboveDocumented } from './rules/em-level-rule.ts';
import { medicarePreventive } from './rules/medicare-preventive-rule.ts';
import { codeReleaseInForce } from './rules/code-release-rule.ts';
import { diagnosisAge } from './rules/diagnosis-age-rule.ts';
import { diagnosisCodes, diagnosisDuplicate } from './rules/diagnosis-code-rules.ts';
import { diagnosisExcludes1 } from './rules/diagnosis-excludes-rule.ts';
import { externalCauseFirst, manifestationFirst } from './rules/diagnosis-sequence-rules.ts';
import { diagnosisSex } from './rules/diagnosis-sex-rule.ts';
import { duplicateLines } from './rules/duplicate-line-rule.ts';
import { emNeeds25 } from './rules/em-modifier-25-rule.ts';
import { officeVisitsPerDay } from './rules/em-per-day-rule.ts';
import { distinctServiceModifier } from './rules/modifier-59-rule.ts';
import { lineModifiers } from './rules/modifier-rules.ts';
import { modifiersFitService } from './rules/modifier-service-rules.ts';
import { ncciMue } from './rules/ncci-mue-rule.ts';
import { ncciPtp } from './rules/ncci-ptp-rule.ts';
import { linePointers } from './rules/pointer-rules.ts';
import { lineUnits, serviceCodes } from './rules/service-line-rules.ts';
import { timelyFiling } from './rules/timely-filing-rule.ts';
import { bornAfterVisit, visitEndsBeforeStart, visitInFuture } from './rules/visit-date-rules.ts';

/** All rules, claim-level first, then diagnoses, then lines, then NCCI. */
export const EDIT_RULES: readonly EditRule[] = [
  claimNoDiagnoses,
  claimNoLines,
  claimMaxDiagnoses,
  claimPlaceOfService,
  visitInFuture,
  visitEndsBeforeStart,
  bornAfterVisit,
  billingProviderNpi,
  timelyFiling,
  codeReleaseInForce,
  diagnosisCodes,
  diagnosisDuplicate,
  diagnosisExcludes1,
  externalCauseFirst,
  manifestationFirst,
  diagnosisAge,
  diagnosisSex,
  hypertensionCombination,
  diabetesWithoutComplications,
  serviceCodes,
  lineUnits,
  lineModifiers,
  modifiersFitService,
  linePointers,
  duplicateLines,
  officeVisitsPerDay,
  emNeeds25,
  emLevelAboveDocumented,
  addOnWithoutPrimary,
  medicarePreventive,
  ncciPtp,
  ncciMue,
  distinctServiceModifier,
  chargeMasterPrice,
];

/**
 * Runs every edit; errors come before warnings, otherwise in rule order. `reference` adds the
 * data some rules need (NCCI, PFS indicators, submission facts); rules without it find nothing.
 */
export function runEdits(
  coding: EncounterCoding,
  facts: VisitFacts,
  codes: CodeSet,
  reference: EditReference = {},
): Finding[] {
  const findings = EDIT_RULES.flatMap((rule) => rule({ coding, facts, codes, reference }));
  const rank = (f: Finding): number => (f.severity === 'error' ? 0 : 1);
  return findings.sort((a, b) => rank(a) - rank(b));
}

/** True when a finding must be fixed before sign-off or submission. */
export function hasBlockingErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
