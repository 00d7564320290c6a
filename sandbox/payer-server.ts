import { randomBytes } from 'node:crypto';
import type { CapabilityStatement, ClaimResponse } from 'fhir/r4';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { SANDBOX_PAYER_FEE_SCHEDULE, type FeeSchedule } from '../src/claims/fee-schedule.ts';
import { isAppError, operationOutcome } from '../src/errors/app-error.ts';
import { writerTag } from '../src/fhir/systems.ts';
import type { Logger } from '../src/log/create-logger.ts';
import { adjudicateClaim, type AdjudicateInput } from './payer-server-adjudicate.ts';
import {
  appealDecisionSchema,
  appealsDeskPage,
  decideAppeal,
  isAppealable,
} from './payer-server-appeals.ts';
import { deductibleMetOf } from './payer-server-remit.ts';
import { answerEligibility } from './payer-server-eligibility.ts';
import { answerVoid, checkPrior, frequencyFacts } from './payer-server-void.ts';
import {
  parseClaimSubmission,
  parseEligibilitySubmission,
  parseInquiry,
} from './payer-server-input.ts';

/** Options of `startSandboxPayer`. */
export interface SandboxPayerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4420; 0 picks a free port. */
  port?: number;
  logger: Logger;
  now?: () => Date;
  /** What the payer allows per code; default `SANDBOX_PAYER_FEE_SCHEDULE`. */
  feeSchedule?: FeeSchedule;
  /**
   * Claims billed over this total (USD) are answered `queued` (pended for review) and get their
   * final answer on a later `Claim/$inquire`. Absent: every claim is adjudicated at once.
   */
  queueClaimsOver?: number;
  /** Inquiries a queued claim takes before its final answer; default 1. */
  queuedPolls?: number;
  /**
   * As a clearinghouse does: a `Claim/$submit` of a claim identifier already adjudicated is
   * rejected as a duplicate (HTTP 409, issue `duplicate`; CARC 18 "exact duplicate claim")
   * instead of answered with the first answer. Every submission is still counted. The fault
   * tests use it, so a blind resubmission shows up as a rejection, not as a quiet success.
   */
  strict?: boolean;
}

/** A running sandbox payer. */
export interface SandboxPayer {
  /** e.g. `http://127.0.0.1:4420` */
  url: string;
  /** `${url}/fhir` */
  fhirBase: string;
  /** What the payer received so far (read-only counts; for tests and benches). */
  audit(): PayerAudit;
  close(): Promise<void>;
}

/** Counts of what reached the sandbox payer, keyed by claim identifier `system|value`. */
export interface PayerAudit {
  /** `Claim/$submit` requests per claim, resubmissions included. */
  submits: Record<string, number>;
  /** Claims adjudicated (at most one per identifier: resubmissions get the first answer). */
  adjudicated: Record<string, number>;
  /** Resubmissions rejected as duplicates (strict mode only). */
  duplicates: Record<string, number>;
  /** `Claim/$inquire` requests. */
  inquiries: number;
  /** Appeals the payer's appeals desk decided (`POST /admin/appeals`), per claim identifier. */
  appeals: Record<string, ('overturn' | 'uphold')[]>;
  eligibilityChecks: number;
  /** Every claim received, in order: its identifier, frequency (1, 7, 8) and REF*F8 number. */
  received: { key: string; frequency: string; payerClaimNumber?: string }[];
}

const FHIR_JSON = 'application/fhir+json';

/**
 * The sandbox payer as a fastify instance, not listening: a FHIR endpoint answering
 * `CoverageEligibilityRequest/$submit` and `Claim/$submit` with the rules in
 * `payer-server-rules.ts`. Claims are idempotent on their identifier: a resubmission gets the
 * same ClaimResponse back and is never adjudicated twice. State lives in memory.
 */
