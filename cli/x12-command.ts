import { createReadStream } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { workerActor } from '../src/audit/audit-actor.ts';
import { createAuditSink } from '../src/audit/audit-sink.ts';
import { auditedGateway } from '../src/audit/audited-gateway.ts';
import { createBackendAuth } from '../src/auth/backend-auth.ts';
import type { FhirGateway } from '../src/fhir/fhir-gateway.ts';
import { createFhirGateway } from '../src/fhir/http-fhir-gateway.ts';
import { createLogger } from '../src/log/create-logger.ts';
import { claimInput } from '../src/x12/claim-input.ts';
import { claimTo837 } from '../src/x12/claim-to-837.ts';
import { fileControlNumbers } from '../src/x12/control-numbers.ts';
import { describeX12 } from '../src/x12/describe-x12.ts';
import { importEra } from '../src/x12/import-era.ts';
import { detectTransactionSet, readX12 } from '../src/x12/read-x12.ts';
import type { ReadSegmentsOptions } from '../src/x12/segment-reader.ts';
import { loadX12Config } from '../src/x12/x12-config.ts';
import { processEnvironment, settingsSource } from '../src/config/settings-source.ts';
import { readSettings, type SettingsSource } from '../src/config/read-settings.ts';
import { releaseInterchangeHold } from '../src/x12/interchange-guard.ts';
import type { Ledger } from '../worker/ledger/ledger.ts';
import { retryHeldFiles } from '../worker/pipeline/stages/read-inbound.ts';
import { openLedger } from '../worker/runtime/open-ledger.ts';
import { cliSettings } from './cli-settings.ts';
import { readSandboxState } from './sandbox-state.ts';
import { closeAnsweredAppeals } from '../worker/pipeline/close-appeals.ts';

const HELP = `Usage: chartbill x12 <837|read|import|inbound|interchange> …

  x12 837 <claim-id>      Print the 837P (005010X222A1) for a Claim on the FHIR server, with
                          its Patient, Coverage, billing Organization, payer, Practitioners and
                          Location. Needs the CHARTBILL_X12_* settings (see the README). Each run
                          takes a new interchange control number (kept in
                          <data-dir>/x12-control-numbers.json).
  x12 read <file>         Show a 999, TA1, 277CA, 277, 271, 835 (or 837) in words.
  x12 import <835-file>   Post an ERA received by other means: a ClaimResponse per claim and a
                          PaymentReconciliation per payment (a second import changes nothing);
                          claims ChartBill does not know are kept and listed as unmatched; a
                          claim's new answer completes its open appeal, as the worker does.
  x12 inbound retry       Have the worker read again, on its next read of the clearinghouse's
                          folder, every inbound file it held as unreadable (it does so by itself
                          a day after holding one). Uses the worker's ledger:
                          CHARTBILL_LEDGER_URL (and CHARTBILL_LEDGER_SCHEMA) for PostgreSQL, else
                          CHARTBILL_LEDGER_PATH (stop the worker first: the file ledger has one
                          writer).
  x12 interchange release Send again the claims held because the clearinghouse rejected two
                          files in a row (TA1): run it once the interchange settings the work
                          item names are checked. Another TA1 holds them again at once. (Changed
                          CHARTBILL_X12_* settings release them by themselves.) Same ledger
                          settings as 'inbound retry'.

Options:
  --fhir URL       The FHIR server (token in CHARTBILL_X12_FHIR_TOKEN). Default: the sandbox
                   running from this folder.
  --lenient        Read files damaged as de-identified samples are (unpadded ISA, trailer
                   counts off), with warnings.
  --component-separator C
                   The component separator when the file's ISA16 is wrong or absent.`;

