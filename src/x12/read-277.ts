import { CATEGORY, statusWords, type StatusStage } from './claim-status-codes.ts';
import { components, el, positionOf, type Delimiters, type Segment } from './segment-reader.ts';
import type { X12Position } from './x12-error.ts';

/** One STC composite (STC01, STC10 or STC11) with the STC's date and amounts. */
export interface StatusEntry {
  category: string;
  status: string;
  entity?: string;
  stage: StatusStage;
  words: string;
  /** STC02, YYYY-MM-DD. */
  date?: string;
  /** STC04 total charge; STC05 payment (277). */
  charge?: number;
  paid?: number;
}

/** The status of one claim, from a 277CA (claim acknowledgment) or a 277 (status answer). */
export interface ClaimStatusAnswer {
  /** CLM01 as sent: 277CA TRN02 at the patient level, 277 REF*EJ. */
  patientControlNumber: string;
  /** TRN02 (the 276's trace number, in a 277). */
  trace?: string;
  /** REF*1K: the payer's claim control number. */
  payerClaimNumber?: string;
  patient: { lastName?: string; firstName?: string; memberId?: string };
  statuses: StatusEntry[];
  lines: { code: string; charge: number; statuses: StatusEntry[] }[];
  serviceDate?: string;
  at: X12Position;
}

/** Who answered: the information source of loop 2000A (NM1*PR payer or NM1*AY clearinghouse). */
export interface StatusSource {
  name: string;
  role: 'payer' | 'clearinghouse';
}

/** A 277CA or 277 read: the answers and who gave them. */
export interface StatusReport {
  /** ST03: 005010X214 (277CA) or 005010X212 (277). */
  version: string;
  kind: '277CA' | '277';
  source: StatusSource;
  claims: ClaimStatusAnswer[];
}

/** One event for the chart's claim timeline. */
export interface TimelineEvent {
  date?: string;
  stage: StatusStage;
  /** `accepted by clearinghouse`, `rejected by payer`, `paid`, … */
  label: string;
  detail: string;
}

/** Collects 277CA/277 transactions from a file's segments. */
export class StatusCollector {
  readonly reports: StatusReport[] = [];
  private report: StatusReport | undefined;
  private claim: ClaimStatusAnswer | undefined;
  private line: ClaimStatusAnswer['lines'][number] | undefined;
  private level = '';
  private name: Segment | undefined;

  add(s: Segment, d: Delimiters): void {
    const report = this.report;
    switch (s.tag) {
      case 'ST': {
        const version = el(s, 3);
        this.report = {
          version,
          kind: version.includes('X214') ? '277CA' : '277',
          source: { name: '', role: 'payer' },
          claims: [],
        };
        this.reports.push(this.report);
        this.claim = undefined;
        return;
      }
      case 'HL':
        this.level = el(s, 3);
        this.claim = undefined;
        this.line = undefined;
        return;
      case 'NM1':
        this.onName(s);
        return;
      case 'TRN':
        if (this.isPatientLevel() && report) this.startClaim(s, report);
        return;
      case 'STC':
        this.onStatus(s, d);
        return;
      case 'REF':
        if (this.claim && el(s, 1) === '1K') this.claim.payerClaimNumber = el(s, 2);
        if (this.claim && el(s, 1) === 'EJ') this.claim.patientControlNumber = el(s, 2);
        return;
      case 'DTP':
        if (this.claim && el(s, 1) === '472')
          this.claim.serviceDate = isoDate(el(s, 3).split('-')[0] ?? '');
        return;
      case 'SVC':
        if (this.claim) {
          this.line = {
            code: components(el(s, 1), d)[1] ?? '',
            charge: Number(el(s, 2)),
            statuses: [],
          };
          this.claim.lines.push(this.line);
        }
        return;
    }
  }

  private isPatientLevel(): boolean {
    return this.level === 'PT' || this.level === '22' || this.level === '23';
  }

  private onName(s: Segment): void {
    this.name = s;
    if (this.level === '20' && this.report)
      this.report.source = { name: el(s, 3), role: el(s, 1) === 'AY' ? 'clearinghouse' : 'payer' };
  }

  private startClaim(s: Segment, report: StatusReport): void {
    const n = this.name;
    const patient =
      n && (el(n, 1) === 'QC' || el(n, 1) === 'IL')
        ? { lastName: el(n, 3), firstName: el(n, 4), ...(el(n, 9) ? { memberId: el(n, 9) } : {}) }
        : {};
    this.claim = {
      patientControlNumber: el(s, 2),
      ...(report.kind === '277' ? { trace: el(s, 2) } : {}),
      patient,
      statuses: [],
      lines: [],
      at: positionOf(s),
    };
    report.claims.push(this.claim);
  }

  private onStatus(s: Segment, d: Delimiters): void {
    const target = this.line ?? this.claim;
    if (!target) return;
    for (const position of [1, 10, 11]) {
      const [category = '', status = '', entity] = components(el(s, position), d);
      if (!category) continue;
      target.statuses.push({
        category,
        status,
        ...(entity ? { entity } : {}),
        stage: CATEGORY[category]?.stage ?? 'pending',
        words: statusWords(category, status, entity),
        ...(el(s, 2) ? { date: isoDate(el(s, 2)) } : {}),
        ...(el(s, 4) ? { charge: Number(el(s, 4)) } : {}),
        ...(el(s, 5) ? { paid: Number(el(s, 5)) } : {}),
      });
    }
  }
}

function isoDate(d8: string): string {
  return `${d8.slice(0, 4)}-${d8.slice(4, 6)}-${d8.slice(6, 8)}`;
}

/**
 * The timeline event of a claim's status: "accepted by clearinghouse", "rejected by payer", …
 * with the STC codes in words. A rejection names what to fix (the worker makes a Task of it).
 */
export function statusTimelineEvent(
  answer: ClaimStatusAnswer,
  source: StatusSource,
): TimelineEvent {
  const first = answer.statuses[0];
  const stage = first?.stage ?? 'pending';
  const who = source.role === 'clearinghouse' ? 'clearinghouse' : 'payer';
  const label =
    stage === 'acknowledged'
      ? `accepted by ${who}`
      : stage === 'rejected'
        ? `rejected by ${who}`
        : stage === 'finalized'
          ? first?.category === 'F1'
            ? 'paid'
            : first?.category === 'F2'
              ? 'denied'
              : 'finalized'
          : stage === 'error'
            ? `${who} could not answer`
            : stage === 'request'
              ? `${who} asks for information`
              : `pending at ${who}`;
  const detail = [
    ...answer.statuses,
    ...answer.lines.flatMap((l) =>
      l.statuses.map((st) => ({ ...st, words: `line ${l.code}: ${st.words}` })),
    ),
  ]
    .map((st) => `${st.category}:${st.status}${st.entity ? `:${st.entity}` : ''} ${st.words}`)
    .join('; ');
  return { ...(first?.date ? { date: first.date } : {}), stage, label, detail };
}
