/**
 * Excludes1 pairs (ICD-10-CM Guidelines I.A.12.a): "NOT CODED HERE" — the two conditions cannot
 * occur together, so the codes are never reported on the same claim. The note sits on a
 * category, subcategory or code and applies to every code below it, so each diagnosis is checked
 * with its ancestors. Excludes2 (I.A.12.b, "not included here") allows both codes: no finding.
 *
 * The guideline's exception — two conditions that are unrelated to each other may both be coded
 * even under an Excludes1 note — needs clinical judgment, so the finding names it in the fix
 * rather than guessing.
 */
import { ancestorsOf, compactCode } from '../../codes/code-format.ts';
import { refCovers } from '../../codes/code-refs.ts';
import type { CodeSet } from '../../codes/code-set.ts';
import type { DiagnosisEntry, Finding } from '../../coding/coding-model.ts';
import type { EditRule } from '../edit-rule.ts';

interface ExcludesHit {
  /** The code whose Excludes1 note applies (the diagnosis or a header above it). */
  holder: string;
  /** The note's reference that matched. */
  ref: string;
}

/** The Excludes1 note of `code` (or of a header above it) that names `other`, if any. */
export function excludes1Hit(code: string, other: string, codes: CodeSet): ExcludesHit | undefined {
  for (const holder of [code, ...ancestorsOf(code)]) {
    const refs = codes.lookup('icd10cm', holder)?.excludes1 ?? [];
    const ref = refs.find((r) => refCovers(r, other));
    if (ref) return { holder: codes.lookup('icd10cm', holder)?.code ?? holder, ref };
  }
  return undefined;
}

function describe(code: string, codes: CodeSet): string {
  if (code.includes('-')) return code;
  const display = codes.lookup('icd10cm', code)?.display;
  return display ? `${code} (${display})` : code;
}

function pairFinding(
  first: DiagnosisEntry,
  second: DiagnosisEntry,
  hit: ExcludesHit,
  index: number,
  codes: CodeSet,
): Finding {
  const noteOwner =
    hit.holder === first.code || hit.holder === second.code
      ? hit.holder
      : describe(hit.holder, codes);
  return {
    rule: 'dx-excludes1',
    severity: 'error',
    message: `${first.code} and ${second.code} cannot be reported together: the Excludes1 note at ${noteOwner} lists ${describe(hit.ref, codes)}.`,
    fix: `Keep the code that describes the patient's condition and remove the other. Exception (Guidelines I.A.12.a): if the two conditions are unrelated to each other, both may be reported — query the provider when unsure.`,
    target: { kind: 'diagnosis', index },
    suggestions: [first.code, second.code],
  };
}

export const diagnosisExcludes1: EditRule = ({ coding, codes }) => {
  const findings: Finding[] = [];
  const dxs = coding.diagnoses;
  for (let j = 1; j < dxs.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = dxs[i];
      const b = dxs[j];
      if (!a || !b || compactCode(a.code) === compactCode(b.code)) continue;
      const hit = excludes1Hit(a.code, b.code, codes) ?? excludes1Hit(b.code, a.code, codes);
      if (hit) findings.push(pairFinding(a, b, hit, j, codes));
    }
  }
  return findings;
};
