/**
 * Medicare Code Editor age categories, FY2026 (CMS "Definitions of Medicare Code Edits"; the
 * same figures as `age_categories` in shared/data/mce/mce_edits_fy2026.json, which a test checks).
 * Ages are completed years on the date of service. Browser-safe.
 */
export type AgeGroup = 'newborn' | 'pediatric' | 'maternity' | 'adult';

export const MCE_AGE_CATEGORIES: Readonly<
  Record<AgeGroup, { min: number; max: number; label: string }>
> = {
  newborn: { min: 0, max: 0, label: 'newborns (age 0)' },
  pediatric: { min: 0, max: 17, label: 'children (0–17)' },
  maternity: { min: 9, max: 64, label: 'maternity patients (9–64)' },
  adult: { min: 15, max: 124, label: 'adults (15–124)' },
};
