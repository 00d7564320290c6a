import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { z } from 'zod';
import { sandboxExpectedPricing, type ExpectedPricing } from '../pricing/expected-reimbursement.ts';
import { parsePayerFeeSchedule } from '../pricing/payer-fee-schedule.ts';
import { PRACTICE_CHARGE_MASTER } from '../claims/fee-schedule.ts';
import { sandboxAddOnTable } from '../edits/add-on-table.ts';
import type { EditReference } from '../edits/edit-reference.ts';
import { payerEditSetsFromEnv } from '../edits/payer-edit-set.ts';
import { timelyFilingFromEnv } from '../edits/timely-filing.ts';
import { loadChargeMaster } from '../pricing/charge-master-store.ts';
import { loadMedicarePfs } from '../pricing/load-pfs.ts';
import type { MedicareFeeSchedule } from '../pricing/medicare-fee-schedule.ts';
import { sandboxPfsIndicators } from '../pricing/sandbox-pfs-indicators.ts';
import { loadAddOnTable } from './aoc-store.ts';
import { loadShippedMue, loadShippedPfs } from '../codes/compile/shipped-reference.ts';
import { processEnvironment } from '../config/settings-source.ts';
import { loadNcciTables } from './ncci-store.ts';
import { sandboxNcciTables } from './sandbox-ncci.ts';

/** The settings the edit reference reads (a subset of the process environment). */
export interface EditReferenceEnv {
  /** A folder with the CMS PFS RVU files (PPRRVU*.csv, GPCI*.csv). */
  CHARTBILL_PFS_DIR?: string;
  /** `payerA=90,default=365`. */
  CHARTBILL_TIMELY_FILING?: string;
  /** `payerA=medicare,payerB=commercial`. */
  CHARTBILL_PAYER_EDIT_SETS?: string;
  /** A JSON file: payer id (or `default`) → fee schedule (payer-fee-schedule.ts). */
  CHARTBILL_PAYER_FEE_SCHEDULES?: string;
  /** The practice's Medicare locality as `MAC-locality` (`10112-00`). */
  CHARTBILL_PFS_LOCALITY?: string;
}

/** The reference data, and the Medicare PFS when one was loaded (for expected reimbursement). */
export interface LoadedEditReference extends EditReference {
  pfs?: MedicareFeeSchedule;
}

async function expectedPricing(
  env: EditReferenceEnv,
  sandbox: boolean,
  pfs: MedicareFeeSchedule | undefined,
): Promise<ExpectedPricing | undefined> {
  const file = env.CHARTBILL_PAYER_FEE_SCHEDULES;
  const base = file ? undefined : sandbox ? sandboxExpectedPricing() : undefined;
  const schedules = file
    ? Object.fromEntries(
        Object.entries(
          z.record(z.string(), z.unknown()).parse(JSON.parse(await readFile(file, 'utf8'))),
        ).map(([payer, schedule]) => [payer, parsePayerFeeSchedule(schedule)]),
      )
    : base?.schedules;
  if (!schedules) return undefined;
  const [mac, locality] = (env.CHARTBILL_PFS_LOCALITY ?? '').split('-');
  return {
    schedules,
    ...(pfs ? { medicare: pfs } : {}),
    ...(mac && locality ? { mac, locality } : {}),
  };
}

/** The sandbox payer is a commercial plan: Medicare's MUE 0 does not apply to it. */
const SANDBOX_EDIT_SETS = 'SBXHP=commercial';

/**
 * Reference data for the edits, the same for the app, the worker and `chartbill scrub`: the NCCI
 * tables and add-on code edits imported with `chartbill ncci import`, the PFS indicators (26/TC,
 * 50, global days) from `CHARTBILL_PFS_DIR`, the payers' timely filing windows and edit sets, and
 * the charge master imported with `chartbill charges import`. The sandbox falls back to its own
 * small tables; a real deployment never does (the sandbox PTP pairs are illustrative), and each
 * missing part is logged once, saying which edits are off.
 */
export async function loadEditReference(
  dataDir: string,
  mode: 'sandbox' | 'configured',
  logger: Logger,
  env: EditReferenceEnv = processEnvironment(),
): Promise<LoadedEditReference> {
  const sandbox = mode === 'sandbox';
  const [imported, aoc, pfs, charges] = await Promise.all([
    loadNcciTables(dataDir),
    loadAddOnTable(dataDir),
    // The CMS PFS ChartBill ships, unless CHARTBILL_PFS_DIR names another release.
    env.CHARTBILL_PFS_DIR ? loadMedicarePfs(env.CHARTBILL_PFS_DIR) : loadShippedPfs(),
    loadChargeMaster(dataDir),
  ]);
  // A real deployment never uses the sandbox's illustrative PTP pairs: without an import it has
  // the CMS MUE table ChartBill ships, and PTP edits stay off (data-coverage.ts says so).
  const ncci = imported ?? (sandbox ? sandboxNcciTables() : await loadShippedMue());
  const addOns = aoc ?? (sandbox ? sandboxAddOnTable() : undefined);
  const indicators = pfs
    ? (code: string) => pfs.indicators(code)
    : sandbox
      ? sandboxPfsIndicators()
      : undefined;
  const chargeMaster = charges ?? (sandbox ? PRACTICE_CHARGE_MASTER : undefined);
  const off = (what: string, how: string) => logger.warn({ dataDir }, `${what} are off: ${how}`);
  if (!ncci)
    off(
      'NCCI PTP and MUE edits',
      'no NCCI tables imported (`chartbill ncci import` loads the quarterly files)',
    );
  if (!addOns) off('add-on code edits', 'no AOC file imported (`chartbill ncci import-aoc`)');
  if (!indicators)
    off(
      '26/TC, 50 and global-days edits',
      'no PFS shipped or named (CHARTBILL_PFS_DIR names a CMS RVU folder)',
    );
  if (!chargeMaster)
    off(
      'charge master prices',
      'no charge master imported (`chartbill charges import`): the app shows no pricing items and the worker still bills from the built-in demo list',
    );
  const expected = await expectedPricing(env, sandbox, pfs);
  if (!expected)
    off(
      'expected reimbursement and underpayment checks',
      'CHARTBILL_PAYER_FEE_SCHEDULES names no payer fee schedules',
    );
  const sources = [
    `NCCI: ${ncci?.source ?? 'not loaded'}`,
    `add-on codes: ${addOns?.source ?? 'not loaded'}`,
    `PFS indicators: ${pfs ? pfs.name : indicators ? 'sandbox (CY2025 values of a few codes)' : 'not loaded'}`,
    `charge master: ${chargeMaster?.name ?? 'not loaded'}`,
  ];
  return {
    ...(ncci ? { ncci } : {}),
    ...(addOns ? { addOns } : {}),
    ...(indicators ? { indicators } : {}),
    ...(chargeMaster ? { chargeMaster } : {}),
    ...(pfs ? { pfs } : {}),
    ...(expected ? { expected } : {}),
    timelyFiling: timelyFilingFromEnv(env.CHARTBILL_TIMELY_FILING),
    payerEditSets: payerEditSetsFromEnv(
      [sandbox ? SANDBOX_EDIT_SETS : '', env.CHARTBILL_PAYER_EDIT_SETS ?? '']
        .filter(Boolean)
        .join(','),
    ),
    sources,
  };
}
