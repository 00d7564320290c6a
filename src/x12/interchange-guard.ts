import { createHash } from 'node:crypto';
import type { X12Config } from './x12-config.ts';

/** Where the guard keeps its one record: the worker ledger's cursors (shared by its workers). */
export interface GuardCursors {
  getCursor(name: string): Promise<string | undefined>;
  setCursor(name: string, value: string): Promise<void>;
}

/** The ledger cursor holding the guard's record (JSON). */
export const INTERCHANGE_GUARD_CURSOR = 'x12-interchange-guard';

/** A TA1 rejection is re-sent once after this wait (CHARTBILL_X12_TA1_RETRY_MINUTES). */
export const DEFAULT_TA1_RETRY_MS = 60 * 60_000;

/** What the guard remembers about the clearinghouse's last TA1 rejections. */
export interface InterchangeGuardState {
  /** The interchange settings the rejections were for (`interchangeFingerprint`). */
  fingerprint: string;
  /** Consecutive TA1 rejections with these settings (an accepted interchange resets them). */
  rejections: number;
  /** When the last rejection was read, ISO instant. */
  lastAt: string;
  /** ISA13 of the last rejected interchange (the same TA1 read twice counts once). */
  lastControl: number;
  /** TA105 of the last rejection, and its words. */
  note: string;
  noteText: string;
  /** Set when claims are held: the hold's key (its work item's) and when it began. */
  heldSince?: string;
  /** An admin confirmed the settings (`chartbill x12 interchange release`): claims go out again. */
  releasedAt?: string;
  /** The holds whose work items are still open (closed when an interchange is accepted). */
  openHolds?: string[];
}

/** What a TA1 rejection means for the claims. */
export type Ta1Verdict =
  /** The first: the claim goes out again once, after the back-off. */
  | { kind: 'retry'; at: Date }
  /** The second in a row with the same settings: claims are held until an admin confirms. */
  | { kind: 'held'; state: InterchangeGuardState; first: boolean }
  /** This interchange's TA1 was counted before (the file read twice). */
  | { kind: 'seen' };

/** Whether an interchange may go out now, and why not. */
export type SendVerdict = { send: true } | { send: false; reason: string; held: boolean };

/**
 * The interchange settings a TA1 can be about (X12.5 ISA: sender and receiver qualifiers and ids,
 * usage indicator, TA1 requested) and where the files go: changing any of them is a new start.
 */
