/**
 * SMART scopes as the sandbox understands them (SMART App Launch 2.2 §3 "Scopes and Launch
 * Context"). Resource scopes are `<context>/<type>.<permissions>` with context `patient`, `user`
 * or `system`, type a FHIR resource type or `*`, and permissions either v1 (`read`, `write`, `*`)
 * or v2 (`c`, `r`, `u`, `d`, `s` in that order, e.g. `cruds`, `rs`). v2 scopes with a query
 * (`patient/Observation.rs?category=…`) are not supported and so never granted: granting them
 * without enforcing the query would widen access.
 */

/** create, read, update, delete, search (SMART v2 letters). */
export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';
export type ScopeContext = 'patient' | 'user' | 'system';

export interface ResourceScope {
  context: ScopeContext;
  /** A resource type or `*`. */
  resourceType: string;
  interactions: ReadonlySet<Interaction>;
}

/** Non-resource scopes the sandbox grants when a client asks and is allowed to. */
export const SUPPORTED_PLAIN_SCOPES: ReadonlySet<string> = new Set([
  'launch',
  'launch/patient',
  'launch/encounter',
  'openid',
  'fhirUser',
  'profile',
  'online_access',
  'offline_access',
]);

const SCOPE_PATTERN = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?)$/;

const V1: Record<string, Interaction[]> = {
  read: ['r', 's'],
  write: ['c', 'u', 'd'],
  '*': ['c', 'r', 'u', 'd', 's'],
};

/** Parses one resource scope; undefined when it is not one (or uses an unsupported form). */
export function parseResourceScope(scope: string): ResourceScope | undefined {
  const match = SCOPE_PATTERN.exec(scope);
  if (!match) return undefined;
  const [, context, resourceType, permissions] = match as unknown as [
    string,
    ScopeContext,
    string,
    string,
  ];
  if (permissions === '') return undefined;
  const interactions = V1[permissions] ?? (permissions.split('') as Interaction[]);
  return { context, resourceType, interactions: new Set(interactions) };
}

/** Splits a space-separated scope string into its resource scopes. */
export function resourceScopes(scope: string): ResourceScope[] {
  return splitScope(scope)
    .map(parseResourceScope)
    .filter((s): s is ResourceScope => s !== undefined);
}

export function splitScope(scope: string): string[] {
  return scope.split(/\s+/).filter((s) => s.length > 0);
}

function covers(allowed: ResourceScope, wanted: ResourceScope): boolean {
  if (allowed.context !== wanted.context) return false;
  if (allowed.resourceType !== '*' && allowed.resourceType !== wanted.resourceType) return false;
  return [...wanted.interactions].every((i) => allowed.interactions.has(i));
}

/**
 * The scope to grant: each requested scope that the client's registration allows and the
 * server supports (RFC 6749 §3.3 lets the server grant less than asked; the token response says
 * what was granted). A requested resource scope is granted when one allowed scope of the same
 * context covers its type and all its permissions, so a client allowed `patient/*.cruds` gets
 * `patient/Condition.rs` as asked.
 */
export function grantScope(requested: string, allowed: string): string {
  const allowedPlain = new Set(splitScope(allowed));
  const allowedResource = resourceScopes(allowed);
  const granted = splitScope(requested).filter((scope) => {
    const wanted = parseResourceScope(scope);
    if (wanted) return allowedResource.some((a) => covers(a, wanted));
    return SUPPORTED_PLAIN_SCOPES.has(scope) && allowedPlain.has(scope);
  });
  return [...new Set(granted)].join(' ');
}

/** How a token may perform one interaction on one resource type. */
export type Access = 'denied' | 'any' | 'patient-compartment';

/**
 * Decides access from granted scopes: a `user/` or `system/` scope allows the interaction on
 * every resource of the type (the sandbox user sees the whole sandbox); a `patient/` scope allows
 * it only inside the token's patient compartment, and only when the token has a patient.
 */
export function decideAccess(
  scope: string,
  resourceType: string,
  interaction: Interaction,
  hasPatient: boolean,
): Access {
  return decide(resourceScopes(scope), resourceType, interaction, hasPatient);
}

/**
 * `decideAccess` for one token, its scopes parsed once and each answer kept: a search asks about
 * every resource it returns (a chunk of encounters with their includes is hundreds), and a
 * token can carry a dozen scopes.
 */
export function accessOf(
  scope: string,
  hasPatient: boolean,
): (resourceType: string, interaction: Interaction) => Access {
  const scopes = resourceScopes(scope);
  const decided = new Map<string, Access>();
  return (resourceType, interaction) => {
    const key = `${resourceType}.${interaction}`;
    let access = decided.get(key);
    if (access === undefined) {
      access = decide(scopes, resourceType, interaction, hasPatient);
      decided.set(key, access);
    }
    return access;
  };
}

function decide(
  scopes: readonly ResourceScope[],
  resourceType: string,
  interaction: Interaction,
  hasPatient: boolean,
): Access {
  const matching = scopes.filter(
    (s) =>
      (s.resourceType === '*' || s.resourceType === resourceType) &&
      s.interactions.has(interaction),
  );
  if (matching.some((s) => s.context !== 'patient')) return 'any';
  if (hasPatient && matching.length > 0) return 'patient-compartment';
  return 'denied';
}
