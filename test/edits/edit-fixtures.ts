import type {
  DiagnosisEntry,
  EncounterCoding,
  Finding,
  ServiceLine,
  VisitFacts,
} from '../../src/coding/coding-model.ts';
import type { CodeEntry, CodeSet } from '../../src/codes/code-set.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import type { EditReference } from '../../src/edits/edit-reference.ts';
import { runEdits } from '../../src/edits/run-edits.ts';

export const dx = (...codes: string[]): DiagnosisEntry[] => codes.map((code) => ({ code }));

export function line(code: string, extra: Partial<ServiceLine> = {}): ServiceLine {
  return {
    code,
    system: /^[A-V]/i.test(code) ? 'hcpcs' : 'cpt',
    units: 1,
    modifiers: [],
    pointers: [1],
    ...extra,
  };
}

export const FACTS: VisitFacts = { dateOfService: '2026-03-02', patientBirthDate: '1970-05-20' };

/** Findings of one rule for a coding (starter code set unless another is given). */
export function findingsOf(
  rule: string,
  coding: EncounterCoding,
  facts: VisitFacts = FACTS,
  codes: CodeSet = starterCodeSet(),
  reference: EditReference = {},
): Finding[] {
  return runEdits(coding, facts, codes, reference).filter((f) => f.rule === rule);
}

/** A coding that passes every edit: the baseline each test changes one thing in. */
export function cleanCoding(): EncounterCoding {
  return {
    diagnoses: dx('E11.9', 'I10'),
    lines: [line('99214', { pointers: [1, 2] }), line('36415'), line('83036')],
  };
}

/** An ICD-10-CM entry for code sets built in tests. */
export function icd(code: string, display: string, extra: Partial<CodeEntry> = {}): CodeEntry {
  return { system: 'icd10cm', code, display, billable: true, ...extra };
}

/** A CPT entry (ChartBill label) for code sets built in tests. */
export function cpt(code: string): CodeEntry {
  return { system: 'cpt', code, display: `Service ${code}`, billable: true };
}
