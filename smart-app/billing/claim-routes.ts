import type { DocumentReference, Organization } from 'fhir/r4';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appealLetter, appealLetterHtml } from '../../src/billing-office/appeal-letter.ts';
import {
  correctRequest,
  editsRequest,
  writeOffRequest,
} from '../../src/billing-office/claim-actions-api.ts';
import { requireAction } from '../../src/billing-office/roles.ts';
import { runEdits } from '../../src/edits/run-edits.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import type { AppContext } from '../app-context.ts';
import { appealPdf } from './appeal-pdf.ts';
import type { BillingCaller, ResolveCaller } from './billing-caller.ts';
import {
  appealClaim,
  billPatient,
  voidClaim,
  writeOff,
  type ActionContext,
} from './claim-actions.ts';
import { correctClaim, requestedCoding } from './correct-claim.ts';
import { IdempotentAnswers, idempotencyKeyOf } from './idempotency.ts';
import { loadClaimDetail, type LoadedClaim } from './load-claim-detail.ts';
import { loadStatements, statementsCsv, statementsPdf } from './statements.ts';

/** Days a payer allows for a first-level appeal when the denial's Task names no deadline. */
const APPEAL_DAYS = 90;

export interface ClaimRoutesDeps {
  caller: ResolveCaller;
  /** Tells the workspace's read model that a claim changed (bom's billingReadModel). */
  refreshClaim?: (claimId: string, fhir: FhirGateway) => Promise<unknown>;
}

type ClaimParams = { Params: { claimId: string } };

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The claim detail and its actions (issue 17, items 3–4): `GET /api/billing/claims/:claimId`,
 * the live edits for the correction editor, the five actions (each role-checked here, audited by
 * the caller's gateway, idempotent on `Idempotency-Key`), the appeal letter and the statement list.
 */
export function claimRoutes(app: FastifyInstance, ctx: AppContext, deps: ClaimRoutesDeps): void {
  const answers = new IdempotentAnswers();
  const load = (caller: BillingCaller, claimId: string) =>
    loadClaimDetail(caller.fhir, claimId, ctx.codes, ctx.editReference);

  app.get<ClaimParams>('/api/billing/claims/:claimId', async (req) => {
    const caller = await deps.caller(req);
    requireAction(caller.roles, 'claim.read');
    return (await load(caller, req.params.claimId)).detail;
  });

  app.post<ClaimParams>('/api/billing/claims/:claimId/edits', async (req) => {
    const caller = await deps.caller(req);
    requireAction(caller.roles, 'claim.read');
    const body = editsRequest.parse(req.body);
    const { encounter } = await load(caller, req.params.claimId);
    const chart = encounter?.coding ?? { diagnoses: [], lines: [] };
    const coding = requestedCoding({ ...body, seen: { conditions: {}, chargeItems: {} } }, chart);
    return {
      findings: encounter ? runEdits(coding, encounter.facts, ctx.codes, ctx.editReference) : [],
    };
  });

  /** One action: role and key checked, run once per (user, action, claim, key), then the read model told. */
  const action = <T>(
    name: string,
    work: (a: ActionContext, req: FastifyRequest<ClaimParams>) => Promise<T>,
  ) =>
    app.post<ClaimParams>(`/api/billing/claims/:claimId/${name}`, async (req) => {
      const caller = await deps.caller(req);
      const key = idempotencyKeyOf(req);
      const { claimId } = req.params;
      const scope = `${caller.user.reference}|${name}|${claimId}|${key}`;
      const answer = await answers.run(scope, async () => {
        const loaded = await load(caller, claimId);
        return work({ caller, loaded, key, now: ctx.now() }, req);
      });
      await deps
        .refreshClaim?.(claimId, caller.fhir)
        .catch((err: unknown) =>
          req.log.warn(
            { claim: `Claim/${claimId}`, err: String(err) },
            'read model refresh failed',
          ),
        );
      req.log.info({ claim: `Claim/${claimId}`, action: name }, 'billing action');
      return answer;
    });

  action('correct', (a, req) =>
    correctClaim(a, correctRequest.parse(req.body), ctx.codes, ctx.editReference),
  );
  action('void', (a) => voidClaim(a));
  action('appeal', (a) => appealClaim(a, a.loaded.detail.appealDeadline ?? deadlineFrom(a.now)));
  action('write-off', (a, req) => {
    const body = writeOffRequest.parse(req.body);
    return writeOff(a, body.amount, body.reason);
  });
  action('bill-patient', (a) => billPatient(a));

  const letterOf = async (caller: BillingCaller, loaded: LoadedClaim) => {
    const { detail, claim } = loaded;
    const [documents, practice] = await Promise.all([
      detail.encounterId
        ? caller.fhir
            .searchAll('DocumentReference', { encounter: `Encounter/${detail.encounterId}` }, 20)
            .catch(() => [])
        : Promise.resolve([]),
      practiceName(caller, claim.provider.reference, claim.provider.display),
    ]);
    return appealLetter({
      detail,
      today: day(ctx.now()),
      defaultDeadline: deadlineFrom(ctx.now()),
      practice,
      documents: documents
        .filter((d) => d.resourceType === 'DocumentReference')
        .map((d) => d as DocumentReference)
        .map(
          (d) =>
            `${d.description ?? d.type?.text ?? 'Clinical note'} (${d.date?.slice(0, 10) ?? 'undated'})`,
        ),
      signedBy: caller.user.name,
    });
  };
  app.get<ClaimParams & { Querystring: { format?: string } }>(
    '/api/billing/claims/:claimId/appeal-letter',
    async (req, reply) => {
      const caller = await deps.caller(req);
      requireAction(caller.roles, 'claim.read');
      const letter = await letterOf(caller, await load(caller, req.params.claimId));
      if (req.query.format === 'html')
        return reply.type('text/html; charset=utf-8').send(appealLetterHtml(letter));
      if (req.query.format === 'pdf')
        return sendPdf(reply, await appealPdf(letter), `appeal-${req.params.claimId}.pdf`);
      return letter;
    },
  );

  app.get<{ Querystring: { format?: string } }>('/api/billing/statements', async (req, reply) => {
    const caller = await deps.caller(req);
    requireAction(caller.roles, 'claim.bill-patient');
    const rows = await loadStatements(caller.fhir);
    if (req.query.format === 'csv')
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="patient-statements.csv"')
        .send(statementsCsv(rows));
    if (req.query.format === 'pdf')
      return sendPdf(reply, await statementsPdf(rows, day(ctx.now())), 'patient-statements.pdf');
    return { rows };
  });
}

function deadlineFrom(now: Date): string {
  return day(new Date(now.getTime() + APPEAL_DAYS * 86_400_000));
}

async function practiceName(
  caller: BillingCaller,
  reference: string | undefined,
  display: string | undefined,
): Promise<string> {
  if (display) return display;
  if (!reference?.startsWith('Organization/')) return 'The billing practice';
  const org = await caller.fhir
    .read<Organization>('Organization', reference.slice('Organization/'.length))
    .catch(() => undefined);
  return org?.name ?? 'The billing practice';
}

function sendPdf(reply: FastifyReply, bytes: Uint8Array, filename: string): FastifyReply {
  return reply
    .type('application/pdf')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .send(Buffer.from(bytes));
}
