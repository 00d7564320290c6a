/**
 * Price tables, keyed by CPT/HCPCS code number: the practice's charge master (what it bills) and
 * the sandbox payer's fee schedule (what the payer allows). Browser-safe.
 *
 * The sandbox allowed amounts are invented for demonstration, loosely anchored on the CY2025
 * Medicare Physician Fee Schedule (non-facility total RVU × conversion factor 32.3465, rounded
 * up a little as commercial plans pay) and, for labs, on the Clinical Lab Fee Schedule. Billed
 * charges are about twice the allowed amount, as practice charge masters usually are, so the
 * payer's contractual adjustment (CARC 45) shows on every paid line.
 */
export interface FeeSchedule {
  name: string;
  currency: 'USD';
  /** Dollars per unit, by code number (CPT or HCPCS Level II, no modifiers). */
  prices: Readonly<Record<string, number>>;
  /** An imported charge master's dated prices by code and modifier (src/pricing/charge-master.ts). */
  entries?: readonly import('../pricing/charge-master.ts').ChargeEntry[];
}

/** What the sandbox payer allows per unit. A code that is not here is not covered (CARC 96). */
export const SANDBOX_PAYER_FEE_SCHEDULE: FeeSchedule = {
  name: 'Sandbox Health Plan professional fee schedule',
  currency: 'USD',
  prices: {
    // Office/outpatient E/M, new and established patients.
    '99202': 72,
    '99203': 113,
    '99204': 169,
    '99205': 223,
    '99211': 24,
    '99212': 57,
    '99213': 92,
    '99214': 130,
    '99215': 182,
    // Preventive medicine, new and established.
    '99381': 128,
    '99382': 132,
    '99383': 131,
    '99384': 138,
    '99385': 131,
    '99386': 150,
    '99387': 162,
    '99391': 98,
    '99392': 105,
    '99393': 104,
    '99394': 113,
    '99395': 118,
    '99396': 125,
    '99397': 135,
    // Medicare annual wellness visits (HCPCS Level II).
    G0438: 166,
    G0439: 131,
    // Office procedures and injections.
    '93000': 15,
    '90471': 21,
    '96372': 15,
    '17110': 114,
    '11102': 99,
    '20610': 66,
    '69210': 52,
    // Drugs given in the office, per HCPCS unit (ketorolac 15 mg; ASP-based, rounded up).
    J1885: 3,
    // Labs (CLFS-like).
    '36415': 3,
    '85025': 8,
    '80053': 11,
    '80061': 14,
    '83036': 10,
    '84443': 17,
    '81002': 4,
    '81003': 4,
    '87880': 17,
    '90686': 22,
  },
};

/** The practice's billed charge per unit. Every code ChartBill may bill should be here. */
export const PRACTICE_CHARGE_MASTER: FeeSchedule = {
  name: 'Practice charge master',
  currency: 'USD',
  prices: {
    '99202': 145,
    '99203': 225,
    '99204': 340,
    '99205': 445,
    '99211': 50,
    '99212': 115,
    '99213': 185,
    '99214': 260,
    '99215': 365,
    '99381': 255,
    '99382': 265,
    '99383': 265,
    '99384': 275,
    '99385': 265,
    '99386': 300,
    '99387': 325,
    '99391': 195,
    '99392': 210,
    '99393': 210,
    '99394': 225,
    '99395': 235,
    '99396': 250,
    '99397': 270,
    G0438: 330,
    G0439: 260,
    '93000': 35,
    '90471': 40,
    '96372': 35,
    '17110': 230,
    '11102': 200,
    '20610': 135,
    '69210': 105,
    J1885: 12,
    '36415': 10,
    '85025': 25,
    '80053': 35,
    '80061': 40,
    '83036': 30,
    '84443': 45,
    '81002': 15,
    '81003': 15,
    '87880': 40,
    '90686': 45,
    // Billed, but not covered by the sandbox plan (the payer denies it with CARC 96).
    S9986: 50,
  },
};

/** The per-unit price of `code` in `schedule`, or undefined when the code is not on it. */
export function feeFor(schedule: FeeSchedule, code: string): number | undefined {
  return Object.hasOwn(schedule.prices, code) ? schedule.prices[code] : undefined;
}

/** Rounds to cents, the way amounts on claims and remittances are stated. */
export function roundCents(amount: number): number {
  return Math.round(amount * 100) / 100;
}
