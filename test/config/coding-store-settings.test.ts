import { describe, expect, it } from 'vitest';
import { loadAppConfig } from '../../smart-app/app-config.ts';
import { loadWorkerConfig } from '../../worker/runtime/worker-config.ts';

const WORKER = {
  CHARTBILL_FHIR_BASE_URL: 'https://ehr.example.org/fhir',
  CHARTBILL_PAYER_BASE_URL: 'https://payer.example.org/fhir',
  CHARTBILL_CLIENT_ID: 'worker',
  CHARTBILL_PRIVATE_KEY_FILE: 'worker-key.json',
};
const APP = {
  CHARTBILL_EHRS: JSON.stringify([
    { iss: 'https://ehr.example.org/fhir', name: 'EHR', clientId: 'chartbill' },
  ]),
};

describe('CHARTBILL_CODING_STORE', () => {
  it('billing without a billing FHIR server is refused by the worker, naming the setting to add', () => {
    expect(() => loadWorkerConfig({ ...WORKER, CHARTBILL_CODING_STORE: 'billing' })).toThrow(
      /CHARTBILL_CODING_STORE.*CHARTBILL_BILLING_FHIR_BASE_URL/,
    );
  });

  it('billing: the worker asks the billing store for the coding reads too', () => {
    const config = loadWorkerConfig({
      ...WORKER,
      CHARTBILL_BILLING_FHIR_BASE_URL: 'https://billing.example.org/fhir',
      CHARTBILL_CODING_STORE: 'billing',
    });
    expect(config.codingStore).toBe('billing');
    expect(config.billingAuth.scope.split(' ')).toEqual(
      expect.arrayContaining(['system/ChargeItem.rs', 'system/Condition.rs', 'system/Claim.crus']),
    );
    // The EHR token only reads.
    expect(config.scope).not.toContain('Claim.c');
  });

  it('billing: the app lists every credential it lacks for the billing store', () => {
    expect(() =>
      loadAppConfig({
        ...APP,
        CHARTBILL_CODING_STORE: 'billing',
        CHARTBILL_BILLING_FHIR_BASE_URL: 'https://billing.example.org/fhir',
      }),
    ).toThrow(
      /CHARTBILL_BILLING_TOKEN_URL[\s\S]*CHARTBILL_APP_BILLING_CLIENT_ID[\s\S]*CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE/,
    );
    expect(loadAppConfig(APP).codingStore).toBeUndefined();
  });

  it('is auto by default: the worker asks the billing store for the coding reads it may find there', () => {
    const config = loadWorkerConfig({
      ...WORKER,
      CHARTBILL_BILLING_FHIR_BASE_URL: 'https://billing.example.org/fhir',
    });
    expect(config.codingStore).toBe('auto');
    expect(config.billingAuth.scope).toContain('system/ChargeItem.rs');
    // Without a billing FHIR server, auto can only mean the EHR: the app opens no billing store.
    expect(loadAppConfig(APP).codingStore).toBeUndefined();
  });

  it('auto: the app waits for the EHR to need the billing store before asking for its credentials', () => {
    const config = loadAppConfig({
      ...APP,
      CHARTBILL_BILLING_FHIR_BASE_URL: 'https://billing.example.org/fhir',
    });
    expect(config.codingStore).toMatchObject({
      setting: 'auto',
      missing: expect.arrayContaining([
        expect.stringContaining('CHARTBILL_APP_BILLING_CLIENT_ID'),
      ]) as unknown,
    });
  });

  it('CHARTBILL_AUDIT_STORE=billing: the app refuses to start without its client at the billing store', () => {
    expect(() =>
      loadAppConfig({
        ...APP,
        CHARTBILL_AUDIT_STORE: 'billing',
        CHARTBILL_CODING_STORE: 'ehr',
        CHARTBILL_BILLING_FHIR_BASE_URL: 'https://billing.example.org/fhir',
      }),
    ).toThrow(/AuditEvents go to the billing store[\s\S]*CHARTBILL_APP_BILLING_CLIENT_ID/);
    // With CHARTBILL_CODING_STORE=ehr the app still reads the claims there, with its client.
    const config = loadAppConfig({
      ...APP,
      CHARTBILL_CODING_STORE: 'ehr',
      CHARTBILL_BILLING_FHIR_BASE_URL: 'https://billing.example.org/fhir',
      CHARTBILL_BILLING_TOKEN_URL: 'https://billing.example.org/token',
      CHARTBILL_APP_BILLING_CLIENT_ID: 'app',
      CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE: 'app-key.json',
    });
    expect(config.codingStore).toBeUndefined();
    expect(config.billingStore).toMatchObject({ clientId: 'app' });
    expect(config.billingStore?.missing).toBeUndefined();
  });
});
