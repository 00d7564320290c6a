import type {
  Claim,
  ClaimItem,
  ClaimResponse,
  ClaimResponseItem,
  ClaimResponseItemAdjudication,
  Coverage,
  Identifier,
} from 'fhir/r4';
import { carcConcept, carcText } from '../src/claims/carc-codes.ts';
import { roundCents, type FeeSchedule } from '../src/claims/fee-schedule.ts';
import { SYSTEM } from '../src/fhir/systems.ts';
import { ADJUDICATION_C4BB, sumAdjudication } from '../src/claims/claim-response-summary.ts';
import {
  costSharingOf,
  coverageDenial,
  isOfficeVisit,
  missingDiagnosisDenial,
  patientShare,
  priceLine,
  timelyFilingDenial,
  type CostSharing,
  type Denial,
} from './payer-server-rules.ts';

/** Identifier system of the sandbox payer's claim control numbers. */
export const PAYER_CONTROL_NUMBER_SYSTEM =
  'https://sandbox-payer.chartbill.dev/claim-control-number';

/** A claim to adjudicate, with what the payer needs besides it. */
export interface AdjudicateInput {
  claim: Claim;
  /** The Coverage the claim's focal insurance references, when the bundle carried it. */
  coverage: Coverage | undefined;
  feeSchedule: FeeSchedule;
  received: Date;
  /** The ClaimResponse id and the payer's claim control number to assign. */
  responseId: string;
  controlNumber: string;
}

interface LineResult {
  item: ClaimResponseItem;
  denied: boolean;
}

/**
 * Adjudicates a professional claim: claim-level rules first (coverage in force on the date of
 * service, timely filing, a diagnosis present), then each line against the fee schedule, then
 * cost sharing. Pure: the clock and the numbers to assign are passed in.
 */
export function adjudicateClaim(input: AdjudicateInput): ClaimResponse {
  const { claim } = input;
  const dateOfService =
    claim.billablePeriod?.start?.slice(0, 10) ??
    claim.item?.[0]?.servicedDate ??
    claim.created.slice(0, 10);
  const claimDenial =
    coverageDenial(input.coverage, dateOfService) ??
    timelyFilingDenial(dateOfService, input.received) ??
    missingDiagnosisDenial(claim);
  const sharing = costSharingOf(input.coverage);
  const items = claimDenial
    ? deniedLines(claim.item ?? [], claimDenial)
    : pricedLines(claim.item ?? [], input.feeSchedule, sharing);
  const deniedCount = items.filter((l) => l.denied).length;
  const outcome =
    claimDenial || (items.length > 0 && deniedCount === items.length)
      ? 'error'
      : deniedCount > 0
        ? 'partial'
        : 'complete';
  const response = responseShell(input, outcome);
  response.item = items.map((l) => l.item);
  response.total = totals(response.item);
  const paid = sumAdjudication(response.item, 'benefit');
  if (paid > 0) {
    response.payment = {
      type: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/ex-paymenttype', code: 'complete' },
        ],
      },
      date: input.received.toISOString().slice(0, 10),
      amount: { value: paid, currency: 'USD' },
    };
  }
  response.disposition = disposition(claimDenial, items, paid, response);
  if (claimDenial) {
    response.error = [{ code: carcConcept(claimDenial.carc, claimDenial.group, claimDenial.rarc) }];
    response.processNote = [
      {
        number: 1,
        type: 'display',
        text: `${claimDenial.group}-${claimDenial.carc}: ${carcText(claimDenial.carc)} ${claimDenial.note}`,
      },
    ];
  } else if (deniedCount > 0) {
    response.processNote = items
      .filter((l) => l.denied)
      .map((l, i) => ({
        number: i + 1,
        type: 'display' as const,
        text: `Line ${l.item.itemSequence}: ${l.item.adjudication[1]?.reason?.text ?? 'denied'}`,
      }));
  }
  return response;
}

function responseShell(input: AdjudicateInput, outcome: ClaimResponse['outcome']): ClaimResponse {
  const { claim } = input;
  const claimIdentifier: Identifier | undefined = claim.identifier?.[0];
  return {
    resourceType: 'ClaimResponse',
    id: input.responseId,
    identifier: [{ system: PAYER_CONTROL_NUMBER_SYSTEM, value: input.controlNumber }],
    status: 'active',
    type: claim.type,
    use: 'claim',
    patient: claim.patient,
    created: input.received.toISOString(),
    insurer: claim.insurer ?? { display: 'Sandbox Health Plan' },
    requestor: claim.provider,
    // The payer does not know the submitter's server ids: the identifier is what matches.
    request: {
      ...(claim.id ? { reference: `Claim/${claim.id}` } : {}),
      ...(claimIdentifier ? { identifier: claimIdentifier } : {}),
    },
    outcome,
  };
}

