import type { Group, Practitioner } from 'fhir/r4';
import { SEED_META } from './seed-people.ts';

/**
 * The sandbox's billing office (issue 17): three people who sign in to the billing workspace on
 * the sandbox's sign-in page. The biller and the manager get their roles by their own reference;
 * the coder by belonging to the coders' Group, so both ways of `CHARTBILL_BILLING_ROLES` are shown.
 * Not providers: no NPI.
 */
export const BILLING_STAFF = [
  { id: 'pr-coder', given: 'Rosa', family: 'Delgado', title: 'Coder' },
  { id: 'pr-biller', given: 'Marcus', family: 'Webb', title: 'Biller' },
  { id: 'pr-manager', given: 'Helen', family: 'Park', title: 'Billing manager' },
] as const;

export const CODERS_GROUP = 'grp-coders';

/** The roles of the sandbox's billing staff, as an admin would set `CHARTBILL_BILLING_ROLES`. */
export const SANDBOX_BILLING_ROLES = `Practitioner/pr-biller=biller;Practitioner/pr-manager=manager;Group/${CODERS_GROUP}=coder`;

export function seedBillingStaff(): Array<Practitioner | Group> {
  const people: Practitioner[] = BILLING_STAFF.map((p) => ({
    resourceType: 'Practitioner',
    id: p.id,
    meta: SEED_META,
    active: true,
    name: [{ family: p.family, given: [p.given], text: `${p.given} ${p.family}` }],
    qualification: [{ code: { text: p.title } }],
  }));
  const coders: Group = {
    resourceType: 'Group',
    id: CODERS_GROUP,
    meta: SEED_META,
    active: true,
    type: 'practitioner',
    actual: true,
    name: 'Billing office: coders',
    member: [{ entity: { reference: 'Practitioner/pr-coder' } }],
  };
  return [...people, coders];
}
