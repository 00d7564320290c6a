/**
 * Reference data some edits need besides the code set: NCCI tables, PFS indicators, the payer's
 * timely filing window. Every part is optional: a rule whose data is absent finds nothing, so the
 * app can run the engine with only a code set, and the worker adds what it has. Browser-safe.
 */
import type { FeeSchedule } from '../claims/fee-schedule.ts';
import type { NcciTables } from '../ncci/ncci-tables.ts';
import type { ExpectedPricing } from '../pricing/expected-reimbursement.ts';
import type { AddOnTable } from './add-on-table.ts';
import type { PayerEditSets } from './payer-edit-set.ts';
import type { TimelyFilingConfig } from './timely-filing.ts';

/** Medicare PFS payment-policy indicators of one service code (PPRRVU file columns). */
export interface ServiceIndicators {
  /** PCTC IND: 0 physician service, 1 diagnostic test (26/TC split), 2 PC only, 3 TC only … 9 n/a. */
  pcTc: string;
  /** BILAT SURG: 0 no 150 % adjustment, 1 150 % applies, 2 already bilateral, 3 each side 100 %, 9 n/a. */
  bilateral: string;
  /**
   * GLOB DAYS: `000`/`010` minor procedure (an E/M the same day needs 25), `090` major surgery
   * (the E/M that decided on it needs 57), `XXX` global concept does not apply, `ZZZ` add-on…
   */
  globalDays?: string;
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
  /** Overrides for a scrub run at another day than the visit's `today` (`chartbill scrub --today`). */
  submission?: SubmissionFacts;
  /** Payer timely filing windows; the rule runs wherever the visit facts carry `today`. */
  timelyFiling?: TimelyFilingConfig;
  /** CMS add-on code edits: add-on code → its primary codes. */
  addOns?: AddOnTable;
  /** The practice's charge master: a code without a price is a pricing work item. */
  chargeMaster?: FeeSchedule;
  /** Which edit set each payer gets (Medicare, Medicaid, commercial). */
  payerEditSets?: PayerEditSets;
  /** The payers' contracts, for expected reimbursement (not an edit: the worker and status use it). */
  expected?: ExpectedPricing;
  /** What was loaded, in words, for the scrub output and logs (e.g. `PFS indicators: …`). */
  sources?: readonly string[];
}
