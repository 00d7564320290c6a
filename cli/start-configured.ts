import { readFile } from 'node:fs/promises';
import type { JWK } from 'jose';
import { createBackendAuth } from '../src/auth/backend-auth.ts';
import { startupCodeSets } from '../src/codes/load-code-sets.ts';
import { AppError } from '../src/errors/app-error.ts';
import { createFhirGateway } from '../src/fhir/http-fhir-gateway.ts';
import { createLogger } from '../src/log/create-logger.ts';
import { createFhirPayerAdapter } from '../src/payer/fhir-payer-adapter.ts';
import { loadAppConfig } from '../smart-app/app-config.ts';
import { buildApp } from '../smart-app/build-app.ts';
import { discoverSmart } from '../smart-app/smart/discover-smart.ts';
import { buildWorker } from '../worker/build-worker.ts';
import { openLedger } from '../worker/open-ledger.ts';
import { startHealthServer } from '../worker/health-server.ts';
import { loadWorkerConfig } from '../worker/worker-config.ts';
import { loadEditReference } from './edit-reference.ts';
import { untilSignal } from './start-command.ts';

/**
 * `chartbill start` with an EHR configured: the app and the worker against it. Both configurations
 * are checked before anything starts, and every problem is reported at once.
 */
export async function startConfigured(env: Record<string, string | undefined>): Promise<number> {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
      return undefined;
    }
  };
  const appConfig = attempt(() => loadAppConfig(env));
  const workerConfig = attempt(() => loadWorkerConfig(env));
  if (!appConfig || !workerConfig) throw new AppError('CONFIG_INVALID', problems.join('\n'), { hint: 'See the README, "Registering ChartBill with your EHR".' });

  const logger = createLogger(workerConfig.logLevel, 'chartbill');
  const privateKey = JSON.parse(await readFile(workerConfig.privateKeyFile, 'utf8')) as JWK;
  const tokenUrl = workerConfig.tokenUrl ?? (await discoverSmart(workerConfig.fhirBaseUrl, fetch)).token_endpoint;
  const auth = createBackendAuth({ tokenUrl, clientId: workerConfig.clientId, privateKey, scope: workerConfig.scope });
  const clinical = createFhirGateway({ baseUrl: workerConfig.fhirBaseUrl, getToken: () => auth.getToken() });
  const billing = workerConfig.billingFhirBaseUrl === workerConfig.fhirBaseUrl ? clinical : createFhirGateway({ baseUrl: workerConfig.billingFhirBaseUrl, getToken: () => auth.getToken() });
  const codes = await startupCodeSets(env.CHARTBILL_DATA_DIR ?? '.chartbill', logger);

  const editReference = await loadEditReference(env.CHARTBILL_DATA_DIR ?? '.chartbill', 'configured', logger);
  const app = await buildApp(appConfig, { logger: logger.child({ part: 'app' }), codes, editReference, env });
  await app.listen({ host: appConfig.host, port: appConfig.port });
  const ledger = await openLedger(workerConfig);
  const worker = buildWorker(workerConfig, {
    clinical,
    billing,
    payer: createFhirPayerAdapter({ baseUrl: workerConfig.payerBaseUrl }),
    codes,
    editReference,
    ledger,
    logger: logger.child({ part: 'worker' }),
  });
  const health = await startHealthServer({ port: workerConfig.port, metrics: worker.metrics, logger: logger.child({ part: 'worker-health' }) });
  worker.start();
  console.log(`App: ${appConfig.publicUrl}`);
  console.log(`Worker health: ${health.url}/healthz`);
  await untilSignal();
  await worker.stop();
  await Promise.all([app.close(), health.close()]);
  await ledger.close();
  return 0;
}
