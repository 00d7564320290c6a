import type {
  Claim,
  ClaimResponse,
  CoverageEligibilityResponse,
  PaymentReconciliation,
  Provenance,
  Task,
} from 'fhir/r4';
import {
  claimResponseSummary,
  type ClaimResponseSummary,
} from '../claims/claim-response-summary.ts';
import { denialNextStep } from '../claims/denial-next-steps.ts';
import { eligibilityAskedFor } from '../claims/eligibility-links.ts';
import { roundCents } from '../claims/fee-schedule.ts';
import type { EncounterCoding, Finding } from '../coding/coding-model.ts';
import { EXT, SYSTEM } from '../fhir/systems.ts';
import { isReversal } from '../x12/era-to-fhir.ts';
import { actionRecord, isActionTask, taskAmount, taskKind } from './action-tasks.ts';
import type { ClaimAnswer, ClaimDetail, HistoryGap, TimelineEvent } from './claim-detail-types.ts';
import { claimLines } from './claim-lines.ts';

/** Everything read for one claim; `claimDetail` turns it into the page's JSON. Pure. */
export interface ClaimDetailSources {
  claim: Claim & { id: string };
  /** Every version of the claim (`Claim/:id/_history`), any order. */
  versions: Claim[];
  /** The encounter's other claims (the original, replacements, voids). */
  siblings: Claim[];
  responses: ClaimResponse[];
  eligibility: CoverageEligibilityResponse[];
  payments: PaymentReconciliation[];
  tasks: Task[];
  provenance: Provenance[];
  patientName: string;
  coding: EncounterCoding;
  findings: Finding[];
  /** Parts of the history that could not be read (load-claim-detail.ts); default none. */
  gaps?: HistoryGap[];
  /** The answers to the claim that replaced this one (`replacingClaim`), when there is one. */
  replacementResponses?: ClaimResponse[];
}

export function frequencyOf(claim: Claim): string {
  return claim.extension?.find((e) => e.url === EXT.claimFrequency)?.valueCoding?.code ?? '1';
}

/** The newest answer to the claim (by reference or identifier). */
export function latestAnswer(
  claim: Claim,
  responses: readonly ClaimResponse[],
): ClaimResponse | undefined {
  const ids = new Set((claim.identifier ?? []).map((i) => `${i.system ?? ''}|${i.value ?? ''}`));
  return responses
    .filter(
      (r) =>
        r.request?.reference === `Claim/${claim.id ?? ''}` ||
        (r.request?.identifier &&
          ids.has(`${r.request.identifier.system ?? ''}|${r.request.identifier.value ?? ''}`)),
    )
    .sort((a, b) =>
      (b.meta?.lastUpdated ?? b.created).localeCompare(a.meta?.lastUpdated ?? a.created),
    )[0];
}

/**
 * Denied, partly denied or paid, decided from the adjudication (the summary's denial reasons, the
 * same the worker opens a `claim-denied` Task and reopens a claim for, and the read model counts),
 * not from `outcome`: an 835 answers every adjudicated claim `complete`, denials included (CLP02
 * 4). A FHIR payer's `partial` still reads as partly denied.
 */
export function claimAnswerOf(
  answer: ClaimResponse | undefined,
  summary: ClaimResponseSummary | undefined,
): ClaimAnswer | undefined {
  if (!answer || !summary) return undefined;
  // Its negated amounts and adjustments are the payer taking back its payment, not a denial.
  if (isReversal(answer)) return 'reversed';
  if (answer.outcome === 'queued') return 'waiting';
  if (answer.outcome === 'error') return 'rejected';
  if (summary.denials.length > 0) return summary.paid > 0 ? 'partly denied' : 'denied';
  return answer.outcome === 'partial' ? 'partly denied' : 'paid';
}

/** The newest of the encounter's claims that names `claim` as the one it replaces or voids. */
export function replacingClaim(claim: Claim, siblings: readonly Claim[]): Claim | undefined {
  return siblings
    .filter((c) => c.related?.some((r) => r.claim?.reference === `Claim/${claim.id ?? ''}`))
    .sort((a, b) => b.created.localeCompare(a.created))[0];
}

/**
 * A claim the payer reversed (835 CLP02 22) after a replacement: what it was answered before the
 * reversal (its lines), what it nets to (paid less the reversal), and the replacement's answer as
 * the visit's current state.
 */
function reversedView(s: ClaimDetailSources, replacedBy: Claim | undefined) {
  const mine = s.responses.filter((r) => !isReversal(r));
  const before = latestAnswer(s.claim, mine);
  const net = roundCents(
    s.responses.reduce(
      (sum, r) => sum + (r.outcome === 'queued' ? 0 : (r.payment?.amount.value ?? 0)),
      0,
    ),
  );
  const identifier = replacedBy?.identifier?.find((i) => i.system === SYSTEM.claimId)?.value;
  const next = replacedBy ? latestAnswer(replacedBy, s.replacementResponses ?? []) : undefined;
  const nextState = next ? claimAnswerOf(next, claimResponseSummary(next)) : undefined;
  const name = identifier ? `claim ${identifier}` : `Claim/${replacedBy?.id ?? '?'}`;
  return {
    before,
    net,
    disposition: replacedBy
      ? `Reversed by the payer; replaced by ${name}${nextState ? `, ${REPLACEMENT_WORDS[nextState]}` : ''}.`
      : 'Reversed by the payer.',
    ...(replacedBy?.id
      ? {
          replacement: {
            claim: `Claim/${replacedBy.id}`,
            ...(identifier ? { identifier } : {}),
            ...(nextState ? { answer: nextState } : {}),
          },
        }
      : {}),
  };
}

