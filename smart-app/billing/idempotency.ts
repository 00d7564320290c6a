import type { FastifyRequest } from 'fastify';
import { AppError } from '../../src/errors/app-error.ts';

/** Plain characters only: the key goes into a FHIR identifier and a search. */
const KEY = /^[A-Za-z0-9_-]{8,128}$/;

/** The request's `Idempotency-Key` header, or a 400 saying what is wrong. */
export function idempotencyKeyOf(req: FastifyRequest): string {
  const key = req.headers['idempotency-key'];
  if (typeof key === 'string' && KEY.test(key)) return key;
  throw new AppError(
    'BILLING_IDEMPOTENCY_KEY_MISSING',
    'Billing actions need an Idempotency-Key header of 8 to 128 letters, digits, - or _.',
    { hint: 'The page sends one with every action; reload it if this keeps happening.' },
  );
}

/**
 * The answers of the actions this instance ran, by user, action, claim and key: the same key
 * again answers the same without doing anything, and two requests with the same key at once
 * share one run. A failed run is forgotten, so a retry tries again. Across instances the FHIR
 * writes themselves are conditional on the key (If-None-Exist on the Task identifier), so another
 * instance writes nothing new either and answers from what it finds.
 */
export class IdempotentAnswers {
  private readonly runs = new Map<string, Promise<unknown>>();

  constructor(private readonly max = 5000) {}

  run<T>(scope: string, work: () => Promise<T>): Promise<T> {
    const known = this.runs.get(scope);
    if (known) return known as Promise<T>;
    if (this.runs.size >= this.max) this.runs.delete(this.runs.keys().next().value ?? '');
    const running = work();
    this.runs.set(scope, running);
    running.catch(() => this.runs.delete(scope));
    return running;
  }
}
