/**
 * Findings as a FHIR OperationOutcome, the answer of `chartbill scrub` (and of any FHIR-facing
 * validation): one issue per finding — severity, `business-rule`, the rule as `details.coding`,
 * the message as `details.text`, the fix as `diagnostics`, the claim element as `expression`.
 * Browser-safe.
 */
import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';
import type { Finding } from '../coding/coding-model.ts';

/** ChartBill's code system naming its edit rules (`dx-excludes1`, `ncci-ptp` …). */
export const EDIT_RULE_SYSTEM = 'https://chartbill.dev/fhir/CodeSystem/edit-rule';

export interface OutcomePaths {
  diagnosisPaths: readonly string[];
  linePaths: readonly string[];
}

function issueOf(finding: Finding, paths: OutcomePaths): OperationOutcomeIssue {
  const target = finding.target;
  const path = target
    ? (target.kind === 'diagnosis' ? paths.diagnosisPaths : paths.linePaths)[target.index]
    : undefined;
  const issue: OperationOutcomeIssue = {
    severity: finding.severity,
    code: 'business-rule',
    details: { coding: [{ system: EDIT_RULE_SYSTEM, code: finding.rule }], text: finding.message },
  };
  if (finding.fix)
    issue.diagnostics = `Fix: ${finding.fix}${finding.suggestions?.length ? ` (${finding.suggestions.join(', ')})` : ''}`;
  if (path) issue.expression = [path];
  return issue;
}

/** The OperationOutcome for `findings`; `notes` become information issues (what was checked with). */
export function findingsOutcome(
  findings: readonly Finding[],
  paths: OutcomePaths,
  notes: readonly string[] = [],
): OperationOutcome {
  const issues = findings.map((f) => issueOf(f, paths));
  if (issues.length === 0)
    issues.push({
      severity: 'information',
      code: 'informational',
      details: { text: 'No problems found.' },
    });
  for (const note of notes)
    issues.push({ severity: 'information', code: 'informational', details: { text: note } });
  return { resourceType: 'OperationOutcome', issue: issues };
}
