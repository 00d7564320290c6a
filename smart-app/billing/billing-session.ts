import type { Practitioner } from 'fhir/r4';
import type { FastifyRequest } from 'fastify';
import {
  mayDo,
  requireAction,
  rolesFor,
  type BillingAction,
  type BillingRole,
  type RoleMap,
} from '../../src/billing-office/roles.ts';
import { AppError } from '../../src/errors/app-error.ts';
import { errorMessage } from '../../src/errors/error-message.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import type { AppContext } from '../app-context.ts';
import { sessionFhir } from '../session-fhir.ts';
import { requestSession } from '../guards/session-first.ts';
import type { Session } from '../session/session-store.ts';

/** A signed-in member of the billing office, as one request sees them. */
export interface BillingUser {
  /** The verified `fhirUser` (`Practitioner/123`). */
  reference: string;
  name: string;
  roles: BillingRole[];
  session: Session;
}

/** What is remembered of a user between requests: memberships change rarely, a minute is fresh enough. */
interface KnownUser {
  name: string;
  memberOf: string[];
  at: number;
}

const KNOWN_MS = 60_000;
const KNOWN_MAX = 1000;
/** Per app (context), by session id: the user's name and PractitionerRole/Group memberships. */
const knownByApp = new WeakMap<AppContext, Map<string, KnownUser>>();

const NOT_A_WORKSPACE_SESSION =
  'This ChartBill session was opened from a patient’s chart, not the billing workspace.';

/**
 * The session's FHIR gateway, with Provenance and AuditEvents as this user (app-audit.ts), routed
 * like the chart API's (session-fhir.ts): the financial resources on the billing FHIR server
 * whenever one is set, where the worker writes them.
 */
export async function billingFhir(session: Session, ctx: AppContext): Promise<FhirGateway> {
  return sessionFhir(
    ctx,
    session,
    createFhirGateway({
      baseUrl: session.iss,
      getToken: () => ctx.sessions.accessToken(session),
      retry: { attempts: 3 },
    }),
  );
}

function roleMapOf(ctx: AppContext): RoleMap {
  return ctx.config.billing?.roles ?? new Map();
}

/**
 * The PractitionerRoles and Groups the user belongs to, as the EHR has them, searched only when
 * the role map names any (a map of users alone costs no request). A server that refuses the
 * search leaves the user with the roles of their own reference; the log says why.
 */
export async function membershipsOf(
  req: FastifyRequest,
  fhir: FhirGateway,
  map: RoleMap,
  reference: string,
): Promise<string[]> {
  const keys = [...map.keys()];
  const searches: Array<Promise<string[]>> = [];
  const search = async (type: string, params: Record<string, string>) => {
    try {
      const found = await fhir.searchAll(type, params, 200);
      return found.filter((r) => r.resourceType === type && r.id).map((r) => `${type}/${r.id}`);
    } catch (err) {
      req.log.warn({ type, err: errorMessage(err) }, 'billing role memberships not readable');
      return [];
    }
  };
  if (keys.some((k) => k.startsWith('PractitionerRole/')) && reference.startsWith('Practitioner/'))
    searches.push(search('PractitionerRole', { practitioner: reference }));
  if (keys.some((k) => k.startsWith('Group/')))
    searches.push(search('Group', { member: reference }));
  return (await Promise.all(searches)).flat();
}

async function nameOf(fhir: FhirGateway, reference: string): Promise<string> {
  const [type, id] = reference.split('/');
  if (type !== 'Practitioner' || !id) return reference;
  try {
    const p = await fhir.read<Practitioner>('Practitioner', id);
    const n = p.name?.[0];
    return n?.text ?? ([n?.given?.join(' '), n?.family].filter(Boolean).join(' ') || reference);
  } catch {
    return reference;
  }
}

async function knownUser(
  req: FastifyRequest,
  ctx: AppContext,
  session: Session,
  reference: string,
): Promise<KnownUser> {
  let known = knownByApp.get(ctx);
  if (!known) knownByApp.set(ctx, (known = new Map<string, KnownUser>()));
  const now = ctx.now().getTime();
  const cached = known.get(session.id);
  if (cached && now - cached.at < KNOWN_MS) return cached;
  const fhir = await billingFhir(session, ctx);
  const [name, memberOf] = await Promise.all([
    nameOf(fhir, reference),
    membershipsOf(req, fhir, roleMapOf(ctx), reference),
  ]);
  if (known.size >= KNOWN_MAX) known.delete(known.keys().next().value ?? '');
  const fresh = { name, memberOf, at: now };
  known.set(session.id, fresh);
  return fresh;
}

/**
 * The billing user of a request: the session's verified `fhirUser` and the roles that it, or a
 * PractitionerRole or Group it belongs to, has in `CHARTBILL_BILLING_ROLES` (possibly none).
 * Throws SESSION_MISSING (401) without a live session, BILLING_FORBIDDEN (403) for a chart
 * session or one whose EHR named no user.
 */
export async function billingUser(req: FastifyRequest, ctx: AppContext): Promise<BillingUser> {
  const session = await requestSession(req, ctx);
  if (!/(^|\s)user\/Task\./.test(session.scope))
    throw new AppError('BILLING_FORBIDDEN', NOT_A_WORKSPACE_SESSION, {
      hint: 'Sign in to the billing workspace at /billing/launch.',
    });
  const reference = session.fhirUser;
  if (!reference)
    throw new AppError(
      'BILLING_FORBIDDEN',
      'The EHR did not say who signed in (no verified fhirUser), so ChartBill cannot tell your billing role.',
      { hint: 'Ask IT to let ChartBill request the openid and fhirUser scopes.' },
    );
  const known = await knownUser(req, ctx, session, reference);
  const roles = rolesFor(roleMapOf(ctx), reference, known.memberOf);
  return { reference, name: known.name, roles, session };
}

/**
 * The billing user, refused unless their roles allow `action` (roles.ts `requireAction`), or,
 * with no action, unless they have any billing role at all.
 */
export async function requireBilling(
  req: FastifyRequest,
  ctx: AppContext,
  action?: BillingAction,
): Promise<BillingUser> {
  const user = await billingUser(req, ctx);
  if (user.roles.length === 0)
    throw new AppError(
      'BILLING_FORBIDDEN',
      `You (${user.reference}) have no billing role, so the billing workspace is closed to you.`,
      {
        hint: 'Ask your billing manager to give you the coder, biller or manager role in ChartBill’s configuration (CHARTBILL_BILLING_ROLES).',
      },
    );
  if (action) requireAction(user.roles, action);
  return user;
}

/** The actions a user's roles allow, for `GET /api/billing/me`. */
export function actionsOf(roles: readonly BillingRole[], all: readonly BillingAction[]): string[] {
  return all.filter((a) => mayDo(roles, a));
}