export function buildSandboxPayer(
  options: Omit<SandboxPayerOptions, 'host' | 'port'>,
  audit: PayerAudit = emptyAudit(),
): FastifyInstance {
  const now = options.now ?? (() => new Date());
  const feeSchedule = options.feeSchedule ?? SANDBOX_PAYER_FEE_SCHEDULE;
  const answered = new Map<string, ClaimResponse>();
  // Payer claim numbers voided (frequency 8): never voided or replaced again.
  const voided = new Set<string>();
  // Pended claims: the final answer, decided at receipt, and the inquiries still to wait.
  const pended = new Map<string, { final: ClaimResponse; pollsLeft: number }>();
  // Each adjudicated claim as received: what the appeals desk adjudicates again.
  const receivedClaims = new Map<string, AdjudicateInput>();
  const currentAnswer = (key: string): ClaimResponse | undefined => {
    const pending = pended.get(key);
    if (!pending) return answered.get(key);
    return queuedView(pending.final);
  };
  // Numbers unique to this payer instance, as a real payer's never repeat across restarts.
  const batch = randomBytes(3).toString('hex').toUpperCase();
  let sequence = 0;
  // Typed as fastify's base logger so the instance has fastify's default type parameters.
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app = Fastify({ loggerInstance });

  app.addContentTypeParser(FHIR_JSON, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string) as unknown);
    } catch {
      done(Object.assign(new Error('The body is not valid JSON'), { statusCode: 400 }));
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (!(request.method === 'GET' && request.url === '/admin/appeals'))
      reply.header('content-type', FHIR_JSON);
    return payload;
  });
  // The appeals desk page's buttons post a form.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, body, done) => {
      const form = new URLSearchParams(body as string);
      done(null, {
        claim: { system: form.get('system') ?? '', value: form.get('value') ?? '' },
        decision: form.get('decision') ?? '',
        form: true,
      });
    },
  );
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isAppError(err)) {
      request.log.info({ code: err.code }, 'submission rejected');
      return reply
        .status(err.status)
        .send(err.outcome ?? operationOutcome('error', 'invalid', err.message));
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) request.log.error({ err }, 'payer failed');
    return reply
      .status(status)
      .send(
        operationOutcome(
          'error',
          status >= 500 ? 'exception' : 'invalid',
          status >= 500 ? 'The sandbox payer failed' : err.message,
        ),
      );
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(
        operationOutcome(
          'error',
          'not-found',
          `No such endpoint: ${request.method} ${request.url.split('?')[0] ?? ''}`,
        ),
      ),
  );

  app.get('/fhir/metadata', (_request, reply) => reply.send(capabilityStatement(now())));

  app.post('/fhir/CoverageEligibilityRequest/$submit', (request, reply) => {
    const { request: eligibility, coverage } = parseEligibilitySubmission(request.body);
    audit.eligibilityChecks += 1;
    sequence += 1;
    const response = answerEligibility({
      request: eligibility,
      coverage,
      received: now(),
      responseId: `elig-${batch}-${String(sequence).padStart(6, '0')}`,
      deductibleMet: deductibleMetOf(
        answered.values(),
        eligibility.patient.reference,
        (eligibility.servicedDate ?? now().toISOString()).slice(0, 4),
      ),
    });
    response.meta = { tag: [writerTag('payer')] };
    request.log.info(
      {
        eligibilityResponse: `CoverageEligibilityResponse/${response.id ?? ''}`,
        inforce: response.insurance?.[0]?.inforce ?? false,
      },
      'eligibility answered',
    );
    return reply.send(response);
  });

  app.post('/fhir/Claim/$submit', (request, reply) => {
    const { claim, coverage } = parseClaimSubmission(request.body);
    const first = claim.identifier?.[0];
    const key = `${first?.system ?? ''}|${first?.value ?? ''}`;
    audit.submits[key] = (audit.submits[key] ?? 0) + 1;
    const previous = currentAnswer(key);
    if (previous && options.strict) {
      audit.duplicates[key] = (audit.duplicates[key] ?? 0) + 1;
      request.log.warn(
        { claimResponse: `ClaimResponse/${previous.id ?? ''}` },
        'duplicate claim rejected',
      );
      return reply
        .status(409)
        .send(
          operationOutcome(
            'error',
            'duplicate',
            'Exact duplicate claim: a claim with this identifier was already received (CARC 18). Ask for its status with Claim/$inquire.',
          ),
        );
    }
    if (previous) {
      request.log.info(
        { claimResponse: `ClaimResponse/${previous.id ?? ''}` },
        'claim resubmitted: same answer',
      );
      return reply.send(previous);
    }
    const facts = frequencyFacts(claim);
    audit.received.push({ key, ...facts });
    const prior = checkPrior(facts, answered.values(), voided);
    sequence += 1;
    const number = `${batch}${String(sequence).padStart(6, '0')}`;
    if (prior && facts.frequency === '8') {
      const voidAnswer = answerVoid(claim, prior, now(), `cr-${number}`, `PCN${number}`);
      voidAnswer.meta = { tag: [writerTag('payer')] };
      answered.set(key, voidAnswer);
      voided.add(facts.payerClaimNumber ?? '');
      audit.adjudicated[key] = (audit.adjudicated[key] ?? 0) + 1;
      request.log.info({ claimResponse: `ClaimResponse/${voidAnswer.id ?? ''}` }, 'claim voided');
      return reply.send(voidAnswer);
    }
    const input: AdjudicateInput = {
      claim,
      coverage,
      feeSchedule,
      received: now(),
      responseId: `cr-${number}`,
      controlNumber: `PCN${number}`,
      deductibleMet: deductibleMetOf(
        answered.values(),
        claim.patient.reference,
        now().toISOString().slice(0, 4),
      ),
    };
    receivedClaims.set(key, input);
    const response = adjudicateClaim(input);
    response.meta = { tag: [writerTag('payer')] };
    answered.set(key, response);
    audit.adjudicated[key] = (audit.adjudicated[key] ?? 0) + 1;
    if (
      options.queueClaimsOver !== undefined &&
      (claim.total?.value ?? 0) > options.queueClaimsOver
    ) {
      pended.set(key, { final: response, pollsLeft: options.queuedPolls ?? 1 });
      request.log.info({ claimResponse: `ClaimResponse/${response.id ?? ''}` }, 'claim pended');
      return reply.send(currentAnswer(key));
    }
    request.log.info(
      { claimResponse: `ClaimResponse/${response.id ?? ''}`, outcome: response.outcome },
      'claim adjudicated',
    );
    return reply.send(response);
  });

  // Da Vinci PAS `Claim/$inquire`: the current answer to a claim, found by its identifier.
  app.post('/fhir/Claim/$inquire', (request, reply) => {
    const key = parseInquiry(request.body);
    audit.inquiries += 1;
    const pending = pended.get(key);
    if (pending) {
      pending.pollsLeft -= 1;
      if (pending.pollsLeft <= 0) pended.delete(key);
    }
    const previous = currentAnswer(key);
    if (!previous)
      return reply
        .status(404)
        .send(
          operationOutcome('error', 'not-found', 'The payer has no claim with this identifier'),
        );
    return reply.send(previous);
  });
  // The payer's appeals desk (not a FHIR operation: a person at the payer deciding). Tests and
  // the sandbox EHR page call it; the claim's next `Claim/$inquire` answer is the decision.
  app.get('/admin/appeals', (_request, reply) => {
    const claims = [...answered.entries()]
      .filter(([key]) => isAppealable(currentAnswer(key)))
      .map(([key, answer]) => ({
        system: key.slice(0, key.lastIndexOf('|')),
        value: key.slice(key.lastIndexOf('|') + 1),
        disposition: answer.disposition ?? '',
      }));
    return reply.type('text/html; charset=utf-8').send(appealsDeskPage(claims));
  });
  app.post('/admin/appeals', (request, reply) => {
    const { form, ...body } = (request.body ?? {}) as { form?: boolean };
    const parsed = appealDecisionSchema.safeParse(body);
    if (!parsed.success)
      return reply
        .status(400)
        .send(operationOutcome('error', 'invalid', 'Send { claim: { system, value }, decision }'));
    const { claim, decision } = parsed.data;
    const key = `${claim.system}|${claim.value}`;
    const input = receivedClaims.get(key);
    if (!input || !isAppealable(currentAnswer(key)))
      return reply
        .status(409)
        .send(
          operationOutcome(
            'error',
            'business-rule',
            'The payer has no denied claim with this identifier to decide an appeal on',
          ),
        );
    sequence += 1;
    const number = `${batch}${String(sequence).padStart(6, '0')}`;
    const response = decideAppeal(input, decision, now(), {
      responseId: `cr-${number}`,
      controlNumber: `PCN${number}`,
    });
    answered.set(key, response);
    audit.appeals[key] = [...(audit.appeals[key] ?? []), decision];
    request.log.info(
      { claimResponse: `ClaimResponse/${response.id ?? ''}`, decision },
      'appeal decided',
    );
    if (form) return reply.redirect('/admin/appeals', 303);
    return reply.send(response);
  });
  return app;
}

