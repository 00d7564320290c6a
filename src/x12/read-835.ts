import { openX12, type X12Source } from './envelope-check.ts';
import type {
  EraAdjustment,
  EraClaim,
  EraEvent,
  EraPayment,
  EraServiceLine,
  GroupCode,
  ProviderAdjustment,
} from './era-types.ts';
import { components, el, positionOf, type Delimiters, type Segment } from './segment-reader.ts';
import type { ReadSegmentsOptions } from './segment-reader.ts';
import { X12InputError } from './x12-error.ts';
import { d8, isCalendarDate, money } from './x12-values.ts';

const GROUPS = new Set(['CO', 'PR', 'OA', 'PI', 'CR']);

/**
 * Reads an 835 (005010X221A1 health care claim payment/advice) as a stream: yields the payment
 * (BPR/TRN), then each claim (CLP loop 2100 with its 2110 service lines) as soon as it is
 * complete, then the transaction's totals with the PLB provider adjustments. Memory stays flat
 * however many claims the ERA holds.
 *
 * At each SE the 835 balancing rule is enforced (TR3 §1.10.2.1.3: the sum of CLP04 minus the sum
 * of the PLB amounts equals BPR02); an ERA that does not balance is refused with `X12_UNBALANCED`
 * naming its BPR, so consumers must apply nothing before the `end` event.
 */
export async function* read835(
  source: X12Source,
  options: ReadSegmentsOptions = {},
): AsyncGenerator<EraEvent, void, undefined> {
  const stream = openX12(source, options);
  let tx: Tx | undefined;
  for await (const s of stream.segments) {
    if (s.tag === 'ST') {
      if (el(s, 1) !== '835')
        throw new X12InputError(
          `ST01 is '${el(s, 1)}': this is not an 835 (read it with 'chartbill x12 read')`,
          positionOf(s),
        );
      tx = newTx(s);
      continue;
    }
    if (!tx) continue;
    if (s.tag === 'SE') {
      const claim = closeClaim(tx);
      if (claim) yield { kind: 'claim', payment: paymentOf(tx, s), claim: finishClaim(claim) };
      yield endOf(tx, s);
      tx = undefined;
      continue;
    }
    const done = onSegment(tx, s, stream.delimiters());
    if (done === 'payment') yield { kind: 'payment', payment: paymentOf(tx, s) };
    else if (done) yield { kind: 'claim', payment: paymentOf(tx, s), claim: finishClaim(done) };
  }
}

interface Tx {
  payment: EraPayment;
  sawPayment: boolean;
  announced: boolean;
  loop: 'header' | '1000A' | '1000B' | 'claims';
  claim?: EraClaim;
  line?: EraServiceLine;
  plb: ProviderAdjustment[];
  claimCount: number;
  claimsPaid: number;
}

function newTx(st: Segment): Tx {
  return {
    payment: {
      transactionControl: el(st, 2),
      handling: '',
      amount: 0,
      creditDebit: '',
      method: '',
      trace: '',
      warnings: [],
      at: positionOf(st),
    },
    sawPayment: false,
    announced: false,
    loop: 'header',
    plb: [],
    claimCount: 0,
    claimsPaid: 0,
  };
}

function paymentOf(tx: Tx, s: Segment): EraPayment {
  if (!tx.sawPayment)
    throw new X12InputError('The 835 has no BPR before its claims', positionOf(s));
  return tx.payment;
}

/** Handles one segment; returns a claim that the segment closed, or 'payment' once the header is read. */
function onSegment(tx: Tx, s: Segment, d: Delimiters): EraClaim | 'payment' | undefined {
  const p = tx.payment;
  switch (s.tag) {
    case 'BPR':
      Object.assign(p, {
        handling: el(s, 1),
        amount: money(el(s, 2), s, 2),
        creditDebit: el(s, 3),
        method: el(s, 4),
        at: positionOf(s),
      });
      if (el(s, 16)) {
        const date = d8(el(s, 16), s, 16);
        if (isCalendarDate(date)) p.date = date;
        else
          p.warnings.push(
            new X12InputError(
              `BPR16 '${el(s, 16)}' is not a calendar date; the payment has no date`,
              positionOf(s),
            ).message,
          );
      }
      tx.sawPayment = true;
      return undefined;
    case 'TRN':
      p.trace = el(s, 2);
      if (el(s, 3)) p.originator = el(s, 3);
      return undefined;
    case 'N1':
      return onName(tx, s);
    case 'REF':
      if (tx.loop === '1000A' && el(s, 1) === '2U') p.payerId = el(s, 2);
      else if (tx.loop === '1000B' && el(s, 1) === 'TJ') p.payeeTaxId = el(s, 2);
      else if (tx.line && el(s, 1) === '6R') tx.line.lineControlNumber = el(s, 2);
      return undefined;
    case 'LX':
      return announce(tx, closeClaim(tx));
    case 'CLP': {
      const closed = closeClaim(tx);
      tx.claim = newClaim(s);
      tx.loop = 'claims';
      return announce(tx, closed);
    }
    case 'PLB':
      tx.plb.push(...providerAdjustments(s, d));
      return announce(tx, closeClaim(tx));
    default:
      onClaimSegment(tx, s, d);
      return undefined;
  }
}

