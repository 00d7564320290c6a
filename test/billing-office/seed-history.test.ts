import type { Claim, ClaimResponse, Task } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { claimResponseSummary } from '../../src/claims/claim-response-summary.ts';
import { seedHistory } from '../../sandbox/seed-history.ts';

const NOW = new Date('2026-12-05T09:00:00Z');

describe('the billing history seed', () => {
  it('is the same on every start for the same day', () => {
    expect(JSON.stringify(seedHistory(NOW))).toBe(JSON.stringify(seedHistory(NOW)));
  });

  it('has a few hundred claims over 120 days with a realistic share of denials and open work', () => {
    const seed = seedHistory(NOW);
    const claims = seed.filter((r): r is Claim => r.resourceType === 'Claim');
    const answers = seed.filter((r): r is ClaimResponse => r.resourceType === 'ClaimResponse');
    const denied = answers.filter((r) => claimResponseSummary(r).denials.length > 0);
    expect(claims).toHaveLength(300);
    const share = denied.length / answers.length;
    // Industry first-pass denial rates run about 11–12% (USERS.md); the payers here 8–18%.
    expect(share).toBeGreaterThan(0.06);
    expect(share).toBeLessThan(0.25);
    const reasons = new Set(
      denied.flatMap((r) => claimResponseSummary(r).denials.map((d) => d.carc)),
    );
    expect(reasons.size).toBeGreaterThanOrEqual(5);
    const tasks = seed.filter((r): r is Task => r.resourceType === 'Task');
    const open = tasks.filter((t) => t.status === 'requested');
    expect(open.length).toBeGreaterThan(5);
    expect(seed.filter((r) => r.resourceType === 'PaymentReconciliation').length).toBeGreaterThan(
      10,
    );
    const oldest = Math.min(
      ...claims.map((c) =>
        Date.parse((c as { billablePeriod: { start: string } }).billablePeriod.start),
      ),
    );
    expect((NOW.getTime() - oldest) / 86_400_000).toBeLessThanOrEqual(122);
  });
});