/** The replacement's answer, as the reversed claim's detail says it. */
const REPLACEMENT_WORDS: Readonly<Record<ClaimAnswer, string>> = {
  waiting: 'which waits for the payer',
  rejected: 'which the payer rejected',
  denied: 'which the payer denied',
  'partly denied': 'which the payer partly denied',
  paid: 'which the payer paid',
  reversed: 'which the payer reversed too',
};

/** One claim as the billing office works it: lines, totals, denials, timeline, coding, actions. */
export function claimDetail(s: ClaimDetailSources): ClaimDetail {
  const { claim } = s;
  const latest = latestAnswer(claim, s.responses);
  const replacedBy = replacingClaim(claim, s.siblings);
  const reversed = latest && isReversal(latest) ? reversedView(s, replacedBy) : undefined;
  const answer = reversed ? reversed.before : latest;
  const summary = answer ? claimResponseSummary(answer) : undefined;
  const state = reversed ? 'reversed' : claimAnswerOf(answer, summary);
  const lines = claimLines(claim, answer);
  const open = (t: Task) => !['completed', 'cancelled', 'entered-in-error'].includes(t.status);
  const amountOf = (kind: string, live: (t: Task) => boolean) =>
    roundCents(
      s.tasks
        .filter((t) => taskKind(t) === kind && live(t))
        .reduce((sum, t) => sum + (taskAmount(t) ?? 0), 0),
    );
  const writtenOff = amountOf('write-off', (t) => t.status === 'completed');
  const billedToPatient = amountOf('patient-statement', (t) => t.status !== 'cancelled');
  const billed = roundCents(lines.reduce((sum, l) => sum + l.billed, 0));
  // A reversed claim owes nothing: its payment was taken back and the replacement is billed.
  const paid = reversed ? reversed.net : (summary?.paid ?? 0);
  const allowed = reversed ? 0 : (summary?.allowed ?? 0);
  const patient = reversed ? 0 : (summary?.patientResponsibility ?? 0);
  // The payer's contractual reduction (billed − allowed on paid lines) is not owed by anyone.
  const contractual = roundCents(
    lines
      .filter((l) => !l.denied && l.allowed > 0)
      .reduce((sum, l) => sum + l.billed - l.allowed, 0),
  );
  const voided = frequencyOf(claim) === '8' || claim.status === 'cancelled' || !!reversed;
  const balance = voided
    ? 0
    : Math.max(0, roundCents(billed - paid - contractual - writtenOff - billedToPatient));
  const denialTask = s.tasks.find((t) => taskKind(t) === 'claim-denied' && open(t));
  const appealTask = s.tasks.find((t) => taskKind(t) === 'appeal');
  const deadline = (appealTask ?? denialTask)?.restriction?.period?.end?.slice(0, 10);
  const payerNumber = answer?.identifier?.[0]?.value;
  const prior = claim.related?.find((r) => r.claim?.reference)?.claim?.reference;
  const encounterId = claim.item?.[0]?.encounter?.[0]?.reference?.replace(/^Encounter\//, '');
  return {
    claimId: claim.id,
    ...(claim.meta?.versionId ? { versionId: claim.meta.versionId } : {}),
    ...(encounterId ? { encounterId } : {}),
    patient: { reference: claim.patient.reference ?? '', name: s.patientName },
    ...(claim.insurer?.display ? { payer: claim.insurer.display } : {}),
    ...(serviceDate(claim) ? { serviceDate: serviceDate(claim) } : {}),
    status: claim.status,
    frequency: frequencyOf(claim),
    ...(payerNumber ? { payerClaimNumber: payerNumber } : {}),
    ...(prior ? { replaces: prior } : {}),
    ...(replacedBy?.id ? { replacedBy: `Claim/${replacedBy.id}` } : {}),
    ...(reversed?.replacement ? { replacement: reversed.replacement } : {}),
    ...(latest?.outcome ? { outcome: latest.outcome } : {}),
    ...(state ? { answer: state } : {}),
    ...(reversed
      ? { disposition: reversed.disposition }
      : answer?.disposition
        ? { disposition: answer.disposition }
        : {}),
    totals: { billed, allowed, paid, patient, writtenOff, billedToPatient, balance },
    lines,
    denials: (reversed ? [] : (summary?.denials ?? [])).map((d) => ({
      ...(d.itemSequence !== undefined ? { itemSequence: d.itemSequence } : {}),
      ...(d.group ? { group: d.group } : {}),
      carc: d.carc,
      ...(d.rarc ? { rarc: d.rarc } : {}),
      text: d.text,
      nextStep: denialNextStep(d.group, d.carc, d.rarc).text,
    })),
    ...(deadline ? { appealDeadline: deadline } : {}),
    timeline: claimTimeline(s),
    historyGaps: s.gaps ?? [],
    coding: s.coding,
    findings: s.findings,
    actions: s.tasks.filter(isActionTask).map(actionRecord),
  };
}

function serviceDate(claim: Claim): string | undefined {
  return (claim.billablePeriod?.start ?? claim.item?.[0]?.servicedDate)?.slice(0, 10);
}

/** ` checked when booked` for the answer an appointment got (reused by its visit), else nothing. */
function eligibilityAskedWhen(e: CoverageEligibilityResponse): string {
  const asked = eligibilityAskedFor(e.request.identifier);
  return asked && 'appointmentId' in asked ? ' checked when booked' : '';
}

/** Every event of the claim's life, oldest first. */
export function claimTimeline(s: ClaimDetailSources): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const v of s.versions) {
    const at = v.meta?.lastUpdated ?? v.created;
    events.push({
      at,
      kind: 'claim-version',
      title: `Claim version ${v.meta?.versionId ?? '?'} (${v.status}, frequency ${frequencyOf(v)})`,
      detail: `${String(v.item?.length ?? 0)} lines, billed $${(v.total?.value ?? 0).toFixed(2)}`,
      reference: `Claim/${s.claim.id}/_history/${v.meta?.versionId ?? ''}`,
    });
  }
  for (const e of s.eligibility)
    events.push({
      at: e.created,
      kind: 'eligibility',
      title: `Eligibility${eligibilityAskedWhen(e)}: ${e.insurance?.some((i) => i.inforce) ? 'in force' : 'not in force'}`,
      ...(e.disposition ? { detail: e.disposition } : {}),
      reference: `CoverageEligibilityResponse/${e.id ?? ''}`,
    });
  for (const r of s.responses) events.push(...responseEvents(r));
  for (const p of s.payments)
    events.push({
      at: p.paymentDate,
      kind: 'payment',
      title: `Payment $${(p.paymentAmount.value ?? 0).toFixed(2)}`,
      ...(p.paymentIdentifier?.value ? { detail: `Trace ${p.paymentIdentifier.value}` } : {}),
      reference: `PaymentReconciliation/${p.id ?? ''}`,
    });
  for (const t of s.tasks)
    events.push({
      at: t.authoredOn ?? t.meta?.lastUpdated ?? '',
      kind: 'task',
      title: `${t.code?.text ?? 'Work item'} (${t.status})`,
      ...(t.description ? { detail: t.description } : {}),
      reference: `Task/${t.id ?? ''}`,
    });
  for (const p of s.provenance) events.push(provenanceEvent(p));
  return events.sort((a, b) => a.at.localeCompare(b.at));
}