export function interchangeFingerprint(config: X12Config, transport: string): string {
  const parts = [
    config.senderQualifier,
    config.senderId,
    config.receiverQualifier,
    config.receiverId,
    config.usage,
    config.ackRequested,
    transport,
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

/**
 * Bounds what a clearinghouse's TA1 rejections cost (each file sent may be billed, and a wrong
 * envelope gets every file rejected): the first rejection re-sends its claim once, after
 * `retryMs` (the TA1 may have been transient); a second one in a row with the same interchange
 * settings holds every claim to that clearinghouse until an admin confirms
 * (`releaseInterchangeHold`) or the settings change (a new fingerprint). An accepted interchange
 * (a 999, a TA1 accepting) clears the record. Read only when a claim is about to go out or an
 * acknowledgment arrives: an idle worker reads nothing more.
 */
export function createInterchangeGuard(options: {
  cursors: GuardCursors;
  config: X12Config;
  /** Where the files go (`BatchTransport.describe`): part of the fingerprint. */
  transport: string;
  retryMs?: number;
}) {
  const { cursors, config } = options;
  const fingerprint = interchangeFingerprint(config, options.transport);
  const retryMs = options.retryMs ?? DEFAULT_TA1_RETRY_MS;
  const load = () => readGuardState(cursors);
  const save = (state: InterchangeGuardState) =>
    cursors.setCursor(INTERCHANGE_GUARD_CURSOR, JSON.stringify(state));

  return {
    fingerprint,
    /** The settings to check for a TA1 note, in words. */
    check: (note: string) => settingsToCheck(note, config),
    async maySend(now: Date): Promise<SendVerdict> {
      const state = await load();
      if (!state || state.fingerprint !== fingerprint || state.rejections === 0 || state.releasedAt)
        return { send: true };
      const words = `TA1 note ${state.note}, ${state.noteText}`;
      if (state.heldSince)
        return {
          send: false,
          held: true,
          reason: `Held, not sent: the clearinghouse rejected ${String(state.rejections)} interchanges in a row (${words}). An admin checks the interchange settings, then runs \`chartbill x12 interchange release\`.`,
        };
      const due = Date.parse(state.lastAt) + retryMs;
      if (now.getTime() >= due) return { send: true };
      return {
        send: false,
        held: false,
        reason: `Waiting to send again after ${new Date(due).toISOString()}: the clearinghouse rejected the last interchange (${words}).`,
      };
    },
    async rejected(
      ta1: { control: number; note: string; noteText: string },
      now: Date,
    ): Promise<Ta1Verdict> {
      const state = await load();
      const same = state?.fingerprint === fingerprint;
      if (same && state.lastControl === ta1.control) return { kind: 'seen' };
      const rejections = same ? state.rejections + 1 : 1;
      const next: InterchangeGuardState = {
        fingerprint,
        rejections,
        lastAt: now.toISOString(),
        lastControl: ta1.control,
        note: ta1.note,
        noteText: ta1.noteText,
        // A hold lasts until an interchange is accepted: released and rejected again, it is the
        // same hold (its work item still open), held again at once.
        ...(same && state.heldSince ? { heldSince: state.heldSince } : {}),
        ...(state?.openHolds ? { openHolds: state.openHolds } : {}),
      };
      if (rejections < 2) {
        await save(next);
        return { kind: 'retry', at: new Date(now.getTime() + retryMs) };
      }
      const first = !next.heldSince;
      if (!next.heldSince) {
        next.heldSince = now.toISOString();
        next.openHolds = [...(next.openHolds ?? []), next.heldSince];
      }
      await save(next);
      return { kind: 'held', state: next, first };
    },
    /**
     * An interchange was accepted: the rejections are forgotten. Answers the holds whose work
     * items are now done (none when there were none: one cursor read per acknowledgment file).
     */
    async accepted(): Promise<string[]> {
      const state = await load();
      if (!state || (state.rejections === 0 && !state.openHolds?.length)) return [];
      await save({
        fingerprint: state.fingerprint,
        rejections: 0,
        lastAt: state.lastAt,
        lastControl: -1,
        note: state.note,
        noteText: state.noteText,
      });
      return state.openHolds ?? [];
    },
  };
}

export type InterchangeGuard = ReturnType<typeof createInterchangeGuard>;

/** The guard's record, if any. */
export async function readGuardState(
  cursors: Pick<GuardCursors, 'getCursor'>,
): Promise<InterchangeGuardState | undefined> {
  const raw = await cursors.getCursor(INTERCHANGE_GUARD_CURSOR);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as InterchangeGuardState;
  } catch {
    return undefined;
  }
}

/**
 * An admin confirmed the interchange settings: held claims go out on the worker's next look. A
 * rejection after this holds them again at once (one file, not two) under the same work item,
 * until an interchange is accepted. Answers what was held, or undefined when nothing was.
 */
export async function releaseInterchangeHold(
  cursors: GuardCursors,
  now: Date,
): Promise<InterchangeGuardState | undefined> {
  const state = await readGuardState(cursors);
  if (!state?.heldSince || state.releasedAt) return undefined;
  await cursors.setCursor(
    INTERCHANGE_GUARD_CURSOR,
    JSON.stringify({ ...state, releasedAt: now.toISOString() }),
  );
  return state;
}

/**
 * The settings an admin checks for a TA1 note (X12.5 TA105), with their values: the ISA ids and
 * qualifiers, the usage indicator, the acknowledgment flag, or, for a file the clearinghouse
 * could not read at all, the clearinghouse connection itself.
 */
export function settingsToCheck(note: string, config: X12Config): string {
  const sender = `CHARTBILL_X12_SENDER_QUALIFIER ${config.senderQualifier} and CHARTBILL_X12_SENDER_ID ${config.senderId} (ISA05/06)`;
  const receiver = `CHARTBILL_X12_RECEIVER_QUALIFIER ${config.receiverQualifier} and CHARTBILL_X12_RECEIVER_ID ${config.receiverId} (ISA07/08), which must be the ids the clearinghouse gave you`;
  switch (note) {
    case '005':
    case '006':
      return sender;
    case '007':
    case '008':
    case '009':
      return receiver;
    case '019':
      return `CHARTBILL_X12_ACK_REQUESTED ${config.ackRequested} (ISA14)`;
    case '020':
      return `CHARTBILL_X12_USAGE ${config.usage} (ISA15: T for test, P for production, as agreed with the clearinghouse)`;
    default:
      return `the interchange settings: ${sender}; ${receiver}; CHARTBILL_X12_USAGE ${config.usage}; and whether files reach the clearinghouse whole (its SFTP folder, its file format)`;
  }
}
