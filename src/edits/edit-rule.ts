/**
 * The shape of one edit rule: a pure function from the encounter's coding to findings.
 * Browser-safe: the app runs the rules as the clinician types; the worker runs the same ones.
 */
import type { CodeSet } from '../codes/code-set.ts';
import type { EncounterCoding, Finding, VisitFacts } from '../coding/coding-model.ts';
import type { EditReference } from './edit-reference.ts';

export interface EditContext {
  coding: EncounterCoding;
  facts: VisitFacts;
  codes: CodeSet;
  /** Optional reference data (NCCI, PFS indicators, timely filing); `{}` when none. */
  reference: EditReference;
}

export type EditRule = (ctx: EditContext) => Finding[];