/** What a pended claim's answer says until it is final: queued, no adjudication yet. */
function queuedView(final: ClaimResponse): ClaimResponse {
  const view: ClaimResponse = {
    ...final,
    outcome: 'queued',
    disposition: 'Pended for review; ask again later.',
  };
  delete view.item;
  delete view.total;
  delete view.payment;
  delete view.error;
  delete view.processNote;
  return view;
}

function emptyAudit(): PayerAudit {
  return {
    submits: {},
    adjudicated: {},
    duplicates: {},
    inquiries: 0,
    appeals: {},
    eligibilityChecks: 0,
    received: [],
  };
}

/** Starts the sandbox payer on `host:port` (port 0 allowed) and returns its FHIR base. */
export async function startSandboxPayer(options: SandboxPayerOptions): Promise<SandboxPayer> {
  const audit = emptyAudit();
  const app = buildSandboxPayer(options, audit);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 4420 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 4420);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    fhirBase: `${url}/fhir`,
    audit: () => structuredClone(audit),
    close: () => app.close(),
  };
}

function capabilityStatement(date: Date): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: date.toISOString(),
    kind: 'instance',
    software: { name: 'ChartBill sandbox payer' },
    implementation: {
      description: 'Sandbox Health Plan: eligibility and claim adjudication for demonstration',
    },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        resource: [
          {
            type: 'Claim',
            operation: [
              {
                name: 'submit',
                definition: 'http://hl7.org/fhir/OperationDefinition/Claim-submit',
              },
              {
                name: 'inquire',
                definition: 'http://hl7.org/fhir/us/davinci-pas/OperationDefinition/Claim-inquiry',
              },
            ],
          },
          {
            type: 'CoverageEligibilityRequest',
            operation: [
              {
                name: 'submit',
                definition:
                  'https://chartbill.dev/fhir/OperationDefinition/CoverageEligibilityRequest-submit',
              },
            ],
          },
        ],
      },
    ],
  };
}
