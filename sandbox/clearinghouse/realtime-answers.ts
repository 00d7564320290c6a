import type { CoverageEligibilityRequest } from 'fhir/r4';
import { openX12 } from '../../src/x12/envelope-check.ts';
import { el } from '../../src/x12/segment-reader.ts';
import { X12InputError } from '../../src/x12/x12-error.ts';
import { amount } from '../../src/x12/x12-values.ts';
import { text, type OutSegment } from '../../src/x12/x12-writer.ts';
import { answerEligibility } from '../payer-server-eligibility.ts';
import { costSharingOf } from '../payer-server-rules.ts';
import { answerFile, d8, KIND_271, KIND_277, x12Date, type Party } from './answer-envelope.ts';
import type { IntakeState } from './claim-intake.ts';
import type { DependentName, MemberLookup } from './members.ts';

/** What a 270 or 276 asks, as read from it. */
interface Inquiry {
  set: string;
  sender: Party;
  payer: { id: string; name: string };
  provider: { name: string; npi: string };
  trace: string;
  traceOriginator: string;
  member: { id: string; last: string; first: string };
  /** 270 loop 2000D/2100D: the dependent asked about under the member's id (NM1*03, DMG). */
  dependent?: DependentName;
  /** 270: DTP*291; 276: DTP*472. */
  date: string;
  serviceTypes: string[];
  /** 276: REF*EJ, the CLM01 asked about. */
  claimNumber: string;
}

/**
 * Reads a 270 or 276 (one inquiry; the first subscriber and, in a 270, the dependent of its
 * loop 2000D), refusing anything else.
 */
export async function readInquiry(x12: string): Promise<Inquiry> {
  const stream = openX12(x12);
  const q: Inquiry = {
    set: '',
    sender: { qualifier: 'ZZ', id: '' },
    payer: { id: '', name: '' },
    provider: { name: '', npi: '' },
    trace: '',
    traceOriginator: '',
    member: { id: '', last: '', first: '' },
    date: '',
    serviceTypes: [],
    claimNumber: '',
  };
  let level = '';
  for await (const s of stream.segments) {
    if (s.tag === 'HL') level = el(s, 3);
    if (s.tag === 'ISA') q.sender = { qualifier: el(s, 5), id: el(s, 6).trim() };
    else if (s.tag === 'ST') q.set = el(s, 1);
    else if (s.tag === 'NM1' && el(s, 1) === 'PR') q.payer = { id: el(s, 9), name: el(s, 3) };
    else if (s.tag === 'NM1' && el(s, 1) === '1P') q.provider = { name: el(s, 3), npi: el(s, 9) };
    else if (s.tag === 'NM1' && el(s, 1) === 'IL')
      q.member = { id: el(s, 9), last: el(s, 3), first: el(s, 4) };
    else if (s.tag === 'NM1' && el(s, 1) === '03' && level === '23' && !q.dependent)
      q.dependent = { last: el(s, 3), first: el(s, 4) };
    else if (s.tag === 'DMG' && level === '23' && q.dependent && /^\d{8}$/.test(el(s, 2)))
      q.dependent.birthDate = el(s, 2);
    else if (s.tag === 'TRN' && !q.trace) {
      q.trace = el(s, 2);
      q.traceOriginator = el(s, 3);
    } else if (s.tag === 'DTP' && (el(s, 1) === '291' || el(s, 1) === '472'))
      q.date = el(s, 3).split('-')[0] ?? '';
    else if (s.tag === 'EQ') q.serviceTypes = el(s, 1).split(stream.delimiters().repetition);
    else if (s.tag === 'REF' && el(s, 1) === 'EJ') q.claimNumber = el(s, 2);
  }
  if (q.set !== '270' && q.set !== '276')
    throw new X12InputError(`ST01 is '${q.set}': the real-time endpoint answers 270 and 276`);
  return q;
}

const iso = (v: string) => `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`;

/**
 * The levels a 271 and a 277 share: payer (20), provider or receiver (21), subscriber (22); for
 * a 270 about a dependent, the subscriber (HL child code 1) and then the dependent (2000D HL*23,
 * with the trace, NM1*03 and DMG), after which the answer's dates and EBs are 2100D/2110D's.
 */
function header(q: Inquiry, bht: OutSegment): OutSegment[] {
  const dependent = q.set === '270' ? q.dependent : undefined;
  const member: OutSegment = [
    'NM1',
    'IL',
    '1',
    q.member.last,
    q.member.first,
    '',
    '',
    '',
    'MI',
    q.member.id,
  ];
  const traced: OutSegment = ['TRN', '2', q.trace, q.traceOriginator];
  return [
    bht,
    ['HL', '1', '', '20', '1'],
    ['NM1', 'PR', '2', text(q.payer.name), '', '', '', '', 'PI', q.payer.id],
    ['HL', '2', '1', '21', '1'],
    ['NM1', '1P', '2', text(q.provider.name), '', '', '', '', 'XX', q.provider.npi],
    ...(dependent
      ? [
          ['HL', '3', '2', '22', '1'],
          member,
          ['HL', '4', '3', '23', '0'],
          traced,
          ['NM1', '03', '1', dependent.last, dependent.first],
          ...(dependent.birthDate ? [['DMG', 'D8', dependent.birthDate]] : []),
        ]
      : [['HL', '3', '2', '22', '0'], traced, member]),
  ];
}

