/**
 * The scopes ChartBill asks for, least privilege: it reads the chart, writes only the encounter's
 * diagnoses (Condition) and charges (ChargeItem), and reads the billing resources for status.
 */
interface ScopeNeed {
  resource: string;
  access: 'read' | 'write';
  /** What stops working when the EHR does not grant it. */
  effect: string;
}

const NEEDS: ScopeNeed[] = [
  { resource: 'Patient', access: 'read', effect: 'The patient banner cannot be shown.' },
  {
    resource: 'Encounter',
    access: 'read',
    effect: 'The encounter date and practitioner cannot be shown.',
  },
  { resource: 'Condition', access: 'write', effect: 'Diagnoses cannot be saved.' },
  { resource: 'ChargeItem', access: 'write', effect: 'Services cannot be saved or signed off.' },
  {
    resource: 'Procedure',
    access: 'read',
    effect: 'Documented procedures cannot be offered as suggestions.',
  },
  { resource: 'Coverage', access: 'read', effect: 'Insurance cannot be shown.' },
  { resource: 'Claim', access: 'read', effect: 'Claim status cannot be shown.' },
  { resource: 'ClaimResponse', access: 'read', effect: 'Payer answers cannot be shown.' },
  {
    resource: 'CoverageEligibilityResponse',
    access: 'read',
    effect: 'Eligibility results cannot be shown.',
  },
  {
    resource: 'Task',
    access: 'write',
    effect: 'Billing work items cannot be shown, nor a correction of billed coding requested.',
  },
];

/**
 * Recording who did what: a Provenance beside each write and an AuditEvent for each read and
 * write (src/audit/). Create only. `user/`, not `patient/`: a Provenance belongs to the patient
 * compartment only when its target is the Patient itself (R4 compartmentdefinition-patient,
 * `Provenance.patient` = `target.where(resolve() is Patient)`), so `patient/Provenance.c` could
 * not cover the Provenance of a Condition on a server that enforces compartments. v1 has no
 * create-only scope: `.write` is the narrowest.
 */
const AUDIT_SCOPES = {
  v2: ['user/Provenance.c', 'user/AuditEvent.c'],
  v1: ['user/Provenance.write', 'user/AuditEvent.write'],
};

/**
 * The billing workspace's needs (issue 17): staff sign in with a standalone launch and work
 * across all patients, so `user/` scopes, no patient context. Least privilege: create and
 * update only Tasks (assigning, appeals, correction requests) and Claims (replacement and void
 * claims); everything else is read. `cru`, not `crus`: the queue comes from the read model, never
 * from a search of the EHR's Tasks or Claims; `rs` where the claim detail searches (responses,
 * payments, eligibility, the user's PractitionerRoles and Groups). The claim detail (issue 17,
 * items 3-4) also searches a claim's Tasks, versions and the encounter's claims, reads the
 * visit's notes, Provenance and the billing organization, and a correction edits the chart's
 * coding in place (ChargeItem and Condition `cru`), as the clinician's panel does.
 */
const BILLING_NEEDS: ReadonlyArray<{ resource: string; letters: 'cru' | 'rs' }> = [
  { resource: 'Task', letters: 'cru' },
  { resource: 'Claim', letters: 'cru' },
  ...[
    'ClaimResponse',
    'Coverage',
    'Patient',
    'Encounter',
    'PaymentReconciliation',
    'ChargeItem',
    'Condition',
    'CoverageEligibilityResponse',
    'Practitioner',
    'PractitionerRole',
    'Group',
    'Task',
    'Claim',
    'DocumentReference',
    'Provenance',
    'Organization',
  ].map((resource) => ({ resource, letters: 'rs' as const })),
  { resource: 'ChargeItem', letters: 'cru' },
  { resource: 'Condition', letters: 'cru' },
];