const OPTIONS = {
  fhir: { type: 'string' },
  lenient: { type: 'boolean' },
  'component-separator': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `chartbill x12 837|read|import|inbound retry|interchange release`. */
export async function x12Command(args: string[], env?: SettingsSource): Promise<number> {
  const { positionals, values } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  if (values.help) return (console.log(HELP), 0);
  const [sub, target] = positionals;
  if (!sub || !target || positionals.length > 2) return (console.error(HELP), 2);
  const warnings: string[] = [];
  const read: ReadSegmentsOptions = {
    ...(values.lenient ? { lenient: true } : {}),
    ...(values['component-separator'] ? { componentSeparator: values['component-separator'] } : {}),
    onWarning: (w) => warnings.push(w),
  };
  const source = await settingsSource(env ? { env } : {});
  const dataDir = (await cliSettings()).CHARTBILL_DATA_DIR;
  switch (sub) {
    case '837': {
      const config = loadX12Config(source);
      const fhir = await fhirFor(values.fhir, dataDir, 'system/*.rs');
      const input = await claimInput(fhir, target.replace(/^Claim\//, ''));
      const store = fileControlNumbers(join(dataDir, 'x12-control-numbers.json'));
      const { text } = await claimTo837(input, config, store, new Date());
      process.stdout.write(text);
      return 0;
    }
    case 'read': {
      const set = await detectTransactionSet(createReadStream(target), read);
      const doc = await readX12(createReadStream(target), set, read);
      for (const w of new Set(warnings)) console.log(`Warning: ${w}`);
      console.log(describeX12(doc));
      return 0;
    }
    case 'import':
      return importCommand(target, values.fhir, dataDir, read, warnings);
    case 'inbound': {
      if (target !== 'retry') return (console.error(HELP), 2);
      await withLedger(source, (ledger) => retryHeldFiles(ledger, new Date()));
      console.log(
        "Held clearinghouse files will be read again on the worker's next read of the inbound folder.",
      );
      return 0;
    }
    case 'interchange': {
      if (target !== 'release') return (console.error(HELP), 2);
      const held = await withLedger(source, (ledger) => releaseInterchangeHold(ledger, new Date()));
      console.log(
        held
          ? `Released: the claims held since ${held.heldSince ?? '?'} (TA1 note ${held.note}, ${held.noteText}) go out on the worker's next look.`
          : 'No claims are held for TA1 rejections; nothing to release.',
      );
      return 0;
    }
    default:
      console.error(HELP);
      return 2;
  }
}

/** Opens the worker's ledger (its CHARTBILL_LEDGER_* settings), runs `use`, closes it. */
async function withLedger<T>(source: SettingsSource, use: (ledger: Ledger) => Promise<T>) {
  const settings = readSettings(source, { what: 'Worker' });
  const ledger = await openLedger({
    ledgerPath: settings.CHARTBILL_LEDGER_PATH,
    ledgerUrl: settings.CHARTBILL_LEDGER_URL,
    ledgerSchema: settings.CHARTBILL_LEDGER_SCHEMA,
  });
  try {
    return await use(ledger);
  } finally {
    await ledger.close();
  }
}

async function importCommand(
  file: string,
  fhirBase: string | undefined,
  dataDir: string,
  read: ReadSegmentsOptions,
  warnings: string[],
): Promise<number> {
  const scope =
    'system/Claim.rs system/ClaimResponse.crs system/PaymentReconciliation.crs system/Task.rus system/AuditEvent.c system/Provenance.c';
  const plain = await fhirFor(fhirBase, dataDir, scope);
  const logger = createLogger(
    processEnvironment().CHARTBILL_LOG_LEVEL ?? 'warn',
    'chartbill-x12-import',
  );
  const sink = createAuditSink({ store: plain, logger });
  const fhir = auditedGateway(plain, {
    actor: workerActor(`x12-import:${hostname()}`),
    sink,
    logger,
  });
  try {
    const now = new Date();
    const result = await importEra(fhir, createReadStream(file), { ...read, now });
    // A claim's new answer may answer its appeal: closed as the worker's inbound read closes it.
    const appeals = await closeAnsweredAppeals(fhir, result.answers, now);
    for (const w of new Set(warnings)) console.log(`Warning: ${w}`);
    for (const p of result.payments)
      console.log(
        `Payment ${p.trace} (${p.amount.toFixed(2)}): ${p.created ? 'posted' : 'already posted, unchanged'}`,
      );
    console.log(
      `${result.claimResponses} claim answers: ${result.created} posted, ${result.claimResponses - result.created} already there.`,
    );
    if (appeals > 0)
      console.log(`${appeals} appeal${appeals === 1 ? '' : 's'} answered: out of the work queue.`);
    if (result.unmatched.length > 0) {
      console.log(`Unmatched (no ChartBill claim with that number; kept as ClaimResponses):`);
      for (const u of result.unmatched)
        console.log(
          `  ${u.patientControlNumber} (payer claim ${u.payerClaimControlNumber}): paid ${u.paid.toFixed(2)}`,
        );
    }
    return 0;
  } finally {
    await sink.close();
  }
}

async function fhirFor(
  base: string | undefined,
  dataDir: string,
  scope: string,
): Promise<FhirGateway> {
  const token = processEnvironment().CHARTBILL_X12_FHIR_TOKEN;
  if (base)
    return createFhirGateway({
      baseUrl: base,
      ...(token ? { getToken: () => Promise.resolve(token) } : {}),
      retry: { attempts: 3 },
    });
  const state = await readSandboxState(dataDir);
  const auth = createBackendAuth({
    tokenUrl: state.tokenUrl,
    clientId: state.clientId,
    privateKey: state.privateJwk,
    scope,
  });
  return createFhirGateway({
    baseUrl: state.fhirBase,
    getToken: () => auth.getToken(),
    retry: { attempts: 3 },
  });
}