/** The payment is announced before the first claim (or before the end, for an ERA with none). */
function announce(tx: Tx, closed: EraClaim | undefined): EraClaim | 'payment' | undefined {
  if (!tx.announced && tx.sawPayment) {
    tx.announced = true;
    if (closed) throw new Error('a claim cannot close before the payment is announced');
    return 'payment';
  }
  return closed;
}

function onName(tx: Tx, s: Segment): undefined {
  const p = tx.payment;
  if (el(s, 1) === 'PR') {
    tx.loop = '1000A';
    p.payerName = el(s, 2);
    if (el(s, 3) === 'XV' || el(s, 3) === 'PI') p.payerId = el(s, 4);
  } else if (el(s, 1) === 'PE') {
    tx.loop = '1000B';
    p.payeeName = el(s, 2);
    if (el(s, 3) === 'XX') p.payeeNpi = el(s, 4);
    else if (el(s, 3) === 'FI') p.payeeTaxId = el(s, 4);
  }
  return undefined;
}

function newClaim(s: Segment): EraClaim {
  const claim: EraClaim = {
    patientControlNumber: el(s, 1),
    status: el(s, 2),
    charge: money(el(s, 3), s, 3),
    paid: money(el(s, 4), s, 4),
    filingIndicator: el(s, 6),
    payerClaimControlNumber: el(s, 7),
    patient: {},
    adjustments: [],
    remarks: [],
    lines: [],
    balanced: true,
    warnings: [],
    at: positionOf(s),
  };
  if (el(s, 5)) claim.patientResponsibility = money(el(s, 5), s, 5);
  if (el(s, 8)) claim.facilityCode = el(s, 8);
  if (el(s, 9)) claim.frequency = el(s, 9);
  return claim;
}

function closeClaim(tx: Tx): EraClaim | undefined {
  const claim = tx.claim;
  tx.claim = undefined;
  tx.line = undefined;
  if (claim) {
    tx.claimCount += 1;
    tx.claimsPaid += claim.paid;
  }
  return claim;
}

function onClaimSegment(tx: Tx, s: Segment, d: Delimiters): void {
  const claim = tx.claim;
  if (!claim) return;
  const target = tx.line ?? claim;
  switch (s.tag) {
    case 'CAS':
      target.adjustments.push(...adjustments(s));
      return;
    case 'NM1':
      onClaimName(claim, s);
      return;
    case 'MOA':
    case 'MIA':
      for (const v of s.elements) if (/^[A-Z]{1,2}\d{1,4}$/.test(v)) claim.remarks.push(v);
      return;
    case 'DTM':
      onDate(tx, claim, s);
      return;
    case 'SVC':
      tx.line = serviceLine(s, d, claim.warnings);
      claim.lines.push(tx.line);
      return;
    case 'AMT':
      if (tx.line && el(s, 1) === 'B6') tx.line.allowed = money(el(s, 2), s, 2);
      return;
    case 'LQ':
      if (tx.line && el(s, 1) === 'HE') tx.line.remarks.push(el(s, 2));
      return;
  }
}

function onClaimName(claim: EraClaim, s: Segment): void {
  const person = {
    ...(el(s, 3) ? { lastName: el(s, 3) } : {}),
    ...(el(s, 4) ? { firstName: el(s, 4) } : {}),
    ...(el(s, 9) ? { memberId: el(s, 9) } : {}),
  };
  if (el(s, 1) === 'QC') claim.patient = person;
  else if (el(s, 1) === '74') claim.correctedPatient = person;
  else if (el(s, 1) === '82' && el(s, 8) === 'XX') claim.renderingNpi = el(s, 9);
}

