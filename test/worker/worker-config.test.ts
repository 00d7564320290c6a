import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors/app-error.ts';
import { DEFAULT_WORKER_SCOPE, loadWorkerConfig } from '../../worker/worker-config.ts';

const minimal = {
  CHARTBILL_FHIR_BASE_URL: 'https://ehr.example.org/fhir',
  CHARTBILL_PAYER_BASE_URL: 'https://payer.example.org/fhir',
  CHARTBILL_CLIENT_ID: 'chartbill-worker',
  CHARTBILL_PRIVATE_KEY_FILE: '/etc/chartbill/worker-key.json',
};

describe('loadWorkerConfig', () => {
  it('fills in defaults and writes billing resources to the clinical server unless told otherwise', () => {
    const config = loadWorkerConfig(minimal);
    expect(config).toMatchObject({
      fhirBaseUrl: 'https://ehr.example.org/fhir',
      billingFhirBaseUrl: 'https://ehr.example.org/fhir',
      payerBaseUrl: 'https://payer.example.org/fhir',
      clientId: 'chartbill-worker',
      schedule: '*/5 * * * * *',
      ledgerPath: '.chartbill/ledger.json',
      logLevel: 'info',
      port: 4430,
      scope: DEFAULT_WORKER_SCOPE,
      recheckMs: 15 * 60_000,
      maxAttempts: 8,
    });
    expect(config.tokenUrl).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
    expect(loadWorkerConfig({ ...minimal, CHARTBILL_BILLING_FHIR_BASE_URL: 'https://billing.example.org/fhir' }).billingFhirBaseUrl).toBe('https://billing.example.org/fhir');
  });

  it('reports every mistake at once, naming each variable', () => {
    let error: unknown;
    try {
      loadWorkerConfig({ CHARTBILL_FHIR_BASE_URL: 'not a url', CHARTBILL_WORKER_SCHEDULE: 'every five seconds', CHARTBILL_WORKER_PORT: '99999' });
    } catch (err) {
      error = err;
    }
    expect(isAppError(error, 'CONFIG_INVALID')).toBe(true);
    const message = (error as Error).message;
    for (const name of ['CHARTBILL_FHIR_BASE_URL', 'CHARTBILL_PAYER_BASE_URL', 'CHARTBILL_CLIENT_ID', 'CHARTBILL_PRIVATE_KEY_FILE', 'CHARTBILL_WORKER_SCHEDULE', 'CHARTBILL_WORKER_PORT']) {
      expect(message).toContain(name);
    }
  });

  it('accepts a six-field cron schedule with seconds', () => {
    expect(loadWorkerConfig({ ...minimal, CHARTBILL_WORKER_SCHEDULE: '0 */2 * * * *' }).schedule).toBe('0 */2 * * * *');
  });
});
