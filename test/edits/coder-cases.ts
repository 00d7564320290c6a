/**
 * Coding cases as a certified coder checks them (issue 16, "the 40-case set as tests of our
 * own"): the visit (patient, payer, date of service, filing day), the codes as the clinician
 * entered them, and every finding the coder expects, with its severity and where it points.
 * `fires` is exact: a finding not listed is a wrong finding. `why` is the coder's reason.
 * Lines are written `code-mod-mod xUNITS pPOINTERS` (pointers default to diagnosis 1).
 */
import type { ServiceLine } from '../../src/coding/coding-model.ts';

export const PAYER_IDS = {
  medicare: 'MCR01',
  medicaid: 'MCD01',
  commercial: 'ACME',
  unknown: 'UNK9',
} as const;

export interface CoderCase {
  id: string;
  why: string;
  /** `F 1970-05-20`: sex and birth date. */
  patient: string;
  payer: keyof typeof PAYER_IDS;
  /** Date of service and the day the claim is filed (the worker's "now", `scrub --today`). */
  dos: string;
  today: string;
  /** Diagnoses, primary first; `keep` records the clinician's reason to keep an age conflict. */
  dx: (string | { code: string; keep: string })[];
  lines: (string | ServiceLine)[];
  /** Every finding expected, as `rule severity [dxN|lineN]`, nothing else. */
  fires: string[];
  /** Codes a finding's one-click fix must offer: `rule target` → codes. */
  offers?: Record<string, string[]>;
  /** Words a finding's message or fix must (or, with `!`, must not) contain. */
  says?: Record<string, string[]>;
  /** Rules a coder names as must-not-fire for this case (already implied by `fires`). */
  silent?: string[];
  /** Scrubbed as a Claim by `chartbill scrub` only (the worker builds claims from ChargeItems). */
  claimOnly?: true;
}

export const ADULT = 'F 1970-05-20';
export const MAN = 'M 1962-11-02';
export const MEDICARE_WOMAN = 'F 1950-03-09';
export const MEDICARE_MAN = 'M 1952-07-30';

type Given = Omit<CoderCase, 'dos' | 'today' | 'patient' | 'payer'> &
  Partial<Pick<CoderCase, 'dos' | 'today' | 'patient' | 'payer'>>;

/** A case on the default visit: an adult, commercial plan, seen 2026-08-03, filed 2026-08-20. */
export const kase = (c: Given): CoderCase => ({
  dos: '2026-08-03',
  today: '2026-08-20',
  patient: ADULT,
  payer: 'commercial',
  ...c,
});

