/**
 * Reference data some edits need besides the code set: NCCI tables, PFS indicators, the payer's
 * timely filing window. Every part is optional: a rule whose data is absent finds nothing, so the
 * app can run the engine with only a code set, and the worker adds what it has. Browser-safe.
 */
import type { NcciTables } from '../ncci/ncci-tables.ts';
import type { TimelyFilingConfig } from './timely-filing.ts';

/** Medicare PFS payment-policy indicators of one service code (PPRRVU file columns). */
export interface ServiceIndicators {
  /** PCTC IND: 0 physician service, 1 diagnostic test (26/TC split), 2 PC only, 3 TC only … 9 n/a. */
  pcTc: string;
  /** BILAT SURG: 0 no 150 % adjustment, 1 150 % applies, 2 already bilateral, 3 each side 100 %, 9 n/a. */
  bilateral: string;
}

/** Looks up a service's PFS indicators (by code, modifiers ignored); undefined when unknown. */
export type ServiceIndicatorLookup = (code: string) => ServiceIndicators | undefined;

/** What the worker knows at submission time (not while the clinician types). */
export interface SubmissionFacts {
  /** Today, YYYY-MM-DD: the day the claim would be filed. */
  today: string;
  /** The payer's id, to pick its timely filing window. */
  payerId?: string;
  timelyFiling: TimelyFilingConfig;
}

export interface EditReference {
  /** NCCI procedure-to-procedure and medically unlikely edits. */
  ncci?: NcciTables;
  /** PFS indicators for modifier checks (26/TC, 50). */
  indicators?: ServiceIndicatorLookup;
  /** Present only when scrubbing before submission. */
  submission?: SubmissionFacts;
}
