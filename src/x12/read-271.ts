import { FOLLOW_UP, REJECT_REASON } from './eligibility-codes.ts';
import { el, positionOf, type Delimiters, type Segment } from './segment-reader.ts';
import { positionText } from './x12-error.ts';

/** One EB segment (loop 2110C/2110D). */
export interface EligibilityBenefit {
  /** EB01: 1 active, 6 inactive, A coinsurance, B copay, C deductible, G out-of-pocket, … */
  info: string;
  /** EB02: IND, FAM, … */
  level?: string;
  /** EB03: service type codes (repeated). */
  serviceTypes: string[];
  insuranceType?: string;
  planDescription?: string;
  /** EB06: 23 calendar year, 29 remaining, … */
  period?: string;
  amount?: number;
  /** EB08 as a fraction (0.2 = 20 %). */
  percent?: number;
  quantity?: number;
  authorizationRequired?: boolean;
  /** EB12: Y in network, N out of network, W either. */
  inNetwork?: 'Y' | 'N' | 'W';
  /** MSG free text that followed. */
  messages: string[];
}

/** An AAA: the request could not be answered, with the reason in words. */
export interface EligibilityRejection {
  reason: string;
  text: string;
  followUp?: string;
  /** The loop's entity (payer, provider, subscriber) and where the AAA is. */
  where: string;
}

/** A person a 271 names: 2100C the subscriber (with the member id), 2100D a dependent. */
export interface EligibilityPerson {
  lastName?: string;
  firstName?: string;
  memberId?: string;
  birthDate?: string;
}

/**
 * A 271 answer for one subscriber, or for a dependent (loop 2000D): then `subscriber` is the
 * 2100C holder of the member id the answer is under, `dependent` the 2100D patient, and the
 * benefits are those of 2110D.
 */
export interface Eligibility271 {
  /** TRN02 echoed from the 270 (ChartBill's trace). */
  trace?: string;
  payerName?: string;
  payerId?: string;
  subscriber: EligibilityPerson;
  dependent?: EligibilityPerson;
  /** DTP*346/347 plan begin/end, DTP*291 plan, DTP*356/357 eligibility, YYYY-MM-DD. */
  planStart?: string;
  planEnd?: string;
  benefits: EligibilityBenefit[];
  rejections: EligibilityRejection[];
}

const LEVEL_NAME: Readonly<Record<string, string>> = {
  '20': 'payer',
  '21': 'provider',
  '22': 'subscriber',
  '23': 'dependent',
};

/** Collects 271 answers from a file's segments. */
export class EligibilityCollector {
  readonly answers: Eligibility271[] = [];
  private answer: Eligibility271 | undefined;
  private benefit: EligibilityBenefit | undefined;
  private level = '';
  private payer: { name?: string; id?: string } = {};
  private pendingRejections: EligibilityRejection[] = [];

  add(s: Segment, d: Delimiters): void {
    switch (s.tag) {
      case 'ST':
        Object.assign(this, {
          answer: undefined,
          benefit: undefined,
          payer: {},
          pendingRejections: [],
        });
        return;
      case 'HL':
        this.level = el(s, 3);
        this.benefit = undefined;
        if (this.level === '22') this.startAnswer();
        else if (this.level === '23') this.startDependent();
        return;
      case 'NM1':
        this.onName(s);
        return;
      case 'TRN':
        if (this.answer && !this.answer.trace) this.answer.trace = el(s, 2);
        return;
      case 'AAA':
        this.onReject(s);
        return;
      case 'DTP':
        this.onDate(s);
        return;
      case 'DMG':
        if (this.answer && /^\d{8}$/.test(el(s, 2)))
          (this.answer.dependent ?? this.answer.subscriber).birthDate = iso(el(s, 2));
        return;
      case 'EB':
        this.onBenefit(s, d);
        return;
      case 'MSG':
        this.benefit?.messages.push(el(s, 1));
        return;
    }
  }

  private startAnswer(): void {
    this.answer = {
      ...(this.payer.name ? { payerName: this.payer.name } : {}),
      ...(this.payer.id ? { payerId: this.payer.id } : {}),
      subscriber: {},
      benefits: [],
      rejections: [...this.pendingRejections],
    };
    this.answers.push(this.answer);
  }

