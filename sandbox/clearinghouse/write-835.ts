import type { EraClaim } from '../../src/x12/era-types.ts';
import type { Read837 } from '../../src/x12/read-837.ts';
import { amount } from '../../src/x12/x12-values.ts';
import type { OutSegment } from '../../src/x12/x12-writer.ts';
import { d8, x12Date } from './answer-envelope.ts';
import { serviceDateOf } from './front-door.ts';

/** One CAS reason: group code, CARC and amount. */
export interface Adjustment {
  group: 'CO' | 'PR' | 'OA' | 'PI';
  reason: string;
  amount: number;
}

/** Loop 2110: one service line paid (or not). */
export interface RemitLine {
  code: string;
  modifiers: string[];
  charge: number;
  paid: number;
  units: number;
  date: string;
  allowed?: number;
  adjustments: Adjustment[];
  remarks: string[];
  /** REF*6R: the line item control number the 837P sent, echoed. */
  lineRef?: string;
}

/** Loop 2100: one claim paid, denied or reversed. */
export interface Remit {
  claimNumber: string;
  /** CLP02: 1 processed as primary, 4 denied, 22 reversal. */
  status: '1' | '4' | '22';
  charge: number;
  paid: number;
  patientResponsibility: number;
  payerClaimNumber: string;
  patient: { last: string; first: string; memberId: string };
  received: string;
  lines: RemitLine[];
}

/** A provider-level adjustment (PLB): positive amounts reduce the payment (835 TR3 §1.10.2.1.3). */
export interface ProviderAdjustment {
  reason: string;
  reference: string;
  amount: number;
}

/**
 * The 835 claim of the sandbox payer's adjudication (`adjudicateRemit`, the same remittance its
 * FHIR `$submit` answer is mapped from: one source of rules, issue 15) for a claim read from an
 * 837P: amounts and CAS reasons as the payer made them, the 837P's line references echoed.
 */
export function remitOf(
  era: EraClaim,
  read: Read837,
  lineRefs: readonly string[],
  received: string,
): Remit {
  const { claim, coverage, patient } = read.input;
  const lines: RemitLine[] = era.lines.map((line, i) => {
    const item = claim.item?.[i];
    const ref = lineRefs[i];
    return {
      code: line.code,
      modifiers: line.modifiers.filter(Boolean),
      charge: line.charge,
      paid: line.paid,
      units: line.units ?? 1,
      date: item?.servicedDate ?? item?.servicedPeriod?.start ?? serviceDateOf(read),
      ...(line.allowed !== undefined && line.allowed > 0 ? { allowed: line.allowed } : {}),
      adjustments: line.adjustments.map((a) => ({ ...a, group: a.group as Adjustment['group'] })),
      remarks: line.remarks,
      ...(ref ? { lineRef: ref } : {}),
    };
  });
  return {
    claimNumber: claim.identifier?.[0]?.value ?? '',
    status: era.status === '4' ? '4' : '1',
    charge: claim.total?.value ?? era.charge,
    paid: era.paid,
    patientResponsibility: era.patientResponsibility ?? 0,
    payerClaimNumber: era.payerClaimControlNumber,
    patient: {
      last: patient.name?.[0]?.family ?? '',
      first: patient.name?.[0]?.given?.[0] ?? '',
      memberId: coverage.subscriberId ?? '',
    },
    received,
    lines,
  };
}

/**
 * A claim the payer already adjudicated, sent again as an original: denied in full with CARC 18
 * (exact duplicate claim/service, group CO), as payers answer a duplicate. Nothing is paid twice.
 */
export function duplicateRemit(
  read: Read837,
  payerClaimNumber: string,
  lineRefs: readonly string[],
  received: string,
): Remit {
  const { claim, coverage, patient } = read.input;
  const lines: RemitLine[] = (claim.item ?? []).map((item, i) => {
    const charge = item.net?.value ?? 0;
    const ref = lineRefs[i];
    return {
      code: item.productOrService.coding?.[0]?.code ?? '',
      modifiers: (item.modifier ?? []).map((m) => m.coding?.[0]?.code ?? '').filter(Boolean),
      charge,
      paid: 0,
      units: item.quantity?.value ?? 1,
      date: item.servicedDate ?? serviceDateOf(read),
      adjustments: [{ group: 'CO', reason: '18', amount: charge }],
      remarks: [],
      ...(ref ? { lineRef: ref } : {}),
    };
  });
  return {
    claimNumber: claim.identifier?.[0]?.value ?? '',
    status: '4',
    charge: claim.total?.value ?? 0,
    paid: 0,
    patientResponsibility: 0,
    payerClaimNumber,
    patient: {
      last: patient.name?.[0]?.family ?? '',
      first: patient.name?.[0]?.given?.[0] ?? '',
      memberId: coverage.subscriberId ?? '',
    },
    received,
    lines,
  };
}

