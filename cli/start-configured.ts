import { startupCodeSets } from '../src/codes/load-code-sets.ts';
import { AppError } from '../src/errors/app-error.ts';
import { createLogger } from '../src/log/create-logger.ts';
import { loadAppConfig } from '../smart-app/app-config.ts';
import { buildApp } from '../smart-app/build-app.ts';
import { startWorker } from '../worker/runtime/start-worker.ts';
import { loadWorkerConfig } from '../worker/runtime/worker-config.ts';
import { loadEditReference } from '../src/ncci/load-edit-reference.ts';
import { untilSignal } from './start-command.ts';
import { errorMessage } from '../src/errors/error-message.ts';

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
      problems.push(errorMessage(err));
      return undefined;
    }
  };
  const appConfig = attempt(() => loadAppConfig(env));
  const workerConfig = attempt(() => loadWorkerConfig(env));
  if (!appConfig || !workerConfig)
    throw new AppError('CONFIG_INVALID', problems.join('\n'), {
      hint: 'See the README, "Registering ChartBill with your EHR".',
    });

  const logger = createLogger(workerConfig.logLevel, 'chartbill');
  const dataDir = env.CHARTBILL_DATA_DIR ?? '.chartbill';
  const codes = await startupCodeSets(dataDir, logger);
  const editReference = await loadEditReference(dataDir, 'configured', logger);
  const app = await buildApp(appConfig, {
    logger: logger.child({ part: 'app' }),
    codes,
    editReference,
    env,
  });
  await app.listen({ host: appConfig.host, port: appConfig.port });
  // The same worker `node worker/runtime/main.ts` runs: backend auth per store, retries counted, JWKS served.
  const worker = await startWorker(workerConfig, logger.child({ part: 'worker' }), {
    codes,
    editReference,
  });
  console.log(`App: ${appConfig.publicUrl}`);
  console.log(`Worker health: ${worker.healthUrl}/healthz`);
  console.log(`Worker JWKS: ${worker.healthUrl}/.well-known/jwks.json`);
  await untilSignal();
  await worker.close();
  await app.close();
  return 0;
}
