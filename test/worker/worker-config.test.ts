import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors/app-error.ts';
import { openLedger } from '../../worker/runtime/open-ledger.ts';
import { openPostgresLedger } from '../../worker/ledger/postgres-ledger.ts';
import { DEFAULT_WORKER_SCOPE, loadWorkerConfig } from '../../worker/runtime/worker-config.ts';
import { dropSchema, freshSchemaName, PG_URL } from './pg-kit.ts';

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
      heapGrowthPercent: 30,
      // A clearinghouse may take 30 s: the payer's timeouts are longer than the HTTP default.
      payerTimeouts: { eligibilityMs: 60_000, submitMs: 120_000, inquireMs: 60_000 },
      gaveUpRetryMs: 24 * 3_600_000,
      shutdownMs: 25_000,
    });
    expect(config.tokenUrl).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
    expect(
      loadWorkerConfig({
        ...minimal,
        CHARTBILL_BILLING_FHIR_BASE_URL: 'https://billing.example.org/fhir',
      }).billingFhirBaseUrl,
    ).toBe('https://billing.example.org/fhir');
  });

  it('reaches the payers CHARTBILL_X12_PAYER_IDS lists through the clearinghouse, and then wants its settings', () => {
    expect(loadWorkerConfig(minimal).x12).toBeUndefined();
    expect(() => loadWorkerConfig({ ...minimal, CHARTBILL_X12_PAYER_IDS: 'X12HP' })).toThrow(
      /CHARTBILL_X12_SENDER_ID[\s\S]*CHARTBILL_X12_RECEIVER_ID/,
    );
    const config = loadWorkerConfig({
      ...minimal,
      CHARTBILL_X12_PAYER_IDS: 'X12HP,https://chartbill.dev/fhir/identifier/payer-id|87726',
      CHARTBILL_X12_SENDER_ID: 'CHARTBILL01',
      CHARTBILL_X12_RECEIVER_ID: 'CLEARHOUSE',
      CHARTBILL_X12_RECEIVER_NAME: 'Clearinghouse',
      CHARTBILL_X12_SUBMITTER_NAME: 'Riverside Family Practice',
      CHARTBILL_X12_SUBMITTER_CONTACT: 'Billing Office',
      CHARTBILL_X12_SUBMITTER_PHONE: '5555550100',
    });
    expect(config.x12).toMatchObject({
      payerIds: [
        { value: 'X12HP' },
        { system: 'https://chartbill.dev/fhir/identifier/payer-id', value: '87726' },
      ],
      inboundEveryMs: 5 * 60_000,
      statusAfterMs: 72 * 3_600_000,
      config: { senderId: 'CHARTBILL01', receiverId: 'CLEARHOUSE' },
    });
    expect(config.scope).toContain('system/PaymentReconciliation.crs');
  });

  it('reports every mistake at once, naming each variable', () => {
    let error: unknown;
    try {
      loadWorkerConfig({
        CHARTBILL_FHIR_BASE_URL: 'not a url',
        CHARTBILL_WORKER_SCHEDULE: 'every five seconds',
        CHARTBILL_WORKER_PORT: '99999',
        CHARTBILL_WORKER_HEAP_GROWTH_PERCENT: 'lots',
      });
    } catch (err) {
      error = err;
    }
    expect(isAppError(error, 'CONFIG_INVALID')).toBe(true);
    const message = (error as Error).message;
    for (const name of [
      'CHARTBILL_FHIR_BASE_URL',
      'CHARTBILL_PAYER_BASE_URL',
      'CHARTBILL_CLIENT_ID',
      'CHARTBILL_PRIVATE_KEY_FILE',
      'CHARTBILL_WORKER_SCHEDULE',
      'CHARTBILL_WORKER_PORT',
      'CHARTBILL_WORKER_HEAP_GROWTH_PERCENT',
    ]) {
      expect(message).toContain(name);
    }
  });

  it('accepts a six-field cron schedule with seconds', () => {
    expect(
      loadWorkerConfig({ ...minimal, CHARTBILL_WORKER_SCHEDULE: '0 */2 * * * *' }).schedule,
    ).toBe('0 */2 * * * *');
  });

  it('keeps the embedded file ledger by default and opens PostgreSQL when CHARTBILL_LEDGER_URL is set', async () => {
    const defaults = loadWorkerConfig(minimal);
    expect(defaults.ledgerUrl).toBeUndefined();
    const schema = freshSchemaName();
    const config = loadWorkerConfig({
      ...minimal,
      CHARTBILL_LEDGER_URL: PG_URL,
      CHARTBILL_LEDGER_SCHEMA: schema,
    });
    const ledger = await openLedger(config);
    try {
      await ledger.setCursor('c', '2026-03-01T00:00:00.000Z');
      const direct = await openPostgresLedger({ url: PG_URL, schema });
      expect(await direct.getCursor('c')).toBe('2026-03-01T00:00:00.000Z');
      await direct.close();
    } finally {
      await ledger.close();
      await dropSchema(schema);
    }
    expect(() =>
      loadWorkerConfig({
        ...minimal,
        CHARTBILL_LEDGER_URL: 'mysql://x',
        CHARTBILL_LEDGER_SCHEMA: 'Bad-Name',
      }),
    ).toThrow(
      /CHARTBILL_LEDGER_URL[\s\S]*CHARTBILL_LEDGER_SCHEMA|CHARTBILL_LEDGER_SCHEMA[\s\S]*CHARTBILL_LEDGER_URL/,
    );
  });
});
