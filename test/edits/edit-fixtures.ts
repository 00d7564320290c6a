import type { DiagnosisEntry, EncounterCoding, Finding, ServiceLine, VisitFacts } from '../../src/coding/coding-model.ts';
import type { CodeSet } from '../../src/codes/code-set.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { runEdits } from '../../src/edits/run-edits.ts';

export const dx = (...codes: string[]): DiagnosisEntry[] => codes.map((code) => ({ code }));

export function line(code: string, extra: Partial<ServiceLine> = {}): ServiceLine {
  return { code, system: /^[A-V]/i.test(code) ? 'hcpcs' : 'cpt', units: 1, modifiers: [], pointers: [1], ...extra };
}

export const FACTS: VisitFacts = { dateOfService: '2026-03-02', patientBirthDate: '1970-05-20' };

/** Findings of one rule for a coding (starter code set unless another is given). */
export function findingsOf(
  rule: string,
  coding: EncounterCoding,
  facts: VisitFacts = FACTS,
  codes: CodeSet = starterCodeSet(),
): Finding[] {
  return runEdits(coding, facts, codes).filter((f) => f.rule === rule);
}

/** A coding that passes every edit: the baseline each test changes one thing in. */
export function cleanCoding(): EncounterCoding {
  return { diagnoses: dx('E11.9', 'I10'), lines: [line('99214', { pointers: [1, 2] }), line('36415'), line('83036')] };
}
