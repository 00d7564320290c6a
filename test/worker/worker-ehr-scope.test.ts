import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import { startLoggedStack } from '../app/logged-stack.ts';

/**
 * Least privilege at the EHR (issue 13, item 4): the worker asks it for AuditEvent create only
 * when its AuditEvents are kept there (CHARTBILL_AUDIT_STORE=auto reads the CapabilityStatement
 * at start, before the token is asked for).
 */

let stack: SandboxStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The scopes the worker said it asks the EHR for, from its start-up log. */
async function askedScope(profile: 'epic-like' | 'strict'): Promise<string[]> {
  const lines: string[] = [];
  stack = await startLoggedStack(profile, lines);
  const asked = lines
    .map((l) => JSON.parse(l) as { msg?: string; scope?: string })
    .find((e) => e.msg === 'the scopes the worker asks the EHR for');
  return asked?.scope?.split(' ') ?? [];
}

describe("the worker's scopes at the EHR", { timeout: 240_000 }, () => {
  it('epic-like, its AuditEvents in the billing store: reads only, no AuditEvent create; claims still go out', async () => {
    const scope = await askedScope('epic-like');
    expect(scope).toContain('system/Encounter.rs');
    expect(scope).not.toContain('system/AuditEvent.c');
    expect(
      scope.filter((s) => /\.[a-z]*[cu][a-z]*$/.test(s) && !s.includes('Subscription')),
    ).toEqual([]);
    const summary = await stack?.worker.tick();
    expect(summary?.submitted).toBeGreaterThan(0);
  });

  it('strict, its AuditEvents in the EHR: AuditEvent create asked as before', async () => {
    expect(await askedScope('strict')).toContain('system/AuditEvent.c');
  });
});