/** v1 has no `cru`: `.read` and `.write` (the narrowest v1 allows) for what is written. */
function billingScopes(v2: boolean): string[] {
  return unique(
    BILLING_NEEDS.flatMap(({ resource, letters }) => {
      if (v2) return [`user/${resource}.${letters}`];
      return letters === 'rs'
        ? [`user/${resource}.read`]
        : [`user/${resource}.read`, `user/${resource}.write`];
    }),
  );
}

function unique(scopes: string[]): string[] {
  return [...new Set(scopes)];
}

/** Which launch a scope string is for: the chart (EHR or standalone) or the billing workspace. */
export type LaunchKind = 'ehr' | 'standalone' | 'billing';

/** The scope string for an authorization request, in SMART v2 syntax or v1 when that is all the server knows. */
export function requestedScopes(launch: LaunchKind, v2: boolean): string {
  if (launch === 'billing')
    return [
      'openid',
      'fhirUser',
      'online_access',
      ...billingScopes(v2),
      ...AUDIT_SCOPES[v2 ? 'v2' : 'v1'],
    ].join(' ');
  const context = launch === 'ehr' ? ['launch'] : ['launch/patient', 'launch/encounter'];
  const resources = NEEDS.flatMap((n) => scopeNames('patient', n.resource, n.access, v2));
  // The encounter's practitioner is not in the patient compartment: read it with a user scope.
  const practitioner = scopeNames('user', 'Practitioner', 'read', v2);
  return [
    ...context,
    'openid',
    'fhirUser',
    'online_access',
    ...resources,
    ...practitioner,
    ...AUDIT_SCOPES[v2 ? 'v2' : 'v1'],
  ].join(' ');
}

/**
 * SMART 2.2 §3.1: v2 `rs` reads and searches, `crus` also creates and updates (ChartBill reads
 * what it writes, and never deletes). v1 has no combined form: writing needs `.read` and `.write`.
 */
function scopeNames(
  context: string,
  resource: string,
  access: 'read' | 'write',
  v2: boolean,
): string[] {
  if (v2) return [`${context}/${resource}.${access === 'read' ? 'rs' : 'crus'}`];
  return access === 'read'
    ? [`${context}/${resource}.read`]
    : [`${context}/${resource}.read`, `${context}/${resource}.write`];
}

export interface MissingScope {
  scope: string;
  effect: string;
}

const LETTERS: Record<string, string> = { read: 'rs', write: 'cud', '*': 'cruds' };
const NEEDED: Record<ScopeNeed['access'], string[]> = {
  read: ['r', 's'],
  write: ['c', 'r', 'u', 's'],
};

/**
 * Which needed resource scopes the server did not grant, with what stops working for each, named in
 * the syntax of the grant (v1 when the server granted v1 scopes, else v2).
 */
export function missingScopes(granted: string): MissingScope[] {
  const scopes = granted.split(/\s+/).filter(Boolean);
  const v1 =
    scopes.some((s) => /\.(read|write)$/.test(s)) &&
    !scopes.some((s) => /\/[A-Za-z*]+\.[cruds]+$/.test(s));
  return NEEDS.filter(
    (n) => !NEEDED[n.access].every((letter) => grantedLetters(scopes, n.resource).has(letter)),
  ).map((n) => ({
    scope: scopeNames('patient', n.resource, n.access, !v1).join(' '),
    effect: n.effect,
  }));
}

/** The interactions (SMART v2 letters) granted on a resource type by patient/, user/ or system/ scopes. */
function grantedLetters(scopes: string[], resource: string): Set<string> {
  const letters = new Set<string>();
  for (const scope of scopes) {
    const m = /^(patient|user|system)\/([A-Za-z*]+)\.(read|write|\*|[cruds]+)$/.exec(scope);
    if (!m || (m[2] !== '*' && m[2] !== resource)) continue;
    const perms = m[3] ?? '';
    for (const letter of (LETTERS[perms] ?? perms).split('')) letters.add(letter);
  }
  return letters;
}
