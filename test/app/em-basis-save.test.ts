import type { ChargeItem } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import type { EncounterCoding, Finding } from '../../src/coding/coding-model.ts';
import { EXT } from '../../src/fhir/systems.ts';
import { launchSession } from './launch-driver.ts';
import { startLaunchStack, type LaunchStack } from './launch-stack.ts';

/**
 * The E/M level's basis (time, or the three MDM elements) is saved to FHIR with the visit's
 * ChargeItem, comes back when the panel reopens, and drives the "billed above documented"
 * warning (issue 16, item 11), against the real sandbox EHR over HTTP.
 */

let stack: LaunchStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

interface Answer {
  coding: EncounterCoding;
  findings: Finding[];
}

async function launched() {
  stack = await startLaunchStack({ apps: [{ clientId: 'cb' }] });
  const url = stack.apps.get('cb')?.url ?? '';
  const handle = await launchSession(stack.ehr, url, 'cb', 'enc-today-01');
  const call = async (method: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${url}/api/coding`, {
      method,
      headers: {
        authorization: `Bearer ${handle}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (res.status !== 200) throw new Error(`${method} /api/coding answered ${res.status}`);
    return (await res.json()) as Answer;
  };
  const seenOf = (c: EncounterCoding) => ({
    conditions: Object.fromEntries(
      c.diagnoses.flatMap((d) =>
        d.conditionId && d.versionId ? [[d.conditionId, d.versionId]] : [],
      ),
    ),
    chargeItems: Object.fromEntries(
      c.lines.flatMap((l) =>
        l.chargeItemId && l.versionId ? [[l.chargeItemId, l.versionId]] : [],
      ),
    ),
  });
  const ehr = stack.ehr;
  return {
    load: () => call('GET'),
    save: (coding: EncounterCoding, base: EncounterCoding) =>
      call('PUT', {
        coding,
        keys: {
          diagnoses: coding.diagnoses.map((d) => (d.conditionId ? null : crypto.randomUUID())),
          lines: coding.lines.map((l) => (l.chargeItemId ? null : crypto.randomUUID())),
        },
        seen: seenOf(base),
      }),
    /** The ChargeItem as the EHR stores it, read outside ChartBill. */
    stored: async (id: string): Promise<ChargeItem> => {
      const token = await ehr.issueSystemToken('system/*.read');
      const res = await fetch(`${ehr.fhirBase}/ChargeItem/${id}`, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
      });
      return (await res.json()) as ChargeItem;
    },
  };
}

const aboveDocumented = (findings: Finding[]) =>
  findings.filter((f) => f.rule === 'em-level-above-documented');

describe('the E/M level basis is saved with the coding and shown again', () => {
  it('saves 22 minutes on a 99214, reads it back on reopening, warns; MDM that supports it clears the warning', async () => {
    const app = await launched();
    const base = (await app.load()).coding;
    const coding: EncounterCoding = {
      diagnoses: [{ code: 'I10' }],
      lines: [
        {
          code: '99214',
          system: 'cpt',
          units: 1,
          modifiers: [],
          pointers: [1],
          emDocumentation: { minutes: 22 },
        },
      ],
    };
    const saved = await app.save(coding, base);
    expect(aboveDocumented(saved.findings)).toMatchObject([
      { severity: 'warning', suggestions: ['99213'] },
    ]);

    // Reopening the panel: the basis comes from the EHR, not from the browser's copy.
    const reopened = await app.load();
    const visit = reopened.coding.lines.find((l) => l.code === '99214');
    expect(visit?.emDocumentation).toEqual({ minutes: 22 });
    expect(aboveDocumented(reopened.findings)).toHaveLength(1);
    const stored = await app.stored(visit?.chargeItemId ?? '');
    expect(stored.extension?.find((e) => e.url === EXT.emBasis)?.extension).toEqual([
      { url: 'minutes', valueInteger: 22 },
    ]);

    // The clinician documents moderate MDM: the level stands, and the change is saved.
    const mdm = { minutes: 22, problems: 'moderate', data: 'limited', risk: 'moderate' } as const;
    const resaved = await app.save(
      {
        ...reopened.coding,
        lines: reopened.coding.lines.map((l) =>
          l.code === '99214' ? { ...l, emDocumentation: mdm } : l,
        ),
      },
      reopened.coding,
    );
    expect(aboveDocumented(resaved.findings)).toEqual([]);
    const again = await app.load();
    expect(again.coding.lines.find((l) => l.code === '99214')?.emDocumentation).toEqual(mdm);
    expect(aboveDocumented(again.findings)).toEqual([]);
  });
});
