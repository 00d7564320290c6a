import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors/app-error.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import { startSandboxPayer, type SandboxPayer } from '../../sandbox/payer-server.ts';
import { claimBundle, eligibilityBundle } from './payer-test-kit.ts';

const running: SandboxPayer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.close()));
});

async function startPayer(): Promise<SandboxPayer> {
  const payer = await startSandboxPayer({
    port: 0,
    logger: createLogger('silent', 'payer-test'),
    now: () => new Date('2026-03-10T15:00:00Z'),
  });
  running.push(payer);
  return payer;
}

/** A port nothing listens on: bind one, note it, close it. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 1;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('FHIR payer adapter', () => {
  it("checks eligibility and submits claims over HTTP, returning the payer's resources", async () => {
    const payer = await startPayer();
    const adapter = createFhirPayerAdapter({ baseUrl: payer.fhirBase });
    const eligibility = await adapter.checkEligibility(eligibilityBundle());
    expect(eligibility.insurance?.[0]?.inforce).toBe(true);
    const first = await adapter.submitClaim(claimBundle());
    const again = await adapter.submitClaim(claimBundle());
    expect(first.outcome).toBe('complete');
    expect(again.id).toBe(first.id);
  });

  it("turns a refused submission into PAYER_REJECTED carrying the payer's OperationOutcome", async () => {
    const payer = await startPayer();
    const adapter = createFhirPayerAdapter({ baseUrl: payer.fhirBase });
    const bundle = claimBundle();
    bundle.entry = bundle.entry?.slice(1);
    const err = await failure(adapter.submitClaim(bundle));
    expect(isAppError(err, 'PAYER_REJECTED')).toBe(true);
    expect(isAppError(err) && JSON.stringify(err.outcome)).toContain(
      'first entry must be the Claim',
    );
  });

  it('turns an unreachable payer into PAYER_UNAVAILABLE', async () => {
    const adapter = createFhirPayerAdapter({
      baseUrl: `http://127.0.0.1:${await deadPort()}/fhir`,
      timeoutMs: 2000,
      retry: { attempts: 2, baseDelayMs: 10 },
    });
    const err = await failure(adapter.submitClaim(claimBundle()));
    expect(isAppError(err, 'PAYER_UNAVAILABLE')).toBe(true);
  });
});
