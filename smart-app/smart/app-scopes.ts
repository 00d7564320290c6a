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
  { resource: 'Encounter', access: 'read', effect: 'The encounter date and practitioner cannot be shown.' },
  { resource: 'Condition', access: 'write', effect: 'Diagnoses cannot be saved.' },
  { resource: 'ChargeItem', access: 'write', effect: 'Services cannot be saved or signed off.' },
  { resource: 'Procedure', access: 'read', effect: 'Documented procedures cannot be offered as suggestions.' },
  { resource: 'Coverage', access: 'read', effect: 'Insurance cannot be shown.' },
  { resource: 'Claim', access: 'read', effect: 'Claim status cannot be shown.' },
  { resource: 'ClaimResponse', access: 'read', effect: 'Payer answers cannot be shown.' },
  { resource: 'CoverageEligibilityResponse', access: 'read', effect: 'Eligibility results cannot be shown.' },
  { resource: 'Task', access: 'read', effect: 'Billing work items cannot be shown.' },
];

/** The scope string for an authorization request, in SMART v2 syntax or v1 when that is all the server knows. */
export function requestedScopes(launch: 'ehr' | 'standalone', v2: boolean): string {
  const context = launch === 'ehr' ? ['launch'] : ['launch/patient', 'launch/encounter'];
  const resources = NEEDS.map((n) => `patient/${n.resource}.${scopeSuffix(n.access, v2)}`);
  // The encounter's practitioner is not in the patient compartment: read it with a user scope.
  const practitioner = `user/Practitioner.${scopeSuffix('read', v2)}`;
  return [...context, 'openid', 'fhirUser', 'online_access', ...resources, practitioner].join(' ');
}

function scopeSuffix(access: 'read' | 'write', v2: boolean): string {
  if (!v2) return access === 'read' ? 'read' : 'write';
  return access === 'read' ? 'rs' : 'crus';
}

export interface MissingScope {
  scope: string;
  effect: string;
}

/** Which needed resource scopes the server did not grant, with what stops working for each. */
export function missingScopes(granted: string): MissingScope[] {
  const scopes = granted.split(/\s+/).filter(Boolean);
  return NEEDS.filter((n) => !scopes.some((s) => grants(s, n))).map((n) => ({ scope: `patient/${n.resource}.${n.access === 'read' ? 'rs' : 'crus'}`, effect: n.effect }));
}

function grants(scope: string, need: ScopeNeed): boolean {
  const m = /^(patient|user|system)\/([A-Za-z*]+)\.(read|write|\*|[cruds]+)$/.exec(scope);
  if (!m) return false;
  const [, , type, perms = ''] = m;
  if (type !== '*' && type !== need.resource) return false;
  if (perms === '*') return true;
  if (perms === 'read' || perms === 'write') return perms === need.access;
  return need.access === 'read' ? perms.includes('r') : perms.includes('c') || perms.includes('u');
}
