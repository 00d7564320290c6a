import { AppError } from '../errors/app-error.ts';

/**
 * Who may do what in the billing workspace (issue 17, item 1). Roles come from configuration
 * (`CHARTBILL_BILLING_ROLES`), mapped from the signed-in user's `fhirUser` (from the verified
 * id_token), a PractitionerRole or a Group the user belongs to; the server checks the role on
 * every request, the page only hides what the role cannot do.
 */
export type BillingRole = 'coder' | 'biller' | 'manager';

export const BILLING_ROLES: readonly BillingRole[] = ['coder', 'biller', 'manager'];

/** Everything the workspace lets a person do, each checked on the server. */
export type BillingAction =
  | 'queue.read'
  | 'queue.assign'
  | 'claim.read'
  | 'claim.correct'
  | 'claim.resubmit'
  | 'claim.void'
  | 'claim.appeal'
  | 'claim.write-off'
  | 'claim.bill-patient'
  | 'analytics.read';

/**
 * The table of rights. Coders fix coding (a correction becomes a replacement claim a biller
 * sends); billers work the queue and every money action; managers everything, and alone write
 * off above the limit (`CHARTBILL_BILLING_WRITE_OFF_LIMIT`, see `mayWriteOff`).
 */
export const ROLE_ACTIONS: Readonly<Record<BillingRole, readonly BillingAction[]>> = {
  coder: ['queue.read', 'claim.read', 'claim.correct'],
  biller: [
    'queue.read',
    'queue.assign',
    'claim.read',
    'claim.correct',
    'claim.resubmit',
    'claim.void',
    'claim.appeal',
    'claim.write-off',
    'claim.bill-patient',
  ],
  manager: [
    'queue.read',
    'queue.assign',
    'claim.read',
    'claim.correct',
    'claim.resubmit',
    'claim.void',
    'claim.appeal',
    'claim.write-off',
    'claim.bill-patient',
    'analytics.read',
  ],
};

/** `CHARTBILL_BILLING_ROLES` parsed: a reference (`Practitioner/1`, `PractitionerRole/2`, `Group/3`) to its roles. */
export type RoleMap = ReadonlyMap<string, readonly BillingRole[]>;

/**
 * Parses `Practitioner/1=biller;Group/billing=coder,biller` (entries split by `;`, roles by `,`).
 * Throws CONFIG_INVALID naming the entry that is wrong.
 */
export function parseRoleMap(text: string | undefined): RoleMap {
  const map = new Map<string, BillingRole[]>();
  for (const entry of (text ?? '')
    .split(';')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [reference = '', roles = ''] = entry.split('=').map((p) => p.trim());
    const names = roles
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    if (
      !/^(Practitioner|PractitionerRole|Group|Person|RelatedPerson)\/[A-Za-z0-9\-.]{1,64}$/.test(
        reference,
      )
    )
      throw new AppError(
        'CONFIG_INVALID',
        `CHARTBILL_BILLING_ROLES: "${entry}" does not start with a reference such as Practitioner/123.`,
      );
    const bad = names.filter((n) => !BILLING_ROLES.includes(n as BillingRole));
    if (names.length === 0 || bad.length > 0)
      throw new AppError(
        'CONFIG_INVALID',
        `CHARTBILL_BILLING_ROLES: "${entry}" names no role or an unknown one (${bad.join(', ') || 'none'}); roles are coder, biller, manager.`,
      );
    map.set(reference, names as BillingRole[]);
  }
  return map;
}

/**
 * The roles of a signed-in user: those of the `fhirUser` reference itself plus those of each
 * PractitionerRole or Group the caller found the user in (`memberOf`).
 */
export function rolesFor(
  map: RoleMap,
  fhirUser: string | undefined,
  memberOf: readonly string[] = [],
): BillingRole[] {
  const found = new Set<BillingRole>();
  for (const reference of [fhirUser, ...memberOf])
    for (const role of (reference && map.get(reference)) || []) found.add(role);
  return BILLING_ROLES.filter((r) => found.has(r));
}

export function mayDo(roles: readonly BillingRole[], action: BillingAction): boolean {
  return roles.some((r) => ROLE_ACTIONS[r].includes(action));
}

/** Write-offs up to the limit (dollars) by a biller; above it only by a manager. */
export function mayWriteOff(roles: readonly BillingRole[], amount: number, limit: number): boolean {
  if (roles.includes('manager')) return true;
  return mayDo(roles, 'claim.write-off') && amount <= limit;
}

/** Throws BILLING_FORBIDDEN (403) naming the action and the roles that may do it. */
export function requireAction(roles: readonly BillingRole[], action: BillingAction): void {
  if (mayDo(roles, action)) return;
  const who = BILLING_ROLES.filter((r) => ROLE_ACTIONS[r].includes(action)).join(' or ');
  throw new AppError(
    'BILLING_FORBIDDEN',
    `Your role (${roles.join(', ') || 'none'}) may not do this (${action}); it needs ${who}.`,
    { hint: 'Ask your billing manager to change your role in ChartBill’s configuration.' },
  );
}
