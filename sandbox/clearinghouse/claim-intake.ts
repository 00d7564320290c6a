import { randomBytes } from 'node:crypto';
import { SANDBOX_PAYER_FEE_SCHEDULE, type FeeSchedule } from '../../src/claims/fee-schedule.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { frequencyOf } from '../../src/x12/claim-837-input.ts';
import { payerOf } from '../../src/x12/claim-to-837.ts';
import { read837, type Read837 } from '../../src/x12/read-837.ts';
import { adjudicateRemit } from '../payer-server-adjudicate.ts';
import { answerFile, KIND_835, x12Date } from './answer-envelope.ts';
import { check837 } from './check-837.ts';
import { build277ca, frontDoorEdits, type Judged, type Stc } from './front-door.ts';
import type { MemberLookup } from './members.ts';
import { accepted, build999, buildTa1 } from './write-acks.ts';
import { build835Body, duplicateRemit, remitOf, type Remit } from './write-835.ts';

/** A claim the payer has answered: what a 276 asks about and a duplicate is checked against. */
export interface Adjudicated {
  remit: Remit;
  payerId: string;
  memberId: string;
  serviceDate: string;
}

/** What the clearinghouse remembers between files (in memory, like the sandbox payer). */
export interface IntakeState {
  /** By CLM01. */
  adjudicated: Map<string, Adjudicated>;
  /** Front-door rejections by CLM01 (a 276 about them is answered with the rejection). */
  rejected: Map<string, Stc[]>;
  /** Claims denied CO-18 as duplicates, by CLM01 (counts). */
  duplicates: Map<string, number>;
  nextControl(): number;
  nextNumber(): string;
}

export function newIntakeState(): IntakeState {
  let control = Math.floor(Date.now() / 1000) % 900_000_000;
  let sequence = 0;
  const batch = randomBytes(3).toString('hex').toUpperCase();
  return {
    adjudicated: new Map(),
    rejected: new Map(),
    duplicates: new Map(),
    nextControl: () => (control = (control % 999_999_998) + 1),
    nextNumber: () => `${batch}${String(++sequence).padStart(6, '0')}`,
  };
}

export interface IntakeContext {
  state: IntakeState;
  members: MemberLookup;
  feeSchedule?: FeeSchedule;
  now: Date;
}

/** An answer file: its kind (for names and logs) and content. */
export interface AnswerFile {
  kind: 'TA1' | '999' | '277CA' | '835';
  content: string;
}

/**
 * Answers one 837P file as a clearinghouse and its payers do: a TA1 when the interchange cannot
 * be opened (or one was asked for), a 999 for the functional group, a 277CA for the claims of
 * accepted transaction sets, and an 835 per payer and payee for the claims accepted into
 * adjudication, priced by the sandbox payer's own rules (`adjudicateClaim`). A claim number
 * already adjudicated and sent again as an original is denied CO-18 (exact duplicate), never
 * paid twice; a replacement (7) or void (8) reverses the first payment (CLP02 22).
 */
export async function answerClaimFile(text: string, ctx: IntakeContext): Promise<AnswerFile[]> {
  const { state, now } = ctx;
  const checked = await check837(text);
  const out: AnswerFile[] = [];
  const ta1 = (note: string) =>
    buildTa1(checked.sender, checked.interchange, note, state.nextControl(), now);
  if (checked.interchangeNote) return [{ kind: 'TA1', content: ta1(checked.interchangeNote) }];
  if (checked.interchange.ackRequested) out.push({ kind: 'TA1', content: ta1('000') });
  out.push({ kind: '999', content: build999(checked, state.nextControl(), now) });
  const good = checked.transactions.filter((t) => accepted(t, checked));
  if (good.length === 0) return out;
  const reads = await read837(text);
  const judged: { judged: Judged; lineRefs: string[] }[] = [];
  let at = 0;
  for (const tx of checked.transactions) {
    const slice = reads.slice(at, at + tx.claims);
    at += tx.claims;
    if (!accepted(tx, checked)) continue;
    slice.forEach((read, i) => {
      judged.push({ judged: judge(read, ctx), lineRefs: tx.lineRefs[i] ?? [] });
    });
  }
  const remits = judged
    .filter((j) => j.judged.accepted)
    .flatMap((j) => adjudicate(j.judged, j.lineRefs, ctx));
  const batchRef = `SBX${state.nextNumber()}`;
  const submitter = { ...checked.sender, name: checked.sender.id };
  out.push({
    kind: '277CA',
    content: build277ca(
      submitter,
      batchRef,
      judged.map((j) => j.judged),
      state.nextControl(),
      now,
    ),
  });
  if (remits.length > 0) out.push({ kind: '835', content: era(remits, checked.sender, ctx) });
  return out;
}

function judge(read: Read837, ctx: IntakeContext): Judged {
  const claimNumber = claimKeyOf(read, ctx.state);
  const statuses = frontDoorEdits(read, ctx.members, ctx.now.toISOString().slice(0, 10));
  const charge = read.input.claim.total?.value ?? 0;
  if (statuses.length > 0) {
    ctx.state.rejected.set(claimNumber, statuses);
    return { read, claimNumber, charge, accepted: false, statuses };
  }
  ctx.state.rejected.delete(claimNumber);
  const previous = ctx.state.adjudicated.get(claimNumber);
  const payerClaimNumber = previous?.remit.payerClaimNumber ?? `PCN${ctx.state.nextNumber()}`;
  return { read, claimNumber, charge, accepted: true, statuses: [], payerClaimNumber };
}

