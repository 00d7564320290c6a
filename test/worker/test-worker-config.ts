import { loadWorkerConfig, type WorkerConfig } from '../../worker/runtime/worker-config.ts';

/**
 * The worker's configuration for a test, made the way production makes it (`loadWorkerConfig`,
 * every default from src/config/settings.ts) and changed by setting name, so a test's worker
 * differs from production's only where the test says. The connection settings are placeholders:
 * `buildWorker` takes its gateways, payer and ledger as dependencies.
 */
export function testWorkerConfig(settings: Record<string, string> = {}): WorkerConfig {
  return loadWorkerConfig({
    CHARTBILL_FHIR_BASE_URL: 'http://127.0.0.1:9/fhir',
    CHARTBILL_PAYER_BASE_URL: 'http://127.0.0.1:9/payer',
    CHARTBILL_CLIENT_ID: 'test-worker',
    CHARTBILL_PRIVATE_KEY_FILE: 'test-worker-key.json',
    ...settings,
  });
}
