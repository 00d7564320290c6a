import { SANDBOX_EHR_NAMES } from '../src/config/setting-types.ts';
import type { SmartPermissions } from './smart-configuration.ts';

/**
 * The sandbox EHR's profiles (`CHARTBILL_SANDBOX_EHR`): each one behaves as a kind of real server
 * does, never friendlier. `strict` (the default) supports every feature ChartBill may use and is
 * strict about each; the others take features away as Epic, Oracle Health and Medplum do, so
 * ChartBill is shown to adapt to what a server declares in its CapabilityStatement. Behaviours
 * common to all profiles (PKCE S256 only, `fhirUser` only inside the signed id_token, scopes
 * enforced, bearer tokens required) are not listed here: no profile relaxes them.
 *
 * Fault behaviours keyed on a profile (serialization conflicts, quotas) live in their own file;
 * this one holds the list of profiles and their static capabilities.
 */
export const SANDBOX_EHR_PROFILES = SANDBOX_EHR_NAMES;

export type SandboxEhrProfileName = (typeof SANDBOX_EHR_PROFILES)[number];

/** The interactions a profile allows on one resource type (FHIR R4 CapabilityStatement.rest.resource.interaction). */
export interface ResourceWrites {
  create: boolean;
  update: boolean;
}

export interface SandboxEhrProfile {
  name: SandboxEhrProfileName;
  /** One line for `--help`, the README and the sandbox's start-up log. */
  summary: string;
  /** `_include` is honoured and declared (`searchInclude`); otherwise ignored, as FHIR allows. */
  include: boolean;
  /**
   * `_revinclude` honoured and declared (`searchRevInclude`); otherwise ignored (the page has no
   * revincluded entries at all), as FHIR R4 search §3.1.1.5.5 allows a server to do.
   */
  revinclude: boolean;
  /**
   * A search parameter the server does not declare (a typo, `_elements`, a chain): `refuse` answers
   * 400 naming it, as HAPI does under `Prefer: handling=strict`; `ignore` leaves it out of the
   * search and of the `self` link, as FHIR R4 search §3.1.1.4.7's lenient handling does.
   */
  unknownSearchParams: 'refuse' | 'ignore';
  /** `If-None-Exist` honoured and `conditionalCreate` declared; otherwise the header is ignored. */
  conditionalCreate: boolean;
  /** `PUT [type]?search` honoured and `conditionalUpdate` declared; otherwise refused. */
  conditionalUpdate: boolean;
  /** `POST [base]` with a batch Bundle; otherwise 405 and no `batch` interaction declared. */
  batch: boolean;
  /** Resource types apps and backend clients may not write, or may only create (others: create and update). */
  writes: Readonly<Record<string, ResourceWrites>>;
  /** Condition categories a write may carry; undefined: any. (Epic files problem-list items, not encounter diagnoses.) */
  conditionCategories: readonly string[] | undefined;
  /** Resource types the server has no endpoint for at all (404 and not in the CapabilityStatement). */
  absentTypes: readonly string[];
  /** Page size without `_count`, and the most one page carries whatever `_count` asks. */
  defaultPageSize: number;
  maxPageSize: number;
  /** A refresh returns a new refresh token and spends the old one; otherwise the old one stays good. */
  refreshTokenRotation: boolean;
  /** SMART scope syntaxes advertised and granted. */
  smartPermissions: SmartPermissions;
  /** SMART Backend Services (`client_credentials` with `private_key_jwt`). */
  backendServices: boolean;
}

const NO_WRITE: ResourceWrites = { create: false, update: false };
const CREATE_ONLY: ResourceWrites = { create: true, update: false };

/** The financial resources that Epic and Oracle Health do not let apps write. */
const FINANCIAL_READ_ONLY = {
  Claim: NO_WRITE,
  ClaimResponse: NO_WRITE,
  CoverageEligibilityRequest: NO_WRITE,
  CoverageEligibilityResponse: NO_WRITE,
  ExplanationOfBenefit: NO_WRITE,
} as const;

/**
 * Neither Epic nor Oracle Health takes AuditEvent writes from apps (their audit trails are their
 * own), so those profiles refuse them and do not declare AuditEvent create: ChartBill's
 * `CHARTBILL_AUDIT_STORE=auto` then keeps them on the billing FHIR server.
 */
const NO_AUDIT_WRITES = { AuditEvent: NO_WRITE } as const;

/**
 * Neither Epic's nor Oracle Health's (Millennium) R4 API lists the Subscription resource for apps
 * (their change feeds are their own HL7v2 and event services), so those profiles have no endpoint
 * for it and do not declare it: the worker polls. Medplum and HAPI serve R4 rest-hook
 * Subscriptions, as the strict and medplum-like profiles do (fhir-subscriptions.ts).
 */
const NO_SUBSCRIPTIONS = 'Subscription';

