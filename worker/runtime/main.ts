import { logDataCoverage } from '../../src/codes/data-coverage.ts';
import { startupCodeSets } from '../../src/codes/load-code-sets.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { loadEditReference } from '../../src/ncci/load-edit-reference.ts';
import { startWorker } from './start-worker.ts';
import { loadWorkerConfig } from './worker-config.ts';
import { settingsSource } from '../../src/config/settings-source.ts';
import { errorMessage } from '../../src/errors/error-message.ts';

/**
 * `node --import tsx worker/runtime/main.ts` (or `chartbill worker`): the billing worker alone,
 * configured by its settings (the environment over `chartbill.config.json`; see
 * src/config/settings.ts). SIGTERM or SIGINT stops it gracefully within
 * `CHARTBILL_WORKER_SHUTDOWN_SECONDS`: the encounters in hand are finished if they fit, the
 * rest have their leases released (a claim already sent stays in the outbox, so the next worker
 * asks the payer first), and the process exits 0.
 */
const config = loadWorkerConfig(await settingsSource());
const logger = createLogger(config.logLevel, 'chartbill-worker');
// The code sets and NCCI tables `chartbill codes import` / `chartbill ncci import` stored, as `chartbill start` uses them.
const dataDir = config.dataDir;
const codes = await startupCodeSets(dataDir, logger);
const editReference = await loadEditReference(dataDir, 'configured', logger);
// Once, at start-up: which edits are off or run on data for another date (issue 16, item 2).
logDataCoverage(logger, { codes, ncci: editReference.ncci });
const running = await startWorker(config, logger, { codes, editReference });
logger.info({ health: running.healthUrl }, 'worker running');
// Read by supervisors and tests: the one line on stdout that says where health is served.
process.stdout.write(`worker health ${running.healthUrl}\n`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceSeconds: config.shutdownMs / 1000 }, 'stopping');
    // A backstop should closing hang (a database that accepts and never answers).
    setTimeout(() => {
      logger.error('stop took too long; exiting');
      process.exit(1);
    }, config.shutdownMs + 10_000).unref();
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: errorMessage(err) }, 'stop failed');
        process.exit(1);
      },
    );
  });
}