  /**
   * Loop 2000D: the dependent the answer is about. The subscriber level above it carries no
   * benefits of its own when the 270 asked about the dependent, so that answer becomes the
   * dependent's (keeping 2100C's member id); a second dependent under the same subscriber gets
   * an answer of its own with the same 2100C.
   */
  private startDependent(): void {
    const above = this.answer;
    if (above && !above.dependent && above.benefits.length === 0) {
      above.dependent = {};
      return;
    }
    this.startAnswer();
    if (this.answer) {
      this.answer.subscriber = { ...(above?.subscriber ?? {}) };
      if (above?.planStart) this.answer.planStart = above.planStart;
      if (above?.planEnd) this.answer.planEnd = above.planEnd;
      this.answer.dependent = {};
    }
  }

  private onName(s: Segment): void {
    if (el(s, 1) === 'PR') this.payer = { name: el(s, 3), id: el(s, 9) };
    else if ((el(s, 1) === 'IL' || el(s, 1) === '03') && this.answer) {
      const person = {
        lastName: el(s, 3),
        firstName: el(s, 4),
        ...(el(s, 9) ? { memberId: el(s, 9) } : {}),
      };
      if (el(s, 1) === '03' && this.answer.dependent)
        this.answer.dependent = { ...this.answer.dependent, ...person };
      else this.answer.subscriber = { ...this.answer.subscriber, ...person };
    }
  }

  private onReject(s: Segment): void {
    const rejection: EligibilityRejection = {
      reason: el(s, 3),
      text: REJECT_REASON[el(s, 3)] ?? `reject reason ${el(s, 3)}`,
      ...(el(s, 4) ? { followUp: FOLLOW_UP[el(s, 4)] ?? el(s, 4) } : {}),
      where: `${LEVEL_NAME[this.level] ?? 'request'} level, ${positionText(positionOf(s))}`,
    };
    // An AAA at the payer or provider level applies to every subscriber answered after it.
    if (this.answer) this.answer.rejections.push(rejection);
    else {
      this.pendingRejections.push(rejection);
      if (!this.answers.length) this.startAnswer();
      else this.answers[this.answers.length - 1]?.rejections.push(rejection);
    }
  }

  private onDate(s: Segment): void {
    if (!this.answer || this.benefit) return;
    const [from = '', to] = el(s, 3).split('-');
    if (!/^\d{8}$/.test(from)) return;
    if (['346', '356', '291', '307'].includes(el(s, 1))) {
      this.answer.planStart = iso(from);
      if (to) this.answer.planEnd = iso(to);
    } else if (['347', '357'].includes(el(s, 1))) this.answer.planEnd = iso(from);
  }

  private onBenefit(s: Segment, d: Delimiters): void {
    if (!this.answer) return;
    const network = el(s, 12);
    this.benefit = {
      info: el(s, 1),
      ...(el(s, 2) ? { level: el(s, 2) } : {}),
      serviceTypes: el(s, 3) ? el(s, 3).split(d.repetition) : [],
      ...(el(s, 4) ? { insuranceType: el(s, 4) } : {}),
      ...(el(s, 5) ? { planDescription: el(s, 5) } : {}),
      ...(el(s, 6) ? { period: el(s, 6) } : {}),
      ...(el(s, 7) ? { amount: Number(el(s, 7)) } : {}),
      ...(el(s, 8) ? { percent: Number(el(s, 8)) } : {}),
      ...(el(s, 10) ? { quantity: Number(el(s, 10)) } : {}),
      ...(el(s, 11) ? { authorizationRequired: el(s, 11) === 'Y' } : {}),
      ...(network === 'Y' || network === 'N' || network === 'W' ? { inNetwork: network } : {}),
      messages: [],
    };
    this.answer.benefits.push(this.benefit);
  }
}

function iso(d8: string): string {
  return `${d8.slice(0, 4)}-${d8.slice(4, 6)}-${d8.slice(6, 8)}`;
}