function onDate(tx: Tx, claim: EraClaim, s: Segment): void {
  const qualifier = el(s, 1);
  const date = d8(el(s, 2), s, 2);
  if (tx.line && ['472', '150'].includes(qualifier)) tx.line.serviceDate = date;
  else if (qualifier === '232') claim.statementFrom = date;
  else if (qualifier === '233') claim.statementTo = date;
  else if (qualifier === '050') claim.received = date;
}

function serviceLine(s: Segment, d: Delimiters, warnings: string[]): EraServiceLine {
  const [qualifier = '', code = '', ...modifiers] = components(el(s, 1), d);
  // SVC02/SVC03 are required; some payers' files leave them empty. Read 0 and say so.
  const amountAt = (i: number): number => {
    if (el(s, i) !== '') return money(el(s, i), s, i);
    warnings.push(new X12InputError(`SVC0${i} is empty; read as 0`, positionOf(s)).message);
    return 0;
  };
  const line: EraServiceLine = {
    qualifier,
    code,
    modifiers: modifiers.filter((m) => m !== '').slice(0, 4),
    charge: amountAt(2),
    paid: amountAt(3),
    adjustments: [],
    remarks: [],
  };
  if (el(s, 5)) line.units = Number(el(s, 5));
  if (el(s, 6)) line.submittedCode = components(el(s, 6), d)[1] ?? '';
  return line;
}

/** CAS: group code, then up to six reason/amount/quantity triples (CAS02-CAS19). */
function adjustments(s: Segment): EraAdjustment[] {
  const group = el(s, 1);
  if (!GROUPS.has(group))
    throw new X12InputError(`CAS01 '${group}' is not a claim adjustment group code`, positionOf(s));
  const out: EraAdjustment[] = [];
  for (let i = 2; i <= 17; i += 3) {
    const reason = el(s, i);
    if (!reason) continue;
    const adjustment: EraAdjustment = {
      group: group as GroupCode,
      reason,
      amount: money(el(s, i + 1), s, i + 1),
    };
    if (el(s, i + 2)) adjustment.quantity = Number(el(s, i + 2));
    out.push(adjustment);
  }
  return out;
}

/** PLB: provider id, fiscal period date, then up to six reason/amount pairs (PLB03-PLB14). */
function providerAdjustments(s: Segment, d: Delimiters): ProviderAdjustment[] {
  const out: ProviderAdjustment[] = [];
  for (let i = 3; i <= 13; i += 2) {
    if (!el(s, i)) continue;
    const [reason = '', reference] = components(el(s, i), d);
    const adjustment: ProviderAdjustment = {
      provider: el(s, 1),
      reason,
      amount: money(el(s, i + 1), s, i + 1),
      at: positionOf(s),
    };
    if (/^\d{8}$/.test(el(s, 2))) adjustment.fiscalPeriodDate = d8(el(s, 2), s, 2);
    if (reference) adjustment.reference = reference;
    out.push(adjustment);
  }
  return out;
}

/** CLP03 − claim and line adjustments = CLP04 (835 TR3 §1.10.2.1.1 claim balancing). */
function finishClaim(claim: EraClaim): EraClaim {
  const all = [...claim.adjustments, ...claim.lines.flatMap((l) => l.adjustments)];
  const adjusted = all.reduce((sum, a) => sum + a.amount, 0);
  claim.balanced = Math.abs(claim.charge - adjusted - claim.paid) < 0.005;
  return claim;
}

function endOf(tx: Tx, se: Segment): EraEvent {
  const payment = paymentOf(tx, se);
  const plbTotal = tx.plb.reduce((sum, a) => sum + a.amount, 0);
  const expected = tx.claimsPaid - plbTotal;
  if (Math.abs(expected - payment.amount) >= 0.005)
    throw new X12InputError(
      `The 835 does not balance: the claims pay ${tx.claimsPaid.toFixed(2)} (sum of CLP04)` +
        ` less ${plbTotal.toFixed(2)} provider adjustments (PLB) = ${expected.toFixed(2)},` +
        ` but BPR02 pays ${payment.amount.toFixed(2)}`,
      payment.at,
      { code: 'X12_UNBALANCED' },
    );
  return {
    kind: 'end',
    payment,
    providerAdjustments: tx.plb,
    claimCount: tx.claimCount,
    claimsPaid: Math.round(tx.claimsPaid * 100) / 100,
  };
}