/**
 * Which claim on file an 837P claim is: a replacement (7) or void (8) names the claim it replaces
 * by the payer's claim number (REF*F8, 837P loop 2300), which is how payers match them: its CLM01
 * is the submitter's own and may differ from the original's. Otherwise, and when REF*F8 names no
 * claim on file, its CLM01.
 */
function claimKeyOf(read: Read837, state: IntakeState): string {
  const own = read.input.claim.identifier?.[0]?.value ?? '';
  const f8 = read.input.claim.related?.[0]?.reference?.value;
  if (frequencyOf(read.input.claim) === '1' || !f8) return own;
  for (const [key, done] of state.adjudicated) if (done.remit.payerClaimNumber === f8) return key;
  return own;
}

interface RemitFor {
  remit: Remit;
  read: Read837;
}

/** The 835 claims for one accepted claim: its adjudication, a duplicate's CO-18, or a reversal. */
function adjudicate(j: Judged, lineRefs: string[], ctx: IntakeContext): RemitFor[] {
  const { state, now } = ctx;
  const read = j.read;
  const received = now.toISOString().slice(0, 10);
  const previous = state.adjudicated.get(j.claimNumber);
  const frequency = frequencyOf(read.input.claim);
  if (previous && frequency === '1') {
    state.duplicates.set(j.claimNumber, (state.duplicates.get(j.claimNumber) ?? 0) + 1);
    const remit = duplicateRemit(read, previous.remit.payerClaimNumber, lineRefs, received);
    return [{ remit, read }];
  }
  const reversal = previous && frequency !== '1' ? [{ remit: reversed(previous.remit), read }] : [];
  if (frequency === '8') {
    state.adjudicated.delete(j.claimNumber);
    return reversal;
  }
  const payerId = payerOf(read.input).id;
  const memberId = read.input.coverage.subscriberId ?? '';
  const number = state.nextNumber();
  const judgedRemit = adjudicateRemit({
    claim: read.input.claim,
    coverage: ctx.members.find(payerId, memberId),
    feeSchedule: ctx.feeSchedule ?? SANDBOX_PAYER_FEE_SCHEDULE,
    received: now,
    responseId: `cr-${number}`,
    controlNumber: j.payerClaimNumber ?? `PCN${number}`,
    deductibleMet: deductibleMetOf(state, payerId, memberId, j.claimNumber, received.slice(0, 4)),
  });
  // The front door already turns away a claim without a diagnosis (277CA); nothing to pay here.
  if ('rejection' in judgedRemit) return reversal;
  const remit = remitOf(judgedRemit.remit, read, lineRefs, received);
  state.adjudicated.set(j.claimNumber, {
    remit,
    payerId,
    memberId,
    serviceDate: remit.lines[0]?.date ?? received,
  });
  return [...reversal, { remit, read }];
}

/**
 * The payer's deductible accumulator (as the FHIR payer keeps it): PR-1 on the member's other
 * claims still standing this plan year. A replaced claim's own PR-1 is not counted: it is reversed.
 */
function deductibleMetOf(
  state: IntakeState,
  payerId: string,
  memberId: string,
  claimNumber: string,
  year: string,
): number {
  let met = 0;
  for (const [number, done] of state.adjudicated) {
    if (number === claimNumber || done.payerId !== payerId || done.memberId !== memberId) continue;
    if (!done.remit.received.startsWith(year)) continue;
    for (const a of done.remit.lines.flatMap((l) => l.adjustments))
      if (a.group === 'PR' && a.reason === '1') met += a.amount;
  }
  return Math.round(met * 100) / 100;
}

/** A reversal (CLP02 22) of an earlier payment: every amount negated, so it balances too. */
function reversed(remit: Remit): Remit {
  return {
    ...remit,
    status: '22',
    charge: -remit.charge,
    paid: -remit.paid,
    patientResponsibility: -remit.patientResponsibility,
    lines: remit.lines.map((l) => ({
      ...l,
      charge: -l.charge,
      paid: -l.paid,
      ...(l.allowed !== undefined ? { allowed: -l.allowed } : {}),
      adjustments: l.adjustments.map((a) => ({ ...a, amount: -a.amount })),
    })),
  };
}

/** One 835 file: a transaction per payer and payee (each its own payment). */
function era(remits: RemitFor[], to: { qualifier: string; id: string }, ctx: IntakeContext) {
  const groups = new Map<string, RemitFor[]>();
  for (const r of remits) {
    const npi = r.read.input.billingProvider.identifier?.find((i) => i.system === SYSTEM.npi);
    const key = `${payerOf(r.read.input).id}|${npi?.value ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const bodies = [...groups.values()].map((group) => {
    const first = group[0]?.read.input;
    const payer = first ? payerOf(first) : { id: '', name: '' };
    const ids = first?.billingProvider.identifier ?? [];
    const ein = ids.find((i) => i.system !== SYSTEM.npi)?.value;
    return build835Body(
      {
        payer: { id: payer.id, name: ctx.members.payerName(payer.id) ?? payer.name },
        payee: {
          name: first?.billingProvider.name ?? '',
          npi: ids.find((i) => i.system === SYSTEM.npi)?.value ?? '',
          ...(ein ? { ein } : {}),
        },
      },
      group.map((g) => g.remit),
      [],
      `EFT${x12Date(ctx.now).d8}${ctx.state.nextNumber()}`,
      ctx.now,
    );
  });
  return answerFile(to, KIND_835, bodies, ctx.state.nextControl(), ctx.now);
}
