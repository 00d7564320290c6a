import { isValidNpi } from '../../src/edits/npi-check.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { payerOf } from '../../src/x12/claim-to-837.ts';
import { renderingOf } from '../../src/x12/claim-837-input.ts';
import type { Read837 } from '../../src/x12/read-837.ts';
import type { OutSegment } from '../../src/x12/x12-writer.ts';
import {
  answerFile,
  CLEARINGHOUSE,
  d8,
  KIND_277CA,
  x12Date,
  type Party,
} from './answer-envelope.ts';
import type { MemberLookup } from './members.ts';

/** One STC01 composite: category, status and (optionally) the entity it is about. */
export interface Stc {
  category: string;
  status: string;
  entity?: string;
}

/** A claim as the front door judged it. */
export interface Judged {
  read: Read837;
  claimNumber: string;
  charge: number;
  accepted: boolean;
  statuses: Stc[];
  /** The payer's claim control number, assigned on acceptance. */
  payerClaimNumber?: string;
}

/** The first date of service of a claim read from an 837P (YYYY-MM-DD). */
export function serviceDateOf(read: Read837): string {
  const item = read.input.claim.item?.[0];
  return item?.servicedDate ?? item?.servicedPeriod?.start ?? '';
}

/**
 * The front-end edits a clearinghouse and its payer run before accepting a claim into
 * adjudication (the 277CA's subject): NPIs that pass their check digit, a member id the payer
 * knows, at least one diagnosis, no date of service in the future. Each failure is one STC with
 * the claim status category (A3 returned, A6 missing, A7 invalid), status code and entity.
 */
export function frontDoorEdits(read: Read837, members: MemberLookup, today: string): Stc[] {
  const { input } = read;
  const problems: Stc[] = [];
  const billingNpi = input.billingProvider.identifier?.find((i) => i.system === SYSTEM.npi)?.value;
  if (!billingNpi || !isValidNpi(billingNpi))
    problems.push({ category: 'A7', status: '562', entity: '85' });
  const renderingNpi = renderingOf(input)?.identifier?.find((i) => i.system === SYSTEM.npi)?.value;
  if (renderingNpi !== undefined && !isValidNpi(renderingNpi))
    problems.push({ category: 'A7', status: '562', entity: '82' });
  const memberId = input.coverage.subscriberId?.trim() ?? '';
  let payerId = '';
  try {
    payerId = payerOf(input).id;
  } catch {
    problems.push({ category: 'A6', status: '21', entity: 'PR' });
  }
  if (!memberId) problems.push({ category: 'A6', status: '164', entity: 'IL' });
  else if (payerId && !members.find(payerId, memberId))
    problems.push({ category: 'A3', status: '33', entity: 'IL' });
  if ((input.claim.diagnosis ?? []).length === 0) problems.push({ category: 'A6', status: '255' });
  const date = serviceDateOf(read);
  if (!date || date > today) problems.push({ category: 'A7', status: '187' });
  return problems;
}

/**
 * The 277CA (005010X214) for the claims of one 837 file: the clearinghouse (2000A, NM1*AY), the
 * submitter (2000B) with the counts and amounts accepted and rejected, and per claim the billing
 * provider (2000C) and patient (2000D) with TRN02 = CLM01 and the STC: A1:19 + A2:20 accepted
 * (with REF*1K the payer's claim number), or the rejection's codes.
 */
export function build277ca(
  to: Party & { name: string },
  batchRef: string,
  claims: readonly Judged[],
  control: number,
  now: Date,
): string {
  const { d8: today } = x12Date(now);
  const acceptedClaims = claims.filter((c) => c.accepted);
  const rejectedClaims = claims.filter((c) => !c.accepted);
  const sum = (list: readonly Judged[]) => list.reduce((a, c) => a + c.charge, 0).toFixed(2);
  const body: OutSegment[] = [
    ['BHT', '0085', '08', batchRef, today, x12Date(now).time, 'TH'],
    ['HL', '1', '', '20', '1'],
    ['NM1', 'AY', '2', CLEARINGHOUSE.name, '', '', '', '', '46', CLEARINGHOUSE.id],
    ['TRN', '1', batchRef],
    ['DTP', '050', 'D8', today],
    ['DTP', '009', 'D8', today],
    ['HL', '2', '1', '21', '1'],
    ['NM1', '41', '2', to.name, '', '', '', '', '46', to.id],
    ['TRN', '2', batchRef],
    ['STC', 'A1:19', today, 'WQ', sum(claims)],
    ['QTY', '90', String(acceptedClaims.length)],
    ['QTY', 'AA', String(rejectedClaims.length)],
    ['AMT', 'YU', sum(acceptedClaims)],
    ['AMT', 'YY', sum(rejectedClaims)],
  ];
  let hl = 2;
  for (const c of claims) {
    const { input } = c.read;
    const npi = input.billingProvider.identifier?.find((i) => i.system === SYSTEM.npi)?.value;
    const name = input.patient.name?.[0];
    hl += 1;
    body.push(
      ['HL', String(hl), '2', '19', '1'],
      ['NM1', '85', '2', input.billingProvider.name ?? '', '', '', '', '', 'XX', npi ?? ''],
    );
    hl += 1;
    body.push(
      ['HL', String(hl), String(hl - 1), 'PT'],
      [
        'NM1',
        'QC',
        '1',
        name?.family ?? '',
        name?.given?.[0] ?? '',
        '',
        '',
        '',
        'MI',
        input.coverage.subscriberId ?? '',
      ],
      ['TRN', '2', c.claimNumber],
    );
    const statuses: Stc[] = c.accepted
      ? [
          { category: 'A1', status: '19', entity: 'PR' },
          { category: 'A2', status: '20', entity: 'PR' },
        ]
      : c.statuses;
    const stc = (s: Stc) => [s.category, s.status, s.entity].filter(Boolean).join(':');
    // STC01, STC10 and STC11 carry three statuses; more go in further STC segments.
    for (let i = 0; i < Math.max(1, statuses.length); i += 3) {
      const [first = { category: 'A3', status: '21' }, second, third] = statuses.slice(i, i + 3);
      body.push([
        'STC',
        stc(first),
        today,
        c.accepted ? 'WQ' : 'U',
        c.charge.toFixed(2),
        '',
        '',
        '',
        '',
        '',
        second ? stc(second) : '',
        third ? stc(third) : '',
      ]);
    }
    if (c.payerClaimNumber) body.push(['REF', '1K', c.payerClaimNumber]);
    const date = serviceDateOf(c.read);
    if (date) body.push(['DTP', '472', 'D8', d8(date)]);
  }
  return answerFile(to, KIND_277CA, [body], control, now);
}