const ACTIVITY_WORDS: Readonly<Record<string, string>> = {
  CREATE: 'created',
  UPDATE: 'updated',
  DELETE: 'deleted',
};

/** Who wrote which record, in words: "Claim created by ChartBill worker". */
function provenanceEvent(p: Provenance): TimelineEvent {
  const author =
    p.agent.find((a) => a.type?.coding?.some((c) => c.code === 'author')) ?? p.agent[0];
  const who = author?.who.display ?? author?.who.reference ?? 'unknown';
  const what = p.target[0]?.reference?.split('/')[0] ?? 'Record';
  const verb = ACTIVITY_WORDS[p.activity?.coding?.[0]?.code ?? ''] ?? 'written';
  return {
    at: p.recorded,
    kind: 'provenance',
    title: `${what} ${verb} by ${who}`,
    detail: p.target.map((t) => t.reference ?? '').join(', '),
    reference: `Provenance/${p.id ?? ''}`,
  };
}

/** A payer answer is a submission acknowledged, then (unless queued) an adjudication. */
function responseEvents(r: ClaimResponse): TimelineEvent[] {
  const reference = `ClaimResponse/${r.id ?? ''}`;
  const at = r.created;
  const number = r.identifier?.[0]?.value;
  const out: TimelineEvent[] = [
    {
      at,
      kind: 'submission',
      title: 'Submitted to the payer',
      ...(r.request?.reference ? { detail: r.request.reference } : {}),
      reference,
    },
    {
      at,
      kind: 'acknowledgment',
      title: `Payer acknowledged${number ? ` (claim number ${number})` : ''}`,
      reference,
    },
  ];
  if (r.outcome !== 'queued')
    out.push({
      at,
      kind: 'claim-response',
      // In the biller's words (denied, partly denied, paid), not FHIR's `complete`.
      title: `Payer answered: ${claimAnswerOf(r, claimResponseSummary(r)) ?? r.outcome}`,
      ...(r.disposition ? { detail: r.disposition } : {}),
      reference,
    });
  return out;
}
