/**
 * Which release a visit is checked against (one merged code set, see code-set.ts): when the date
 * of service is after the newest imported ICD-10-CM release's end (the next fiscal year's codes
 * are not imported yet) or before the oldest, validity cannot be judged fully, so say so.
 */
import type { Finding } from '../../coding/coding-model.ts';
import { versionInForce } from '../../codes/version-in-force.ts';
import type { EditRule } from '../edit-rule.ts';

export const codeReleaseInForce: EditRule = ({ coding, facts, codes }) => {
  if (coding.diagnoses.length === 0) return [];
  const v = versionInForce(codes, 'icd10cm', facts.dateOfService);
  if (!v || (!v.stale && !v.predates)) return [];
  const finding: Finding = v.stale
    ? {
        rule: 'codes-release-stale',
        severity: 'warning',
        message: `The date of service ${facts.dateOfService} is after the end of the newest ICD-10-CM release imported (FY${v.version.version}, to ${v.version.effectiveTo ?? '?'}): codes added or deleted since are not checked.`,
        fix: 'Ask an administrator to import the current ICD-10-CM release (chartbill codes import).',
      }
    : {
        rule: 'codes-release-stale',
        severity: 'warning',
        message: `The date of service ${facts.dateOfService} is before the oldest ICD-10-CM release imported (FY${v.version.version}, from ${v.version.effectiveFrom}): codes deleted before then are not checked.`,
        fix: 'Import the release in force on that date, or check the codes by hand.',
      };
  return [finding];
};
