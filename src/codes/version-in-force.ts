/**
 * Which imported release of a code system a date of service is checked against. Browser-safe.
 * The newest release stays in force after its end date (ChartBill cannot know next year's codes
 * until an admin imports them); it is then reported as stale so rules warn rather than reject.
 */
import type { CodeSet, CodeSetVersion, CodeSystemKey } from './code-set.ts';

export interface VersionInForce {
  version: CodeSetVersion;
  /** True when the date of service is after the newest release's end: import the next one. */
  stale: boolean;
  /** True when the date of service is before the oldest imported release. */
  predates: boolean;
}

/**
 * The release of `system` in force on `dateOfService` (YYYY-MM-DD), or undefined when `codes`
 * carries no releases for it (the starter set). A later release replaces an earlier one from its
 * `effectiveFrom` on (the ICD-10-CM April update replaces the October release).
 */
export function versionInForce(
  codes: CodeSet,
  system: CodeSystemKey,
  dateOfService: string,
): VersionInForce | undefined {
  const releases = (codes.versions ?? [])
    .filter((v) => v.system === system)
    .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  const oldest = releases[0];
  const newest = releases[releases.length - 1];
  if (!oldest || !newest) return undefined;
  const inForce = [...releases].reverse().find((v) => v.effectiveFrom <= dateOfService) ?? oldest;
  return {
    version: inForce,
    stale:
      inForce === newest && newest.effectiveTo !== undefined && dateOfService > newest.effectiveTo,
    predates: dateOfService < oldest.effectiveFrom,
  };
}