/**
 * A 271 (005010X279A1) from the sandbox payer's eligibility rules (`answerEligibility`, the
 * same the FHIR payer uses): active (EB*1) or inactive (EB*6) with the reason, plan dates, and
 * for an active plan the office-visit copay, coinsurance and deductible. A member the payer does
 * not know gets AAA 75 (subscriber not found) with follow-up C (correct and resubmit); a
 * dependent (270 loop 2000D) is answered in 2000D/2110D from their own enrollment under the
 * member id, and one the payer cannot match by name and date of birth gets AAA 67 (patient not
 * found) there.
 */
export function answer270(
  q: Inquiry,
  members: MemberLookup,
  state: IntakeState,
  now: Date,
): string {
  const { d8: today, time } = x12Date(now);
  const subscriber = members.find(q.payer.id, q.member.id);
  const coverage =
    subscriber && q.dependent
      ? members.findDependent(q.payer.id, q.member.id, q.dependent)
      : subscriber;
  // An unknown member id is answered in 2100C alone: there is no subscriber to hang 2000D on.
  const { dependent, ...withoutDependent } = q;
  const body = header(subscriber && dependent ? q : withoutDependent, [
    'BHT',
    '0022',
    '11',
    q.trace,
    today,
    time,
  ]);
  if (!coverage) {
    body.push(['AAA', 'N', '', subscriber ? '67' : '75', 'C']);
    return answerFile(q.sender, KIND_271, [body], state.nextControl(), now);
  }
  const request: CoverageEligibilityRequest = {
    resourceType: 'CoverageEligibilityRequest',
    status: 'active',
    purpose: ['benefits'],
    patient: { display: 'subscriber' },
    created: now.toISOString(),
    insurer: { display: q.payer.name },
    ...(q.date ? { servicedDate: iso(q.date) } : {}),
    insurance: [{ focal: true, coverage: { reference: 'Coverage/member' } }],
  };
  const response = answerEligibility({
    request,
    coverage,
    received: now,
    responseId: `elig-${state.nextNumber()}`,
  });
  const insurance = response.insurance?.[0];
  const period = insurance?.benefitPeriod ?? coverage.period;
  if (period?.start) body.push(['DTP', '346', 'D8', d8(period.start)]);
  if (period?.end) body.push(['DTP', '347', 'D8', d8(period.end)]);
  const plan = coverage.class?.find((c) => c.type.coding?.some((t) => t.code === 'plan'))?.name;
  if (!insurance?.inforce) {
    body.push(['EB', '6', 'IND', '30', '', text(plan)]);
    const reason = response.error?.[0]?.code.text;
    if (reason) body.push(['MSG', text(reason, 264)]);
    return answerFile(q.sender, KIND_271, [body], state.nextControl(), now);
  }
  body.push(['EB', '1', 'IND', '30', 'PR', text(plan)]);
  const sharing = costSharingOf(coverage);
  const types = q.serviceTypes.includes('98') || q.serviceTypes.length === 0 ? ['98'] : [];
  for (const type of types) {
    body.push([
      'EB',
      'B',
      'IND',
      type,
      '',
      '',
      '27',
      amount(sharing.officeCopay),
      '',
      '',
      '',
      '',
      'Y',
    ]);
    body.push([
      'EB',
      'A',
      'IND',
      type,
      '',
      '',
      '27',
      '',
      String(sharing.coinsurancePercent / 100),
      '',
      '',
      '',
      'Y',
    ]);
    if (sharing.deductible !== undefined)
      body.push([
        'EB',
        'C',
        'IND',
        type,
        '',
        '',
        '23',
        amount(sharing.deductible),
        '',
        '',
        '',
        '',
        'Y',
      ]);
  }
  return answerFile(q.sender, KIND_271, [body], state.nextControl(), now);
}

/**
 * A 277 (005010X212) from what the clearinghouse has adjudicated: finalized and paid (F1:65) or
 * denied (F2, see the 835) with the charge and the payment, rejected at the front door (the
 * 277CA's codes), or not found (A4:35).
 */
export function answer276(q: Inquiry, state: IntakeState, now: Date): string {
  const { d8: today, time } = x12Date(now);
  const body = header(q, ['BHT', '0010', '08', q.trace, today, time, 'DG']);
  // A payer knows each submission by its own patient control number (REF*EJ): a replacement is
  // kept under the claim it replaced (found by REF*F8), with its own CLM01 on its remittance.
  const done =
    state.adjudicated.get(q.claimNumber) ??
    [...state.adjudicated.values()].find((d) => d.remit.claimNumber === q.claimNumber);
  const rejected = state.rejected.get(q.claimNumber);
  if (done) {
    const { remit } = done;
    const stc = remit.status === '4' ? 'F2:1' : remit.paid > 0 ? 'F1:65' : 'F4:1';
    body.push(['STC', stc, d8(remit.received), '', amount(remit.charge), amount(remit.paid)]);
    body.push(['REF', '1K', remit.payerClaimNumber]);
  } else if (rejected?.[0]) {
    const s = rejected[0];
    body.push(['STC', [s.category, s.status, s.entity].filter(Boolean).join(':'), today]);
  } else body.push(['STC', 'A4:35', today]);
  body.push(['REF', 'EJ', q.claimNumber]);
  if (q.date) body.push(['DTP', '472', 'D8', q.date]);
  return answerFile(q.sender, KIND_277, [body], state.nextControl(), now);
}
