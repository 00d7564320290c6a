import {
  ACK_STATUS_TEXT,
  ELEMENT_ERROR_TEXT,
  SEGMENT_ERROR_TEXT,
  SET_ERROR_TEXT,
  TA1_NOTE_TEXT,
  TA1_STATUS_TEXT,
} from './ack-codes.ts';
import type { Segment } from './segment-reader.ts';
import { el, positionOf } from './segment-reader.ts';
import { positionText, type X12Position } from './x12-error.ts';

/** TA1: whether the clearinghouse could open the interchange at all. */
export interface Ta1 {
  /** TA101: the ISA13 of ChartBill's interchange. */
  interchangeControl: string;
  status: string;
  statusText: string;
  note: string;
  noteText: string;
}

/** One IK3 (segment) error with its IK4 (element) errors. */
export interface SegmentError {
  /** IK301: the segment's tag; IK302 its position in the transaction set (ST = 1). */
  segment: string;
  position: number;
  loop?: string;
  code: string;
  text: string;
  elements: { position: string; reference?: string; code: string; text: string; value?: string }[];
}

/** AK2…IK5: one transaction set (one claim, as ChartBill sends one claim per ST) acknowledged. */
export interface AckedTransaction {
  /** AK201/AK202: the set (837) and ChartBill's ST02. */
  set: string;
  control: string;
  status: string;
  statusText: string;
  accepted: boolean;
  errors: SegmentError[];
  /** IK502-IK506 in words. */
  reasons: string[];
}

/** A 999: the syntax acknowledgment of one functional group. */
export interface Ack999 {
  /** AK101/AK102/AK103: HC, ChartBill's GS06, the version acknowledged. */
  functionalId: string;
  groupControl: string;
  version: string;
  transactions: AckedTransaction[];
  /** AK901: A, E, P, R, … */
  status: string;
  statusText: string;
  included: number;
  received: number;
  accepted: number;
  reasons: string[];
  /** When the whole batch was rejected (AK901 R/M/W/X): why, naming the AK9 and its position. */
  rejection?: string;
  at: X12Position;
}

/** Collects TA1s and 999s from a file's segments (the caller streams them with `openX12`). */
export class AckCollector {
  readonly ta1: Ta1[] = [];
  readonly acks: Ack999[] = [];
  private ack: Ack999 | undefined;
  private tx: AckedTransaction | undefined;
  private segmentError: SegmentError | undefined;

  add(s: Segment): void {
    switch (s.tag) {
      case 'TA1':
        this.ta1.push({
          interchangeControl: el(s, 1),
          status: el(s, 4),
          statusText: TA1_STATUS_TEXT[el(s, 4)] ?? el(s, 4),
          note: el(s, 5),
          noteText: TA1_NOTE_TEXT[el(s, 5)] ?? `note code ${el(s, 5)}`,
        });
        return;
      case 'AK1':
        this.ack = newAck(s);
        this.acks.push(this.ack);
        return;
      case 'AK2':
        this.tx = {
          set: el(s, 1),
          control: el(s, 2),
          status: '',
          statusText: '',
          accepted: false,
          errors: [],
          reasons: [],
        };
        this.ack?.transactions.push(this.tx);
        return;
      case 'IK3':
        this.segmentError = {
          segment: el(s, 1),
          position: Number(el(s, 2)),
          ...(el(s, 3) ? { loop: el(s, 3) } : {}),
          code: el(s, 4),
          text: SEGMENT_ERROR_TEXT[el(s, 4)] ?? `segment error ${el(s, 4)}`,
          elements: [],
        };
        this.tx?.errors.push(this.segmentError);
        return;
      case 'IK4':
        this.segmentError?.elements.push({
          position: el(s, 1),
          ...(el(s, 2) ? { reference: el(s, 2) } : {}),
          code: el(s, 3),
          text: ELEMENT_ERROR_TEXT[el(s, 3)] ?? `element error ${el(s, 3)}`,
          ...(el(s, 4) ? { value: el(s, 4) } : {}),
        });
        return;
      case 'IK5':
        if (this.tx) {
          this.tx.status = el(s, 1);
          this.tx.statusText = ACK_STATUS_TEXT[el(s, 1)] ?? el(s, 1);
          this.tx.accepted = el(s, 1) === 'A' || el(s, 1) === 'E';
          this.tx.reasons = codes(s, 2, 6);
        }
        return;
      case 'AK9':
        if (this.ack) finishAck(this.ack, s);
        return;
    }
  }
}

function newAck(s: Segment): Ack999 {
  return {
    functionalId: el(s, 1),
    groupControl: el(s, 2),
    version: el(s, 3),
    transactions: [],
    status: '',
    statusText: '',
    included: 0,
    received: 0,
    accepted: 0,
    reasons: [],
    at: positionOf(s),
  };
}

function finishAck(ack: Ack999, s: Segment): void {
  ack.status = el(s, 1);
  ack.statusText = ACK_STATUS_TEXT[el(s, 1)] ?? el(s, 1);
  ack.included = Number(el(s, 2));
  ack.received = Number(el(s, 3));
  ack.accepted = Number(el(s, 4));
  ack.reasons = codes(s, 5, 9);
  ack.at = positionOf(s);
  if (['R', 'M', 'W', 'X'].includes(ack.status))
    ack.rejection =
      `The clearinghouse rejected the whole batch (group ${ack.groupControl}, ${ack.included} transaction sets): ` +
      `${ack.statusText}${ack.reasons.length ? `; ${ack.reasons.join('; ')}` : ''} (${positionText(ack.at)})`;
}

function codes(s: Segment, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) {
    const code = el(s, i);
    if (code) out.push(SET_ERROR_TEXT[code] ?? `error code ${code}`);
  }
  return out;
}
