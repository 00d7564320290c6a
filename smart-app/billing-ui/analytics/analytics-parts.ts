import type { Analytics } from '../../../src/billing-office/billing-api.ts';

/** The denial bar charts, root cause first (USERS.md: managers read denials by reason and payer). */
export const DENIAL_CHARTS: Array<{
  id: string;
  field: 'byReason' | 'byGroup' | 'byPayer' | 'byCpt' | 'byProvider';
  title: string;
  label: string;
  summary: string;
  definition: string;
}> = [
  {
    id: 'denials-by-reason',
    field: 'byReason',
    title: 'Top denial reasons and what they cost',
    label: 'Reason',
    summary:
      'Denied dollars by CARC reason, largest first, with the share of answered claims each reason denied.',
    definition: 'denialRate',
  },
  {
    id: 'denials-by-group',
    field: 'byGroup',
    title: 'Denials by CARC group',
    label: 'Group',
    summary: 'Denied dollars by claim adjustment group (CO, PR, OA, PI).',
    definition: 'denialRate',
  },
  {
    id: 'denials-by-payer',
    field: 'byPayer',
    title: 'Denials by payer',
    label: 'Payer',
    summary: 'Denied dollars by payer.',
    definition: 'denialRate',
  },
  {
    id: 'denials-by-cpt',
    field: 'byCpt',
    title: 'Denials by CPT',
    label: 'CPT',
    summary: 'Denied dollars by procedure code.',
    definition: 'denialRate',
  },
  {
    id: 'denials-by-provider',
    field: 'byProvider',
    title: 'Denials by rendering provider',
    label: 'Provider',
    summary: 'Denied dollars by the provider who rendered the service.',
    definition: 'denialRate',
  },
];

/** The first definition the server gives under any of `keys` (it names them by figure). */
export function definitionOf(
  definitions: Record<string, string>,
  ...keys: string[]
): string | undefined {
  const found = keys.map((k) => definitions[k]).filter(Boolean);
  return found.length > 0 ? found.join(' ') : undefined;
}

/** The payers the figures mention, for the payer filter: ids from the drill-downs where given. */
export function payersOf(data: Analytics): Array<{ id: string; name: string }> {
  const payers = new Map<string, string>();
  for (const d of data.denials.byPayer) {
    const id = new URLSearchParams(d.drill ?? '').get('payer') ?? d.label;
    payers.set(id, d.label);
  }
  return [...payers].map(([id, name]) => ({ id, name }));
}

/** A definition's key in words: `daysInAr` → "Days in A/R", others split from camelCase. */
export function definitionName(key: string): string {
  const known: Record<string, string> = {
    daysInAr: 'Days in A/R',
    arAging: 'A/R aging',
    netCollectionRate: 'Net collection rate',
    cleanClaimRate: 'Clean-claim rate',
    firstPassRate: 'First-pass acceptance rate',
    denialRate: 'Denial rate',
    chargeLagDays: 'Charge lag',
    claimToPaymentDays: 'Claim to payment',
    cashByMonth: 'Charges, payments and adjustments',
  };
  if (known[key]) return known[key];
  const words = key
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[-_]/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