/** Excludes1, Excludes2, the addenda and code validity (items 5, 2). */
const DIAGNOSIS_CASES: CoderCase[] = [
  kase({
    id: 'excludes1-range-across-letters',
    why: 'Z34 (normal pregnancy) excludes any complication of pregnancy O00-O9A: hyperemesis makes it not normal',
    patient: 'F 1997-03-14',
    dx: ['O21.0', 'Z34.01'],
    lines: ['99213 p1,2'],
    fires: ['dx-excludes1 error dx2'],
    offers: { 'dx-excludes1 dx2': ['O21.0', 'Z34.01'] },
  }),
  kase({
    id: 'excludes1-category-note',
    why: 'E11 excludes E10: a patient has type 1 or type 2 diabetes, not both',
    patient: MAN,
    dx: ['E11.9', 'E10.9'],
    lines: ['99214 p1,2', '83036'],
    fires: ['dx-excludes1 error dx2'],
    silent: ['dx-diabetes-without-complications'],
  }),
  kase({
    id: 'excludes1-symptom-of-diagnosis',
    why: 'K52.9 excludes R19.7: diarrhea is part of the gastroenteritis ("stomach flu")',
    dx: ['K52.9', 'R19.7'],
    lines: ['99213 p1,2'],
    fires: ['dx-excludes1 error dx2'],
  }),
  kase({
    id: 'excludes1-header-range',
    why: 'R42 excludes vertigo of vestibular origin (H81.-): BPPV is the diagnosis, dizziness is not coded',
    dx: ['H81.11', 'R42'],
    lines: ['99213 p1,2'],
    fires: ['dx-excludes1 error dx2'],
  }),
  kase({
    id: 'excludes2-both-allowed',
    why: 'I10 has Excludes2 for I60-I69: hypertension and late effects of stroke are both reported',
    patient: MEDICARE_MAN,
    payer: 'medicare',
    dx: ['I10', 'I69.351'],
    lines: ['99214 p1,2'],
    fires: [],
    silent: ['dx-excludes1'],
  }),
  kase({
    id: 'addenda-g35-billable-in-2024',
    why: 'G35 was billable until FY2026 subdivided it: a 2024 visit keeps G35 (addenda reflag)',
    dos: '2024-05-01',
    today: '2024-05-20',
    dx: ['G35'],
    lines: ['99214'],
    fires: ['codes-release-stale warning'],
    silent: ['dx-not-billable'],
  }),
  kase({
    id: 'addenda-g35-header-in-fy2026',
    why: 'From 2025-10-01 G35 is a header: choose G35.A (relapsing-remitting) or another child',
    dx: ['G35'],
    lines: ['99214'],
    fires: ['dx-not-billable error dx1'],
    offers: { 'dx-not-billable dx1': ['G35.A', 'G35.D'] },
  }),
  kase({
    id: 'addenda-deleted-code-after',
    why: 'T78.07XA was deleted for FY2026 (food anaphylaxis moved): not valid on an August 2026 visit',
    dx: ['T78.07XA'],
    lines: ['99214'],
    fires: ['dx-not-valid-on-date error dx1'],
  }),
  kase({
    id: 'addenda-deleted-code-before',
    why: 'T78.07XA was valid for a June 2025 visit; the FY2025 release is not loaded, which is said',
    dos: '2025-06-10',
    today: '2025-06-30',
    dx: ['T78.07XA'],
    lines: ['99214'],
    fires: ['codes-release-stale warning'],
    silent: ['dx-not-valid-on-date'],
  }),
  kase({
    id: 'category-offers-billable-codes',
    why: 'E11 is a category: the fix offers billable codes (E11.9, E11.65), never E11.6',
    patient: MAN,
    dx: ['E11'],
    lines: ['99213'],
    fires: ['dx-not-billable error dx1'],
    offers: { 'dx-not-billable dx1': ['E11.9', 'E11.8'] },
  }),
  kase({
    id: 'seventh-character-missing',
    why: 'A distal radius fracture needs its encounter character: S52.501A for active treatment',
    dx: ['S52.501'],
    lines: ['99203'],
    fires: ['dx-seventh-character error dx1'],
    offers: { 'dx-seventh-character dx1': ['S52.501A'] },
  }),
  kase({
    id: 'duplicate-diagnosis',
    why: 'I10 entered twice: the second copy adds nothing',
    patient: MAN,
    dx: ['I10', 'I10'],
    lines: ['99213'],
    fires: ['dx-duplicate warning dx2'],
  }),
];

/** ICD-10-CM combination conventions (item 6). */
const COMBINATION_CASES: CoderCase[] = [
  kase({
    id: 'hypertension-with-ckd',
    why: 'Guideline I.C.9.a.2 presumes the link: hypertension with CKD stage 3 is I12.9 with N18.30',
    patient: MEDICARE_WOMAN,
    payer: 'medicare',
    dx: ['I10', 'N18.30'],
    lines: ['99214 p1,2'],
    fires: ['dx-hypertension-combination error dx1'],
    offers: { 'dx-hypertension-combination dx1': ['I12.9'] },
  }),
  kase({
    id: 'hypertension-with-esrd',
    why: 'With end-stage renal disease the combination code is I12.0',
    patient: MEDICARE_MAN,
    payer: 'medicare',
    dx: ['N18.6', 'I10'],
    lines: ['99215 p1,2'],
    fires: ['dx-hypertension-combination error dx2'],
    offers: { 'dx-hypertension-combination dx2': ['I12.0'] },
  }),
  kase({
    id: 'hypertensive-ckd-coded-right',
    why: 'I12.9 with the N18 stage is the correct pair: nothing to say',
    patient: MEDICARE_WOMAN,
    payer: 'medicare',
    dx: ['I12.9', 'N18.30'],
    lines: ['99214 p1,2'],
    fires: [],
    silent: ['dx-hypertension-combination', 'dx-excludes1'],
  }),
  kase({
    id: 'diabetes-without-with-complication',
    why: 'E11.9 says "without complications" beside E11.22 diabetic CKD: drop E11.9',
    patient: MAN,
    dx: ['E11.9', 'E11.22', 'N18.30'],
    lines: ['99214 p1,2,3', '83036 p1'],
    fires: ['dx-diabetes-without-complications error dx1'],
  }),
];

