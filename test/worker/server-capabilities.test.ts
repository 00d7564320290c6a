import { afterEach, describe, expect, it } from 'vitest';
import { sandboxEhrProfile } from '../../sandbox/ehr-profiles.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { claimsOf, startWorld, workerFor, type World } from './worker-kit.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A server that writes everything but neither declares nor honours `_include`/`_revinclude`. */
const NO_INCLUDES = {
  ...sandboxEhrProfile('strict'),
  include: false,
  revinclude: false,
};

describe('the worker adapts to what the EHR declares', () => {
  it.each([
    ['a server without _include/_revinclude', NO_INCLUDES],
    ['the strict sandbox', sandboxEhrProfile('strict')],
    ['a medplum-like server', sandboxEhrProfile('medplum-like')],
  ])(
    'bills every coded, signed-off encounter on %s: an unsupported _revinclude never reads as "no charges"',
    async (_name, profile) => {
      world = await startWorld({}, { profile });
      const summary = await workerFor(world).tick();
      expect(summary.failed).toBe(0);
      for (const id of SEED_SCENARIOS.clean)
        expect(await claimsOf(world.fhir, id), id).toHaveLength(1);
      expect(summary.submitted).toBeGreaterThanOrEqual(SEED_SCENARIOS.clean.length);
    },
  );
});
