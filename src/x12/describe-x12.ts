import type { Era835 } from './collect-835.ts';
import { BENEFIT_INFO, COVERAGE_LEVEL, SERVICE_TYPE, TIME_PERIOD } from './eligibility-codes.ts';
import type { EraAdjustment, EraClaim } from './era-types.ts';
import type { Eligibility271, EligibilityPerson } from './read-271.ts';
import { statusTimelineEvent, type StatusReport } from './read-277.ts';
import type { Ack999, Ta1 } from './read-999.ts';
import type { X12Document } from './read-x12.ts';
import {
  CLAIM_STATUS_TEXT,
  GROUP_TEXT,
  PAYMENT_METHOD_TEXT,
  PLB_REASON_TEXT,
  reasonText,
} from './remit-codes.ts';

const m = (n: number) => n.toFixed(2);

/** A biller's view of any X12 file ChartBill reads: who paid what, why each adjustment, what was rejected. */
export function describeX12(doc: X12Document): string {
  switch (doc.kind) {
    case 'ack':
      return [...doc.ta1.map(describeTa1), ...doc.acks.map(describe999)].join('\n\n');
    case 'status':
      return doc.reports.map(describeStatus).join('\n\n');
    case 'eligibility':
      return doc.answers.map(describe271).join('\n\n');
    case 'remittance':
      return doc.eras.map(describe835).join('\n\n');
    case 'claims':
      return doc.claims
        .map(
          (c) =>
            `Claim ${c.input.claim.identifier?.[0]?.value ?? '?'} (${c.version}): ${c.input.claim.item?.length ?? 0} lines, total ${m(c.input.claim.total?.value ?? 0)}`,
        )
        .join('\n');
    default:
      return doc satisfies never;
  }
}

function describeTa1(t: Ta1): string {
  return `Interchange ${t.interchangeControl}: ${t.statusText} (TA1 ${t.status}, note ${t.note}: ${t.noteText})`;
}

function describe999(a: Ack999): string {
  const lines = [
    `999 for group ${a.groupControl} (${a.functionalId} ${a.version}): ${a.statusText}; ${a.accepted} of ${a.received} transaction sets accepted.`,
  ];
  if (a.rejection) lines.push(a.rejection);
  for (const t of a.transactions) {
    lines.push(
      `  ${t.set} ${t.control}: ${t.statusText}${t.reasons.length ? ` (${t.reasons.join('; ')})` : ''}`,
    );
    for (const e of t.errors) {
      lines.push(
        `    ${e.segment} at segment ${e.position} of the set${e.loop ? `, loop ${e.loop}` : ''}: ${e.text}`,
      );
      for (const el of e.elements)
        lines.push(
          `      element ${el.position}${el.reference ? ` (${el.reference})` : ''}: ${el.text}${el.value ? ` — '${el.value}'` : ''}`,
        );
    }
  }
  return lines.join('\n');
}

function describeStatus(r: StatusReport): string {
  const lines = [`${r.kind} from ${r.source.name || r.source.role} (${r.source.role}):`];
  for (const c of r.claims) {
    const event = statusTimelineEvent(c, r.source);
    lines.push(
      `  Claim ${c.patientControlNumber}${c.payerClaimNumber ? ` (payer claim ${c.payerClaimNumber})` : ''}: ${event.label}${event.date ? ` on ${event.date}` : ''}`,
    );
    lines.push(`    ${event.detail}`);
  }
  return lines.join('\n');
}

