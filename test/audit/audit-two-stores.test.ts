import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import { auditCommand } from '../../cli/audit-command.ts';
import { loadAuditTrail, type TrailEntry } from '../../src/audit/audit-trail.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { sandboxEhrProfile } from '../../sandbox/ehr-profiles.ts';
import { startTestStack } from '../browser/sandbox-stack-fixture.ts';

const ENCOUNTER = 'enc-clean-1';

/** The worker's claim writes in the trail: the Claim versions it created or updated. */
const claimWrites = (trail: readonly TrailEntry[]) =>
  trail.filter(
    (t) => ['create', 'update'].includes(t.interaction) && t.resources.some(isClaimVersion),
  );
const isClaimVersion = (r: string) => /^Claim\/[^/]+\/_history\//.test(r);

/**
 * `chartbill audit` against an Epic-like EHR with its billing store beside it (issue 13): the
 * claims, and the Provenance of each of their versions, are in the billing store; the encounter's
 * AuditEvents in the EHR. One command shows every write with who made it.
 */
describe('the audit trail over an EHR and its billing store', { timeout: 120_000 }, () => {
  let stack: SandboxStack;
  let ehr: FhirGateway;
  let billing: FhirGateway;
  let tokens: { ehr: string; billing: string };

  beforeAll(async () => {
    stack = await startTestStack(false, sandboxEhrProfile('epic-like'));
    if (!stack.billing) throw new Error('the epic-like stack has no billing store');
    tokens = {
      ehr: await stack.ehr.issueSystemToken('system/AuditEvent.rs system/Provenance.rs'),
      billing: await stack.billing.issueSystemToken('system/AuditEvent.rs system/Provenance.rs'),
    };
    ehr = createFhirGateway({
      baseUrl: stack.ehr.fhirBase,
      getToken: () => Promise.resolve(tokens.ehr),
    });
    billing = createFhirGateway({
      baseUrl: stack.billing.fhirBase,
      getToken: () => Promise.resolve(tokens.billing),
    });
    await stack.worker.tick();
  }, 180_000);
  afterAll(async () => {
    await stack.close();
  });

  it('shows the Provenance of every claim version the worker wrote in the billing store, which the EHR alone does not', async () => {
    const trail = await loadAuditTrail({ ehr, billing }, ENCOUNTER);
    const writes = claimWrites(trail);
    expect(writes.length).toBeGreaterThan(0);
    for (const w of writes) {
      const version = w.resources.find(isClaimVersion) ?? '';
      expect(
        w.provenance.filter((p) => p.target === version),
        version,
      ).toEqual([
        expect.objectContaining({ authors: [expect.stringMatching(/ChartBill worker/)] }),
      ]);
    }
    // Read from the EHR alone, none of these writes shows: an Epic-like EHR takes no AuditEvent
    // from the worker (CHARTBILL_AUDIT_STORE=auto keeps them in the billing store), and the
    // claims' Provenance is kept beside the claims.
    expect(claimWrites(await loadAuditTrail(ehr, ENCOUNTER))).toEqual([]);
  });

  it('`chartbill audit --fhir … --billing-fhir …` prints that trail in one command', async () => {
    vi.stubEnv('CHARTBILL_AUDIT_TOKEN', tokens.ehr);
    vi.stubEnv('CHARTBILL_AUDIT_BILLING_TOKEN', tokens.billing);
    vi.stubEnv('CHARTBILL_CODING_STORE', 'billing');
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
      out.push(a.join(' '));
    });
    try {
      const code = await auditCommand([
        ENCOUNTER,
        '--json',
        '--fhir',
        stack.ehr.fhirBase,
        '--billing-fhir',
        stack.billing?.fhirBase ?? '',
      ]);
      expect(code).toBe(0);
    } finally {
      log.mockRestore();
      vi.unstubAllEnvs();
    }
    const trail = JSON.parse(out.join('\n')) as TrailEntry[];
    const writes = claimWrites(trail);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((w) => w.provenance.length > 0)).toBe(true);
  });
});