/** Every feature ChartBill may use, each enforced: the default, strictest server. */
const STRICT: SandboxEhrProfile = {
  name: 'strict',
  summary:
    'every feature ChartBill may use, each enforced: undeclared search parameters refused, _include/_revinclude, If-None-Exist, batch (no transactions), rest-hook Subscriptions, pages of at most 1000, refresh tokens rotated',
  include: true,
  revinclude: true,
  unknownSearchParams: 'refuse',
  conditionalCreate: true,
  conditionalUpdate: false,
  batch: true,
  writes: {},
  conditionCategories: undefined,
  absentTypes: [],
  defaultPageSize: 20,
  maxPageSize: 1000,
  refreshTokenRotation: true,
  smartPermissions: ['v1', 'v2'],
  backendServices: true,
};

const PROFILES: Readonly<Record<SandboxEhrProfileName, SandboxEhrProfile>> = {
  strict: STRICT,
  'epic-like': {
    name: 'epic-like',
    summary:
      'no ChargeItem or Subscription endpoint, no Claim, other financial or AuditEvent writes, Conditions filed as problem-list items only, no _include/_revinclude, no If-None-Exist, no batch, pages of at most 100, refresh tokens not rotated',
    include: false,
    revinclude: false,
    unknownSearchParams: 'ignore',
    conditionalCreate: false,
    conditionalUpdate: false,
    batch: false,
    writes: { ...FINANCIAL_READ_ONLY, ...NO_AUDIT_WRITES, Task: NO_WRITE },
    conditionCategories: ['problem-list-item', 'health-concern'],
    absentTypes: ['ChargeItem', NO_SUBSCRIPTIONS],
    defaultPageSize: 10,
    maxPageSize: 100,
    refreshTokenRotation: false,
    smartPermissions: ['v1', 'v2'],
    backendServices: true,
  },
  'oracle-like': {
    name: 'oracle-like',
    summary:
      'ChargeItem create but no update, Condition create but no update, no Subscription endpoint, no Claim, other financial or AuditEvent writes, no _include/_revinclude, no If-None-Exist, no batch, pages of at most 100, refresh tokens rotated',
    include: false,
    revinclude: false,
    unknownSearchParams: 'ignore',
    conditionalCreate: false,
    conditionalUpdate: false,
    batch: false,
    writes: {
      ...FINANCIAL_READ_ONLY,
      ...NO_AUDIT_WRITES,
      Task: NO_WRITE,
      ChargeItem: CREATE_ONLY,
      Condition: CREATE_ONLY,
    },
    conditionCategories: undefined,
    absentTypes: [NO_SUBSCRIPTIONS],
    defaultPageSize: 10,
    maxPageSize: 100,
    refreshTokenRotation: true,
    smartPermissions: ['v1', 'v2'],
    backendServices: true,
  },
  // Medplum is the strict server's features plus conditional update (its faults: medplum-faults.ts).
  'medplum-like': {
    ...STRICT,
    name: 'medplum-like',
    summary:
      'every resource writable, _include/_revinclude, If-None-Exist and conditional update, batch, rest-hook Subscriptions, pages of at most 1000, refresh tokens rotated',
    conditionalUpdate: true,
    unknownSearchParams: 'ignore',
  },
};

/** The profile of that name. */
export function sandboxEhrProfile(name: SandboxEhrProfileName = 'strict'): SandboxEhrProfile {
  return PROFILES[name];
}

/** Whether `value` names a profile. */
export function isSandboxEhrProfileName(value: string): value is SandboxEhrProfileName {
  return (SANDBOX_EHR_PROFILES as readonly string[]).includes(value);
}

/**
 * `CHARTBILL_SANDBOX_EHR` read: the profile named, `strict` when unset or empty; an unknown name
 * is an error naming the profiles there are.
 */
export function sandboxEhrProfileFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): SandboxEhrProfile {
  const value = env.CHARTBILL_SANDBOX_EHR?.trim() ?? '';
  if (value === '') return sandboxEhrProfile('strict');
  if (!isSandboxEhrProfileName(value))
    throw new Error(
      `CHARTBILL_SANDBOX_EHR=${value} is not a sandbox EHR profile; use one of ${SANDBOX_EHR_PROFILES.join(', ')}`,
    );
  return sandboxEhrProfile(value);
}

/** Whether the profile lets a client create (or update) the type. */
export function profileAllows(
  profile: SandboxEhrProfile,
  type: string,
  interaction: 'create' | 'update',
): boolean {
  if (profile.absentTypes.includes(type)) return false;
  return profile.writes[type]?.[interaction] ?? true;
}

/**
 * Whether the profile's EHR can hold the coding as ChartBill needs it (ChargeItem and
 * encounter-diagnosis Condition, created and updated); if not, the sandbox runs a billing store.
 */
export function holdsCoding(profile: SandboxEhrProfile): boolean {
  return (
    profile.conditionCategories === undefined &&
    ['ChargeItem', 'Condition'].every(
      (t) => profileAllows(profile, t, 'create') && profileAllows(profile, t, 'update'),
    )
  );
}

/** Whether the profile's EHR takes the worker's Claim writes; if not, the sandbox runs a billing store. */
export function holdsClaims(profile: SandboxEhrProfile): boolean {
  return profileAllows(profile, 'Claim', 'create') && profileAllows(profile, 'Claim', 'update');
}
