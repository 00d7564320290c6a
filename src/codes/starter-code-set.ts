/**
 * ChartBill's built-in starter code set: common outpatient ICD-10-CM FY2026 diagnoses (official
 * long descriptions, with their categories), HCPCS Level II codes and modifiers (CMS short
 * descriptions, Oct 2025 file), and CPT code numbers and modifiers with ChartBill's own labels.
 * Browser-safe. Regenerate the data with `src/codes/tools/generate-starter.ts`.
 */
import type { CodeEntry, CodeSet } from './code-set.ts';
import { createCodeSet } from './memory-code-set.ts';
import { STARTER_CPT, STARTER_CPT_MODIFIERS } from './starter-cpt.ts';
import { STARTER_HCPCS, STARTER_HCPCS_MODIFIER_ROWS, type HcpcsRow } from './starter-hcpcs.ts';
import { STARTER_ICD10CM } from './starter-icd10cm.ts';
import { STARTER_MCE } from './starter-mce.ts';

function hcpcsEntry(
  system: 'hcpcs' | 'modifier',
  [code, display, added, terminated]: HcpcsRow,
): CodeEntry {
  const entry: CodeEntry = { system, code, display, billable: true };
  if (added) entry.validFrom = added;
  if (terminated) entry.validTo = terminated;
  return entry;
}

const MANIFESTATION: ReadonlySet<string> = new Set(STARTER_MCE.manifestation);
const PEDIATRIC: ReadonlySet<string> = new Set(STARTER_MCE.pediatric);
const ADULT: ReadonlySet<string> = new Set(STARTER_MCE.adult);

/** The MCE FY2026 fields the imported sets carry, so rules read them the same way from both. */
function withMce(entry: CodeEntry): CodeEntry {
  if (MANIFESTATION.has(entry.code)) entry.manifestation = true;
  if (PEDIATRIC.has(entry.code)) entry.ageGroup = 'pediatric';
  if (ADULT.has(entry.code)) entry.ageGroup = 'adult';
  return entry;
}

/**
 * The starter entries. ICD-10-CM entries carry no validity dates: the FY2026 file does not say
 * when each code began, and the set must keep working after FY2026 ends (dates would mark every
 * code invalid); a site that loads the yearly files gets dates from them.
 */
export function starterEntries(): CodeEntry[] {
  return [
    ...STARTER_ICD10CM.map(([code, billable, display]): CodeEntry =>
      withMce({
        system: 'icd10cm',
        code,
        display,
        billable: billable === 1,
      }),
    ),
    ...STARTER_CPT.map(([code, display]): CodeEntry => ({
      system: 'cpt',
      code,
      display,
      billable: true,
    })),
    ...STARTER_HCPCS.map((row) => hcpcsEntry('hcpcs', row)),
    ...STARTER_CPT_MODIFIERS.map(([code, display]): CodeEntry => ({
      system: 'modifier',
      code,
      display,
      billable: true,
    })),
    ...STARTER_HCPCS_MODIFIER_ROWS.map((row) => hcpcsEntry('modifier', row)),
  ];
}

/** Builds the starter code set (once per call: callers build it once and keep it). */
export function starterCodeSet(): CodeSet {
  return createCodeSet(starterEntries());
}
