import { envelope, serialize, type OutSegment } from '../../src/x12/x12-writer.ts';
import { answerFile, CLEARINGHOUSE, KIND_999, type Party } from './answer-envelope.ts';
import type { Checked837, CheckedTransaction } from './check-837.ts';

/** Whether a checked transaction set is accepted (no segment problem, a sound trailer). */
export function accepted(tx: CheckedTransaction, checked: Checked837): boolean {
  return !checked.groupError && !tx.setError && tx.problems.length === 0;
}

/**
 * The 999 implementation acknowledgment (005010X231A1) of an 837 file's functional group: one
 * AK2…IK5 per transaction set, IK3/IK4 naming each segment and element in error, AK9 with the
 * counts (A all accepted, P some, R none).
 */
export function build999(checked: Checked837, control: number, now: Date): string {
  const group = checked.group ?? { control: '0', functionalId: 'HC', version: '005010X222A1' };
  const body: OutSegment[] = [['AK1', group.functionalId, group.control, group.version]];
  for (const tx of checked.transactions) {
    body.push(['AK2', tx.set, tx.control, group.version]);
    for (const p of tx.problems) {
      body.push(['IK3', p.tag, String(p.position), p.loop ?? '', p.code]);
      for (const e of p.elements) body.push(['IK4', String(e.position), e.reference, e.code]);
    }
    const ok = accepted(tx, checked);
    body.push(
      ok ? ['IK5', 'A'] : ['IK5', 'R', tx.setError ?? (tx.problems.length > 0 ? '5' : 'I5')],
    );
  }
  const received = checked.transactions.length;
  const acceptedCount = checked.transactions.filter((t) => accepted(t, checked)).length;
  const status = acceptedCount === received && received > 0 ? 'A' : acceptedCount > 0 ? 'P' : 'R';
  body.push([
    'AK9',
    status,
    String(received),
    String(received),
    String(acceptedCount),
    ...(checked.groupError ? [checked.groupError] : []),
  ]);
  return answerFile(checked.sender, KIND_999, [body], control, now);
}

/**
 * A TA1 interchange acknowledgment (X12.5): the interchange `ISA13` accepted (A) or rejected (R)
 * with its note code. It travels alone in an interchange with no functional group (IEA01 = 0).
 */
export function buildTa1(
  to: Party,
  interchange: { control: string; date: string; time: string },
  note: string,
  control: number,
  now: Date,
): string {
  const [isa] = envelope(
    {
      senderId: CLEARINGHOUSE.id,
      senderQualifier: CLEARINGHOUSE.qualifier,
      receiverId: to.id,
      receiverQualifier: to.qualifier,
      usage: 'T',
      ackRequested: '0',
    } as Parameters<typeof envelope>[0],
    KIND_999,
    [],
    control,
    now,
  );
  const isa13 = String(control).padStart(9, '0');
  const segments: OutSegment[] = [
    isa ?? [],
    [
      'TA1',
      interchange.control.padStart(9, '0').slice(-9),
      /^\d{6}$/.test(interchange.date) ? interchange.date : '000101',
      /^\d{4}$/.test(interchange.time) ? interchange.time : '0000',
      note === '000' ? 'A' : 'R',
      note,
    ],
    ['IEA', '0', isa13],
  ];
  return serialize(segments);
}
