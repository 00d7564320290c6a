import type { X12Config } from '../../src/x12/x12-config.ts';
import {
  envelope,
  serialize,
  type OutSegment,
  type TransactionKind,
} from '../../src/x12/x12-writer.ts';

/** Who a file is from or to: an ISA id with its qualifier. */
export interface Party {
  qualifier: string;
  id: string;
}

/** The sandbox clearinghouse's own identity in the files it writes. */
export const CLEARINGHOUSE: Party & { name: string; taxId: string } = {
  qualifier: 'ZZ',
  id: 'SBXCLEARING',
  name: 'SANDBOX CLEARINGHOUSE',
  taxId: '990000777',
};

export const KIND_999: TransactionKind = {
  set: '999',
  functionalId: 'FA',
  version: '005010X231A1',
};
export const KIND_277CA: TransactionKind = {
  set: '277',
  functionalId: 'HN',
  version: '005010X214',
};
export const KIND_835: TransactionKind = {
  set: '835',
  functionalId: 'HP',
  version: '005010X221A1',
};
export const KIND_271: TransactionKind = {
  set: '271',
  functionalId: 'HB',
  version: '005010X279A1',
};
export const KIND_277: TransactionKind = { set: '277', functionalId: 'HN', version: '005010X212' };

/**
 * An answer file from the clearinghouse to a submitter, wrapped like ChartBill wraps its own
 * (ISA/GS/ST… with `envelope`), the parties swapped: the answer goes back to the ISA06 it came from.
 */
export function answerFile(
  to: Party,
  kind: TransactionKind,
  bodies: readonly (readonly OutSegment[])[],
  control: number,
  now: Date,
): string {
  const config: X12Config = {
    senderId: CLEARINGHOUSE.id,
    senderQualifier: CLEARINGHOUSE.qualifier,
    receiverId: to.id,
    receiverQualifier: to.qualifier,
    receiverName: '',
    submitterName: CLEARINGHOUSE.name,
    submitterContact: '',
    submitterPhone: '',
    filingIndicator: 'CI',
    filingIndicators: {},
    providerSignature: 'Y',
    assignment: 'A',
    benefitsAssignment: 'Y',
    releaseOfInformation: 'Y',
    usage: 'T',
    ackRequested: '0',
  };
  return serialize(envelope(config, kind, bodies, control, now));
}

/** CCYYMMDD and HHMM of a date, as X12 writes them. */
export function x12Date(date: Date): { d8: string; time: string } {
  const iso = date.toISOString();
  return { d8: iso.slice(0, 10).replace(/-/g, ''), time: iso.slice(11, 16).replace(':', '') };
}

/** YYYY-MM-DD → CCYYMMDD. */
export function d8(date: string): string {
  return date.slice(0, 10).replace(/-/g, '');
}