function describe271(a: Eligibility271): string {
  const nameOf = (p: EligibilityPerson) => [p.firstName, p.lastName].filter(Boolean).join(' ');
  const who = nameOf(a.subscriber);
  const member = `${who || 'the member'}${a.subscriber.memberId ? ` (${a.subscriber.memberId})` : ''}`;
  const lines = [
    `Eligibility from ${a.payerName ?? 'the payer'} for ${
      a.dependent ? `${nameOf(a.dependent) || 'a dependent'}, dependent of ${member}` : member
    }:`,
  ];
  for (const r of a.rejections)
    lines.push(
      `  REJECTED: ${r.text} (AAA ${r.reason}${r.followUp ? `; ${r.followUp}` : ''}; ${r.where})`,
    );
  if (a.planStart) lines.push(`  Plan: ${a.planStart}${a.planEnd ? ` to ${a.planEnd}` : ''}`);
  for (const b of a.benefits) {
    const services = b.serviceTypes.map((s) => SERVICE_TYPE[s] ?? s).join(', ');
    const value =
      b.percent !== undefined
        ? `${Math.round(b.percent * 100)}%`
        : b.amount !== undefined
          ? m(b.amount)
          : '';
    const network =
      b.inNetwork === 'Y' ? 'in network' : b.inNetwork === 'N' ? 'out of network' : '';
    const parts = [
      BENEFIT_INFO[b.info] ?? `EB01 ${b.info}`,
      value,
      b.period ? (TIME_PERIOD[b.period] ?? '') : '',
      b.level ? (COVERAGE_LEVEL[b.level] ?? b.level) : '',
      network,
      services ? `for ${services}` : '',
      b.planDescription ?? '',
    ].filter(Boolean);
    lines.push(`  ${parts.join(' ')}`);
  }
  return lines.join('\n');
}

function adjustmentWords(a: EraAdjustment): string {
  return `${a.group}-${a.reason} ${m(a.amount)}: ${reasonText(a.reason)} [${GROUP_TEXT[a.group] ?? a.group}]`;
}

function describeClaim(c: EraClaim): string[] {
  const who = [c.patient.firstName, c.patient.lastName].filter(Boolean).join(' ');
  const owes = [...c.adjustments, ...c.lines.flatMap((l) => l.adjustments)]
    .filter((a) => a.group === 'PR')
    .reduce((s, a) => s + a.amount, 0);
  const lines = [
    `  Claim ${c.patientControlNumber}${who ? ` (${who})` : ''}, payer claim ${c.payerClaimControlNumber}: ${CLAIM_STATUS_TEXT[c.status] ?? `status ${c.status}`}; billed ${m(c.charge)}, paid ${m(c.paid)}, patient owes ${m(owes)}`,
  ];
  for (const a of c.adjustments) lines.push(`    ${adjustmentWords(a)}`);
  for (const r of c.remarks) lines.push(`    remark ${r}`);
  for (const l of c.lines) {
    lines.push(
      `    Line ${l.code}${l.modifiers.length ? `-${l.modifiers.join('-')}` : ''}${l.serviceDate ? ` on ${l.serviceDate}` : ''}: billed ${m(l.charge)}${l.allowed !== undefined ? `, allowed ${m(l.allowed)}` : ''}, paid ${m(l.paid)}`,
    );
    for (const a of l.adjustments) lines.push(`      ${adjustmentWords(a)}`);
    for (const r of l.remarks) lines.push(`      remark ${r}`);
  }
  if (!c.balanced)
    lines.push(
      '    Note: the payer’s amounts for this claim do not balance (CLP03 − adjustments ≠ CLP04).',
    );
  for (const w of c.warnings) lines.push(`    Note: ${w}`);
  return lines;
}

function describe835(e: Era835): string {
  const p = e.payment;
  const lines = [
    `Payment from ${p.payerName ?? 'the payer'} to ${p.payeeName ?? 'the provider'}: ${PAYMENT_METHOD_TEXT[p.method] ?? p.method} ${m(p.amount)}${p.date ? ` on ${p.date}` : ''}, trace ${p.trace}; ${e.claims.length} claims.`,
    ...p.warnings.map((w) => `  Note: ${w}`),
    ...e.claims.flatMap(describeClaim),
  ];
  for (const a of e.providerAdjustments)
    lines.push(
      `  Provider adjustment ${a.reason}${a.reference ? ` (${a.reference})` : ''}: ${m(-a.amount)} — ${PLB_REASON_TEXT[a.reason] ?? 'provider-level adjustment'}`,
    );
  lines.push(
    `  Balance: claims paid ${m(e.claimsPaid)} less provider adjustments ${m(e.providerAdjustments.reduce((s, a) => s + a.amount, 0))} = payment ${m(p.amount)}.`,
  );
  return lines.join('\n');
}
