import type { Analytics, Datum } from './billing-api.ts';

/** The tables of the analytics, by the names `table=` takes. */
export const ANALYTICS_TABLES = [
  'clean-claim-rate',
  'denials-by-reason',
  'denials-by-group',
  'denials-by-payer',
  'denials-by-cpt',
  'denials-by-provider',
  'denial-rate-by-month',
  'ar-aging',
  'cash-by-month',
  'summary',
] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled; formulas defused. */
function field(value: string | number): string {
  let text = String(value);
  // A spreadsheet runs a cell that starts with = + - @ as a formula (OWASP CSV injection).
  if (typeof value === 'string' && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function rows(
  table: string,
  series: string,
  data: readonly Datum[],
): Array<Array<string | number>> {
  return data.map((d) => [table, series, d.label, d.value, d.amount ?? '']);
}

function tableRows(
  a: Analytics,
  table: (typeof ANALYTICS_TABLES)[number],
): Array<Array<string | number>> {
  switch (table) {
    case 'clean-claim-rate':
      return a.cleanClaimRate.flatMap((s) => rows(table, s.name, s.data));
    case 'denials-by-reason':
      return rows(table, 'denial rate', a.denials.byReason);
    case 'denials-by-group':
      return rows(table, 'denial rate', a.denials.byGroup);
    case 'denials-by-payer':
      return rows(table, 'denial rate', a.denials.byPayer);
    case 'denials-by-cpt':
      return rows(table, 'denial rate', a.denials.byCpt);
    case 'denials-by-provider':
      return rows(table, 'denial rate', a.denials.byProvider);
    case 'denial-rate-by-month':
      return rows(table, 'denial rate', a.denials.rateByMonth);
    case 'ar-aging':
      return a.arAging.flatMap((p) =>
        Object.entries(p.buckets).map(([bucket, amount]) => [
          table,
          p.payer,
          bucket,
          amount,
          amount,
        ]),
      );
    case 'cash-by-month':
      return a.cashByMonth.flatMap((s) => rows(table, s.name, s.data));
    case 'summary':
      return [
        [table, 'days in A/R', 'all', a.daysInAr, ''],
        [table, 'net collection rate', 'all', a.netCollectionRate, ''],
        [table, 'charge lag days', 'median', a.chargeLagDays.median, ''],
        [table, 'charge lag days', 'p90', a.chargeLagDays.p90, ''],
        [table, 'claim to payment days', 'median', a.claimToPaymentDays.median, ''],
        [table, 'claim to payment days', 'p90', a.claimToPaymentDays.p90, ''],
      ];
    default:
      table satisfies never;
      return [];
  }
}

/** The analytics as CSV: one table (`table=`) or all of them, one header. */
export function analyticsCsv(a: Analytics, table?: string): string {
  const wanted = ANALYTICS_TABLES.filter((t) => !table || t === table);
  const lines = [
    ['table', 'series', 'label', 'value', 'amount'],
    ...wanted.flatMap((t) => tableRows(a, t)),
  ];
  return `${lines.map((l) => l.map(field).join(',')).join('\r\n')}\r\n`;
}
