import { logDataCoverage } from '../src/codes/data-coverage.ts';
import { startupCodeSets } from '../src/codes/load-code-sets.ts';
import type { SettingsSource } from '../src/config/read-settings.ts';
import { AppError } from '../src/errors/app-error.ts';
import { errorMessage } from '../src/errors/error-message.ts';
import { createLogger } from '../src/log/create-logger.ts';
import { loadEditReference } from '../src/ncci/load-edit-reference.ts';
import { loadAppConfig } from '../smart-app/app-config.ts';
import { buildApp } from '../smart-app/build-app.ts';
import { openReadModelStore } from '../src/billing-office/open-read-model-store.ts';
import { startWorker } from '../worker/runtime/start-worker.ts';
import { loadWorkerConfig } from '../worker/runtime/worker-config.ts';
import { untilSignal } from './start-command.ts';

/** Which parts a mode runs. */
export interface Parts {
  app: boolean;
  worker: boolean;
}

/**
 * The app and/or the worker against the configured EHR. Every part's configuration is checked
 * before anything starts, and every problem is reported at once.
 */
export async function startConfigured(source: SettingsSource, parts: Parts): Promise<number> {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      problems.push(errorMessage(err));
      return undefined;
    }
  };
  const appConfig = parts.app ? attempt(() => loadAppConfig(source)) : undefined;
  const workerConfig = parts.worker ? attempt(() => loadWorkerConfig(source)) : undefined;
  if (problems.length > 0)
    throw new AppError('CONFIG_INVALID', problems.join('\n'), {
      hint: "Settings: 'chartbill start --help'; the README, \"Registering ChartBill with your EHR\". 'chartbill app' or 'chartbill worker' runs one part alone; 'chartbill sandbox' the sandbox.",
    });

  const logLevel = workerConfig?.logLevel ?? appConfig?.logLevel ?? 'info';
  const logger = createLogger(logLevel, 'chartbill');
  const dataDir = workerConfig?.dataDir ?? appConfig?.dataDir ?? '.chartbill';
  const codes = await startupCodeSets(dataDir, logger);
  const editReference = await loadEditReference(dataDir, 'configured', logger);
  logDataCoverage(logger, { codes, ncci: editReference.ncci });
  // App and worker in one process share the billing read model (issue 17) instead of each its own.
  const billingReadModelStore =
    appConfig?.billing?.readModel && workerConfig
      ? await openReadModelStore(appConfig.billing.readModel)
      : undefined;
  const app = appConfig
    ? await buildApp(appConfig, {
        ...(billingReadModelStore ? { billingReadModelStore } : {}),
        logger: logger.child({ part: 'app' }),
        codes,
        editReference,
        env: source,
      })
    : undefined;
  if (app && appConfig) await app.listen({ host: appConfig.host, port: appConfig.port });
  // The same worker `node worker/runtime/main.ts` runs: backend auth per store, retries counted, JWKS served.
  const worker = workerConfig
    ? await startWorker(workerConfig, logger.child({ part: 'worker' }), {
        codes,
        editReference,
        ...(billingReadModelStore ? { billingReadModelStore } : {}),
      })
    : undefined;
  if (appConfig) console.log(`App: ${appConfig.publicUrl}`);
  if (worker) {
    console.log(`Worker health: ${worker.healthUrl}/healthz`);
    console.log(`Worker JWKS: ${worker.jwksUrl}`);
  }
  await untilSignal();
  await worker?.close();
  await app?.close();
  await billingReadModelStore?.close();
  return 0;
}
