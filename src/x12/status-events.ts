import type { ClaimResponseError } from 'fhir/r4';
import type { ClaimEvent } from './claim-timeline.ts';
import type { AckedTransaction, Ack999 } from './read-999.ts';
import { statusTimelineEvent, type ClaimStatusAnswer, type StatusSource } from './read-277.ts';
import { X12_SYSTEM } from './x12-systems.ts';

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * A 277CA or 277 claim status as a timeline event: "Accepted by clearinghouse", "Rejected by
 * payer", … with every STC in words; a rejection (category A3, A6-A8, or a response that could
 * not be made) carries its STC codes for the claim's `error`.
 */
export function claimStatusEvent(
  answer: ClaimStatusAnswer,
  source: StatusSource,
  what?: string,
): ClaimEvent {
  const event = statusTimelineEvent(answer, source);
  const rejected = event.stage === 'rejected';
  const codes: ClaimResponseError[] = answer.statuses.map((s) => ({
    code: {
      coding: [
        { system: X12_SYSTEM.claimStatusCategory, code: s.category },
        { system: X12_SYSTEM.claimStatus, code: s.status },
      ],
      text: s.words,
    },
  }));
  return {
    date: event.date ?? new Date().toISOString().slice(0, 10),
    label: capitalized(event.label),
    detail: `${what ? `${what}: ` : ''}${event.detail}${answer.payerClaimNumber ? `; payer claim number ${answer.payerClaimNumber}` : ''}`,
    ...(rejected ? { rejected: { codes } } : {}),
  };
}

/** A 999's word on one claim's transaction set (or on the whole batch), as a timeline event. */
export function ackEvent(ack: Ack999, tx: AckedTransaction | undefined, date: string): ClaimEvent {
  if (ack.rejection || (tx && !tx.accepted)) {
    const why = ack.rejection ?? rejectionWords(tx);
    return {
      date,
      label: 'Rejected by clearinghouse (999)',
      detail: why,
      rejected: {
        codes: [
          { code: { coding: [{ system: ACK_SYSTEM, code: tx?.status ?? ack.status }], text: why } },
        ],
      },
    };
  }
  return {
    date,
    label: 'Received by clearinghouse (999)',
    detail: `the 837P passed the clearinghouse's syntax check: ${tx?.statusText ?? ack.statusText}`,
  };
}

/** IK5/AK9 acknowledgment codes. */
const ACK_SYSTEM = 'https://x12.org/codes/implementation-transaction-set-syntax-error-codes';

/** Why one transaction set was rejected: each IK3 segment and IK4 element, with positions. */
function rejectionWords(tx: AckedTransaction | undefined): string {
  if (!tx) return 'rejected';
  const segments = tx.errors.map((e) => {
    const elements = e.elements
      .map((el) => `element ${el.position}: ${el.text}${el.value ? ` ('${el.value}')` : ''}`)
      .join(', ');
    return `${e.segment} at segment ${String(e.position)} of the claim${e.loop ? ` (loop ${e.loop})` : ''}: ${e.text}${elements ? ` — ${elements}` : ''}`;
  });
  return [tx.statusText, ...tx.reasons, ...segments].join('; ');
}