function billedOf(item: ClaimItem): number {
  return item.net?.value ?? roundCents((item.unitPrice?.value ?? 0) * (item.quantity?.value ?? 1));
}

function codeOf(item: ClaimItem): string {
  return item.productOrService.coding?.[0]?.code ?? '';
}

function deniedLine(item: ClaimItem, denial: Denial): LineResult {
  const reason = carcConcept(denial.carc, denial.group, denial.rarc);
  return {
    denied: true,
    item: {
      itemSequence: item.sequence,
      adjudication: [
        money('submitted', billedOf(item)),
        { ...money('eligible', 0), reason },
        money('benefit', 0),
      ],
    },
  };
}

function deniedLines(items: ClaimItem[], denial: Denial): LineResult[] {
  return items.map((item) => deniedLine(item, denial));
}

function pricedLines(
  items: ClaimItem[],
  schedule: FeeSchedule,
  sharing: CostSharing,
): LineResult[] {
  let copayUsed = false;
  return items.map((item) => {
    const code = codeOf(item);
    const billed = billedOf(item);
    const price = priceLine(code, item.quantity?.value ?? 1, billed, schedule);
    if ('denial' in price) return deniedLine(item, price.denial);
    const copayApplies = !copayUsed && isOfficeVisit(code) && sharing.officeCopay > 0;
    copayUsed ||= copayApplies;
    const share = patientShare(code, price.allowed, copayApplies, sharing);
    const eligible: ClaimResponseItemAdjudication = money('eligible', price.allowed);
    if (price.allowed < billed) eligible.reason = carcConcept('45', 'CO');
    const adjudication = [money('submitted', billed), eligible];
    if (share.copay > 0)
      adjudication.push({ ...money('copay', share.copay), reason: carcConcept('3', 'PR') });
    if (share.coinsurance > 0)
      adjudication.push({
        ...money('coinsurance', share.coinsurance),
        reason: carcConcept('2', 'PR'),
      });
    adjudication.push(
      money('benefit', roundCents(price.allowed - share.copay - share.coinsurance)),
    );
    return { denied: false, item: { itemSequence: item.sequence, adjudication } };
  });
}

function money(
  category: 'submitted' | 'eligible' | 'copay' | 'coinsurance' | 'benefit',
  value: number,
): ClaimResponseItemAdjudication {
  const system = category === 'coinsurance' ? ADJUDICATION_C4BB : SYSTEM.adjudication;
  return {
    category: { coding: [{ system, code: category }] },
    amount: { value: roundCents(value), currency: 'USD' },
  };
}

function totals(items: ClaimResponseItem[]): NonNullable<ClaimResponse['total']> {
  const categories = ['submitted', 'eligible', 'copay', 'coinsurance', 'benefit'] as const;
  return categories
    .map((category) => ({ category, value: sumAdjudication(items, category) }))
    .filter((t) => t.value > 0 || t.category === 'submitted' || t.category === 'benefit')
    .map((t) => ({
      category: money(t.category, 0).category,
      amount: { value: t.value, currency: 'USD' },
    }));
}

function disposition(
  claimDenial: Denial | undefined,
  items: LineResult[],
  paid: number,
  response: ClaimResponse,
): string {
  if (claimDenial)
    return `Claim denied (${claimDenial.group}-${claimDenial.carc}): ${carcText(claimDenial.carc)} ${claimDenial.note}`;
  const patient = roundCents(
    sumAdjudication(response.item ?? [], 'copay') +
      sumAdjudication(response.item ?? [], 'coinsurance'),
  );
  const denied = items.filter((l) => l.denied).map((l) => l.item.itemSequence);
  const deniedText =
    denied.length > 0 ? ` Line${denied.length > 1 ? 's' : ''} ${denied.join(', ')} denied.` : '';
  if (paid === 0 && denied.length === items.length)
    return `Claim denied: no line is payable.${deniedText}`;
  return `Processed: plan pays $${paid.toFixed(2)}, patient owes $${patient.toFixed(2)}.${deniedText}`;
}
