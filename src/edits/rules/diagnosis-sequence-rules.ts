/**
 * What may be listed first. ICD-10-CM Guidelines I.C.20: external cause codes (V00–Y99) are never
 * the first-listed diagnosis. Guidelines I.A.13: a manifestation ("in diseases classified
 * elsewhere", the MCE "manifestation not allowed as principal diagnosis" list) follows the
 * underlying condition. The code set's `manifestation` flag (imported from the MCE) is used when
 * present; the starter set's MCE list and the Tabular title wording otherwise.
 */
import { STARTER_MCE } from '../../codes/starter-mce.ts';
import { formatIcd10cm } from '../../codes/code-format.ts';
import type { EditRule } from '../edit-rule.ts';

const MANIFESTATIONS: ReadonlySet<string> = new Set(STARTER_MCE.manifestation);

function isExternalCause(code: string): boolean {
  return /^[V-Y]/i.test(code);
}

export const externalCauseFirst: EditRule = ({ coding }) => {
  const first = coding.diagnoses[0];
  if (!first || !isExternalCause(first.code)) return [];
  const injury = coding.diagnoses.find((d) => !isExternalCause(d.code));
  return [
    {
      rule: 'dx-external-cause-first',
      severity: 'error',
      message: `${first.code} is an external cause code (how the injury happened) and cannot be listed first.`,
      fix: injury
        ? `Move ${injury.code} first and keep ${first.code} after it.`
        : `List the injury or condition first, then ${first.code}.`,
      target: { kind: 'diagnosis', index: 0 },
      suggestions: injury ? [injury.code] : [],
    },
  ];
};

function underlyingFix(code: string, codeFirst: readonly string[] | undefined): string {
  return codeFirst?.length
    ? `List the underlying condition first (the Tabular says "code first" ${codeFirst.join(', ')}), then ${code}.`
    : `List the underlying condition first, then ${code}.`;
}

export const manifestationFirst: EditRule = ({ coding, codes }) => {
  const first = coding.diagnoses[0];
  if (!first) return [];
  const entry = codes.lookup('icd10cm', first.code);
  const display = entry?.display ?? first.display ?? '';
  const manifestation =
    entry?.manifestation ??
    (MANIFESTATIONS.has(formatIcd10cm(first.code)) ||
      /in (other )?diseases classified elsewhere/i.test(display));
  if (!manifestation) return [];
  return [
    {
      rule: 'dx-manifestation-first',
      severity: 'error',
      message: `${first.code} describes a manifestation of another disease and cannot be listed first.`,
      fix: underlyingFix(first.code, entry?.codeFirst),
      target: { kind: 'diagnosis', index: 0 },
    },
  ];
};