/** The payee (1000B) and payer (1000A) of an 835. */
export interface RemitParties {
  payer: { id: string; name: string };
  payee: { name: string; npi: string; ein?: string };
}

/**
 * One 835 (005010X221A1) transaction body: BPR/TRN (an ACH credit, or a notification only when
 * nothing is paid), the payer and payee, each claim's CLP with its patient, service lines (SVC,
 * DTM*472, CAS by group, REF*6R, AMT*B6, LQ*HE) and the PLBs. BPR02 = Σ CLP04 − Σ PLB, so it
 * balances by construction (TR3 §1.10.2.1.3).
 */
export function build835Body(
  parties: RemitParties,
  remits: readonly Remit[],
  plb: readonly ProviderAdjustment[],
  trace: string,
  now: Date,
): OutSegment[] {
  const { d8: today } = x12Date(now);
  const total = round(
    remits.reduce((s, r) => s + r.paid, 0) - plb.reduce((s, p) => s + p.amount, 0),
  );
  const payerTaxId = `1${parties.payer.id.replace(/\W/g, '').padEnd(9, '0').slice(0, 9)}`;
  const body: OutSegment[] = [
    total > 0
      ? [
          'BPR',
          'I',
          amount(total),
          'C',
          'ACH',
          'CCP',
          '01',
          '011000015',
          'DA',
          '0001234567',
          payerTaxId,
          '',
          '01',
          '071000013',
          'DA',
          '0009876543',
          today,
        ]
      : ['BPR', 'H', amount(total), 'C', 'NON', '', '', '', '', '', '', '', '', '', '', '', today],
    ['TRN', '1', trace, payerTaxId],
    ['DTM', '405', today],
    ['N1', 'PR', parties.payer.name],
    ['N3', 'PO BOX 4420'],
    ['N4', 'SPRINGFIELD', 'IL', '62702'],
    ['REF', '2U', parties.payer.id],
    ['PER', 'BL', 'PROVIDER SERVICES', 'TE', '8005550199'],
    ['N1', 'PE', parties.payee.name, 'XX', parties.payee.npi],
    ...(parties.payee.ein ? [['REF', 'TJ', parties.payee.ein] as OutSegment] : []),
    ['LX', '1'],
  ];
  for (const r of remits) body.push(...claimSegments(r));
  for (const p of plb)
    body.push([
      'PLB',
      parties.payee.npi,
      `${today.slice(0, 4)}1231`,
      `${p.reason}:${p.reference}`,
      amount(p.amount),
    ]);
  return body;
}

function claimSegments(r: Remit): OutSegment[] {
  const out: OutSegment[] = [
    [
      'CLP',
      r.claimNumber,
      r.status,
      amount(r.charge),
      amount(r.paid),
      amount(r.patientResponsibility),
      '12',
      r.payerClaimNumber,
      '11',
      '1',
    ],
    ['NM1', 'QC', '1', r.patient.last, r.patient.first, '', '', '', 'MI', r.patient.memberId],
    ['DTM', '050', d8(r.received)],
  ];
  for (const l of r.lines) {
    out.push(
      [
        'SVC',
        ['HC', l.code, ...l.modifiers].join(':'),
        amount(l.charge),
        amount(l.paid),
        '',
        String(l.units),
      ],
      ['DTM', '472', d8(l.date)],
    );
    for (const group of ['CO', 'PR', 'OA', 'PI'] as const) {
      const reasons = l.adjustments.filter((a) => a.group === group && a.amount !== 0);
      // A CAS holds up to six reason/amount/quantity triplets of one group.
      for (let i = 0; i < reasons.length; i += 6)
        out.push([
          'CAS',
          group,
          ...reasons.slice(i, i + 6).flatMap((a) => [a.reason, amount(a.amount), '']),
        ]);
    }
    if (l.lineRef) out.push(['REF', '6R', l.lineRef]);
    if (l.allowed !== undefined) out.push(['AMT', 'B6', amount(l.allowed)]);
    if (l.remarks.length > 0)
      out.push(...l.remarks.map((code) => ['LQ', 'HE', code] as OutSegment));
  }
  return out;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
