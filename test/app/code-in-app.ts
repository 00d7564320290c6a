import { APP_CLIENT_ID, type SandboxStack } from '../../cli/sandbox-stack.ts';
import type { EncounterCoding } from '../../src/coding/coding-model.ts';
import { launchSession } from './launch-driver.ts';

/** Saves and signs off I10 with a 99213 in the app, as the clinician's panel does. */
export async function codeInApp(s: SandboxStack, encounter: string): Promise<void> {
  const handle = await launchSession(s.ehr, s.appUrl, APP_CLIENT_ID, encounter);
  const call = async (method: string, body?: unknown) => {
    const res = await fetch(`${s.appUrl}/api/coding`, {
      method,
      headers: {
        authorization: `Bearer ${handle}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as { coding: EncounterCoding };
    if (res.status !== 200)
      throw new Error(`${method} /api/coding answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const base = (await call('GET')).coding;
  const coding: EncounterCoding = {
    diagnoses: [{ code: 'I10' }],
    lines: [
      {
        code: '99213',
        system: 'cpt',
        units: 1,
        modifiers: [],
        pointers: [1],
        emDocumentation: { minutes: 25 },
      },
    ],
  };
  await call('PUT', {
    coding,
    keys: { diagnoses: [crypto.randomUUID()], lines: [crypto.randomUUID()] },
    signOff: true,
    seen: {
      conditions: Object.fromEntries(
        base.diagnoses.flatMap((d) => (d.conditionId ? [[d.conditionId, d.versionId]] : [])),
      ),
      chargeItems: Object.fromEntries(
        base.lines.flatMap((l) => (l.chargeItemId ? [[l.chargeItemId, l.versionId]] : [])),
      ),
    },
  });
}
