/**
 * What billing staff do next about a denial, by claim adjustment group and reason code (X12 CARC),
 * with the remark code (RARC) where it says what is missing. One table, used wherever a denial is
 * shown: the worker's denial work item (Task) and the app's claim status. Browser-safe.
 *
 * Sources: the X12 CARC/RARC lists; Medicare Claims Processing Manual ch. 1 §70 (timely filing:
 * an exception needs proof, else the charge is written off and the patient is not billed), ch. 30
 * §40 (ABN: without a valid one the provider is liable, CO-50/96), ch. 29 (appeals and
 * reopenings); NCCI Policy Manual ch. I (bundling and modifiers).
 */

export type DenialAction =
  'correct-resubmit' | 'appeal' | 'write-off' | 'bill-patient' | 'update-coverage' | 'review';

export interface DenialNextStep {
  /** The steps in plain words, the first being the one most often right. */
  text: string;
  /** The actions the step allows, for queues and reports. */
  actions: readonly DenialAction[];
  /** True when the patient may be billed for the denied amount. */
  patientMayBeBilled: boolean;
}

const STEPS: Readonly<Record<string, DenialNextStep>> = {
  'CO-16': {
    text: 'The claim lacks information the payer needs: add what the remark code names and resubmit a corrected claim (frequency 7). This is not an appeal.',
    actions: ['correct-resubmit'],
    patientMayBeBilled: false,
  },
  'CO-18': {
    text: 'Duplicate claim or service: check whether the first claim was paid; if the service was really done twice, resubmit with modifier 76 or 77 and documentation. Do not resend the same claim.',
    actions: ['review', 'correct-resubmit'],
    patientMayBeBilled: false,
  },
  'CO-22': {
    text: 'Another payer is primary (coordination of benefits): bill the primary payer first, then this one with the primary payer’s remittance.',
    actions: ['update-coverage', 'correct-resubmit'],
    patientMayBeBilled: false,
  },
  'CO-27': {
    text: 'Coverage had ended on the date of service: verify eligibility and update the patient’s coverage (a new plan, Medicaid, another payer) and bill that payer; if the patient had none, bill the patient.',
    actions: ['update-coverage', 'bill-patient'],
    patientMayBeBilled: true,
  },
  'CO-29': {
    text: 'Filed after the payer’s time limit: send proof of timely filing (an earlier acceptance report or rejection within the window) as a reconsideration; without proof, write the charge off. The patient may not be billed.',
    actions: ['appeal', 'write-off'],
    patientMayBeBilled: false,
  },
  'CO-45': {
    text: 'Contractual adjustment (the charge is above the allowed amount): no action, it is written off under the contract; check the allowed amount against the fee schedule.',
    actions: ['review'],
    patientMayBeBilled: false,
  },
  'CO-50': {
    text: 'Not medically necessary in the payer’s judgment: check the diagnosis pointers and the payer’s coverage policy (LCD/NCD); appeal with the documentation if it supports necessity. Without a signed advance notice (ABN for Medicare) the charge is written off.',
    actions: ['appeal', 'correct-resubmit', 'write-off'],
    patientMayBeBilled: false,
  },
  'PR-50': {
    text: 'Not medically necessary, and the patient signed an advance notice: bill the patient.',
    actions: ['bill-patient'],
    patientMayBeBilled: true,
  },
  'CO-96': {
    text: 'Not covered by the plan: check whether an advance notice (ABN, modifier GA) was signed before the service; with one, bill the patient (resubmit with GA if it was missing); without one, write the charge off.',
    actions: ['bill-patient', 'correct-resubmit', 'write-off'],
    patientMayBeBilled: false,
  },
  'PR-96': {
    text: 'Not covered, and the patient is responsible: bill the patient.',
    actions: ['bill-patient'],
    patientMayBeBilled: true,
  },
  'CO-97': {
    text: 'Bundled into another service on the same day (NCCI): check the modifiers; if the service was distinct (another site or session), resubmit with 59/XS/XE/XP/XU or 25 on a visit, with documentation; otherwise it is paid with the other service, write it off.',
    actions: ['correct-resubmit', 'write-off'],
    patientMayBeBilled: false,
  },
  'CO-197': {
    text: 'Prior authorization was required and not obtained: ask the payer for a retroactive authorization and resubmit with its number; otherwise write it off.',
    actions: ['correct-resubmit', 'write-off'],
    patientMayBeBilled: false,
  },
  'CO-204': {
    text: 'Not covered under the patient’s current benefit plan: check the benefits; bill the patient only if they agreed in writing beforehand, otherwise write it off.',
    actions: ['bill-patient', 'write-off'],
    patientMayBeBilled: false,
  },
};

/** CO-16 remark codes that say what is missing. */
const RARC_MISSING: Readonly<Record<string, string>> = {
  M76: 'a diagnosis for the service (add or point to the diagnosis)',
  M51: 'a valid procedure code',
  MA130: 'information needed to process the claim (see the other remark codes)',
  N30: 'eligibility for the service (verify the coverage)',
  N290: 'the rendering provider’s NPI',
  M119: 'the NDC for the drug',
  MA04: 'the primary payer’s payment information',
};

const GROUP_DEFAULT: Readonly<Record<string, DenialNextStep>> = {
  PR: {
    text: 'Patient responsibility: bill the patient the amount shown.',
    actions: ['bill-patient'],
    patientMayBeBilled: true,
  },
  CO: {
    text: 'Contractual obligation: the patient may not be billed. Correct and resubmit if the claim was wrong, otherwise appeal with documentation or write it off.',
    actions: ['correct-resubmit', 'appeal', 'write-off'],
    patientMayBeBilled: false,
  },
  OA: {
    text: 'Other adjustment: review the remittance; correct and resubmit or appeal as it says.',
    actions: ['review', 'correct-resubmit', 'appeal'],
    patientMayBeBilled: false,
  },
  PI: {
    text: 'Payer-initiated reduction: the patient may not be billed; appeal if the reduction is wrong.',
    actions: ['appeal', 'write-off'],
    patientMayBeBilled: false,
  },
};

/**
 * The next step for a denial: by group and CARC (`CO-29`), then by CARC with CO as the group
 * (a payer that sends no group), then the group's general rule. For CO-16 the remark code names
 * what is missing.
 */
export function denialNextStep(
  group: string | undefined,
  carc: string,
  rarc?: string,
): DenialNextStep {
  const g = (group ?? 'CO').toUpperCase();
  const step =
    STEPS[`${g}-${carc}`] ??
    (g === 'CO' ? undefined : STEPS[`CO-${carc}`]) ??
    GROUP_DEFAULT[g] ??
    GROUP_DEFAULT.CO;
  if (!step) throw new Error('no default denial step');
  if (carc === '16' && rarc) {
    const missing = RARC_MISSING[rarc.toUpperCase()];
    return {
      ...step,
      text: `The payer needs ${missing ?? `what remark code ${rarc} names`}: add it and resubmit a corrected claim (frequency 7). This is not an appeal.`,
    };
  }
  return step;
}
