import { describe, expect, it } from 'vitest';
import { chooseCodingStore } from '../../src/fhir/coding-store-choice.ts';
import { UNKNOWN_CAPABILITIES } from '../../src/fhir/server-capabilities.ts';
import { capsOf } from './sandbox-capabilities.ts';

const BILLING = 'https://billing.example.org/fhir';

describe('where the coding lives (chooseCodingStore, shared by the app and the worker)', () => {
  it.each([
    ['strict', 'ehr'],
    ['medplum-like', 'ehr'],
    ['epic-like', 'billing'],
    ['oracle-like', 'billing'],
  ] as const)('auto, the EHR playing %s: %s', (name, store) => {
    expect(
      chooseCodingStore(capsOf(name), { setting: 'auto', billingFhirBaseUrl: BILLING }).store,
    ).toBe(store);
  });

  it('says why, per type, in words an admin reads', () => {
    expect(
      chooseCodingStore(capsOf('epic-like'), { setting: 'auto', billingFhirBaseUrl: BILLING })
        .reasons,
    ).toContain(
      "ChargeItem: billing store — the EHR's CapabilityStatement does not declare ChargeItem create or update",
    );
    expect(
      chooseCodingStore(capsOf('oracle-like'), { setting: 'auto', billingFhirBaseUrl: BILLING })
        .reasons,
    ).toContain(
      "Condition: billing store — the EHR's CapabilityStatement does not declare Condition update",
    );
  });

  it('keeps the EHR when no billing FHIR server is set, and says what is missing', () => {
    const choice = chooseCodingStore(capsOf('epic-like'), { setting: 'auto' });
    expect(choice.store).toBe('ehr');
    expect(choice.reasons.join('\n')).toContain('CHARTBILL_BILLING_FHIR_BASE_URL');
  });

  it('an explicit setting wins over the statement', () => {
    expect(
      chooseCodingStore(capsOf('strict'), { setting: 'billing', billingFhirBaseUrl: BILLING })
        .store,
    ).toBe('billing');
    expect(chooseCodingStore(capsOf('epic-like'), { setting: 'ehr' }).reasons[0]).toMatch(
      /^ChargeItem: the EHR — CHARTBILL_CODING_STORE=ehr/,
    );
    expect(
      chooseCodingStore(UNKNOWN_CAPABILITIES, { setting: 'auto', billingFhirBaseUrl: BILLING })
        .reasons[0],
    ).toContain('could not be read');
  });
});
