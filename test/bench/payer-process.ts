import { createLogger } from '../../src/log/create-logger.ts';
import { startSandboxPayer } from '../../sandbox/payer-server.ts';

/**
 * The sandbox payer as its own process, as a payer or clearinghouse is to a deployed worker:
 * prints `payer <fhir base>` and stops on SIGTERM.
 */
const payer = await startSandboxPayer({ port: 0, logger: createLogger('silent', 'bench-payer') });
process.stdout.write(`payer ${payer.fhirBase}\n`);
process.on('SIGTERM', () => {
  void payer.close().then(() => process.exit(0));
});