/** NCCI PTP with modifiers 25/57/59/X{EPSU}, and the PFS global days (items 5, 4). */
const PTP_CASES: CoderCase[] = [
  kase({
    id: 'visit-with-joint-injection-no-25',
    why: 'A knee injection (000 global) bundles the visit unless it was separately identifiable: 25',
    dx: ['M17.11'],
    lines: ['99213', '20610'],
    fires: ['ncci-ptp error line1'],
    offers: { 'ncci-ptp line1': ['25'] },
    silent: ['em-needs-25'],
  }),
  kase({
    id: 'visit-with-joint-injection-25',
    why: 'Separate problem managed and 25 on the visit: both lines are paid',
    dx: ['M17.11', 'E11.9'],
    lines: ['99213-25 p1,2', '20610 p1'],
    fires: [],
  }),
  kase({
    id: 'visit-with-joint-injection-57',
    why: '57 is the decision for major surgery; a 000-day injection needs 25',
    dx: ['M17.11'],
    lines: ['99214-57', '20610'],
    fires: ['ncci-ptp error line1'],
    offers: { 'ncci-ptp line1': ['25'] },
    says: { 'ncci-ptp line1': ['57 is for major surgery'] },
  }),
  kase({
    id: 'ecg-indicator-0-with-59',
    why: 'A complete ECG includes its interpretation: indicator 0, and 59 cannot unbundle it',
    patient: MAN,
    dx: ['R07.9'],
    lines: ['93000', '93010-59'],
    fires: ['ncci-ptp error line2'],
    silent: ['modifier-59-not-needed'],
  }),
  kase({
    id: 'therapy-pair-no-modifier',
    why: 'Manual therapy with therapeutic activities in the same 15 minutes is bundled',
    dx: ['M54.50'],
    lines: ['97530 x2', '97140 x2'],
    fires: ['ncci-ptp error line2'],
    offers: { 'ncci-ptp line2': ['XS', 'XU', '59'] },
  }),
  kase({
    id: 'therapy-pair-xu',
    why: 'Separate, documented time blocks: XU says so and both lines pay',
    dx: ['M54.50'],
    lines: ['97530 x2', '97140-XU x2'],
    fires: [],
  }),
  kase({
    id: 'modifier-59-not-needed',
    why: 'No edit pairs an HbA1c with a venipuncture: 59 only draws an audit',
    patient: MAN,
    dx: ['E11.9'],
    lines: ['83036-59', '36415'],
    fires: ['modifier-59-not-needed warning line1'],
  }),
  kase({
    id: 'deleted-ptp-edit-not-applied',
    why: 'The 17110/11102 edit was deleted 2025-01-01: wart destruction and a biopsy both pay in 2026',
    dx: ['B07.8', 'D48.5'],
    lines: ['17110 p1', '11102 p2'],
    fires: [],
    silent: ['ncci-ptp'],
  }),
  kase({
    id: 'decision-for-surgery-57',
    why: 'The visit that decided on a knee replacement (090 global) is paid with 57',
    patient: MEDICARE_MAN,
    payer: 'medicare',
    dx: ['M17.11'],
    lines: ['99214-57', '27447'],
    fires: [],
    silent: ['em-needs-25', 'ncci-ptp'],
  }),
  kase({
    id: 'decision-for-surgery-25-is-wrong',
    why: '25 does not separate a visit from major surgery: one finding, asking for 57',
    patient: MEDICARE_MAN,
    payer: 'medicare',
    dx: ['M17.11'],
    lines: ['99214-25', '27447'],
    fires: ['ncci-ptp error line1'],
    offers: { 'ncci-ptp line1': ['57'] },
  }),
  kase({
    id: 'minor-procedure-without-ptp-row',
    why: 'A shave biopsy has a 0-day global period: the visit needs 25 even where no PTP row says so',
    dx: ['L98.9'],
    lines: ['99213', '11102'],
    fires: ['em-needs-25 warning line1'],
    offers: { 'em-needs-25 line1': ['25'] },
  }),
  kase({
    id: 'major-procedure-without-ptp-row',
    why: 'A new patient visit on the day of a knee replacement needs 57 (global days 090), not 25',
    patient: MEDICARE_MAN,
    payer: 'medicare',
    dx: ['M17.11'],
    lines: ['99204', '27447'],
    fires: ['em-needs-25 warning line1'],
    offers: { 'em-needs-25 line1': ['57'] },
  }),
];

export const CODER_CASES_A: readonly CoderCase[] = [
  ...DIAGNOSIS_CASES,
  ...COMBINATION_CASES,
  ...PTP_CASES,
];
