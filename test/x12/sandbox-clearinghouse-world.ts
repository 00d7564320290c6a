import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  ChargeItem,
  ClaimResponse,
  Coverage,
  Encounter,
  PaymentReconciliation,
  Task,
} from 'fhir/r4';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { x12FileName } from '../../src/payer/x12-payer-adapter.ts';
import type { BatchTransport } from '../../src/x12/transport/clearinghouse-transport.ts';
import type { Worker } from '../../worker/runtime/build-worker.ts';
import {
  sftpTransport,
  startTestClearinghouse,
  type TestClearinghouse,
} from '../clearinghouse/clearinghouse-fixture.ts';
import { all } from '../worker/worker-kit.ts';
import { startX12World, type X12World } from './x12-worker-kit.ts';

/**
 * The worker-level world of issue 15 through the real sandbox clearinghouse: the sandbox EHR and
 * payer, the worker, and the clearinghouse's SFTP server, whose payer (payer id X12HP) enrolls
 * the patients of `encounters` and adjudicates with the sandbox payer's rules.
 */
export interface ClearinghouseWorld {
  x: X12World;
  ch: TestClearinghouse;
  /** ChartBill's SFTP connection to the clearinghouse (the worker's batch transport). */
  transport: BatchTransport;
  /** The names of the files the worker downloaded, in order. */
  downloads: string[];
  /** The clearinghouse's folder of files for ChartBill (on this machine). */
  receive: string;
  worker: Worker;
  /** The clearinghouse's answer files to the claim file sent for CLM01 `claimNumber` with ISA13 `control`. */
  answered(claimNumber: string, control: number, times?: number): Promise<string[]>;
  /** The 837P files the clearinghouse took in. */
  sentControls(): Promise<{ claimNumber: string; control: number }[]>;
  payments(): Promise<PaymentReconciliation[]>;
  answers(): Promise<ClaimResponse[]>;
  tasks(code: string): Promise<Task[]>;
  close(): Promise<void>;
}

export async function startClearinghouseWorld(
  encounters: string[],
  workerOptions: Parameters<X12World['worker']>[0] = {},
  /** Changes a file the worker uploads (a fault on the way); the file as it is by default. */
  damage: (name: string, content: string) => string = (_name, content) => content,
): Promise<ClearinghouseWorld> {
  const x = await startX12World(encounters);
  const enrolled: Coverage[] = [];
  for (const id of encounters) {
    const encounter = await x.world.fhir.read<Encounter>('Encounter', id);
    const patient = encounter.subject?.reference?.split('/')[1] ?? '';
    const coverage = await x.world.fhir.read<Coverage>('Coverage', `cov-${patient}`);
    enrolled.push({
      ...coverage,
      payor: [
        {
          identifier: { system: SYSTEM.payerId, value: 'X12HP' },
          display: 'Clearinghouse Health Plan',
        },
      ],
    });
  }
  const ch = await startTestClearinghouse(undefined, enrolled, x.clock.now);
  const transport = sftpTransport(ch.settings);
  const downloads: string[] = [];
  // The worker's SFTP connection, counting what it downloads (a held file is not read each tick).
  const counted: BatchTransport = {
    describe: transport.describe,
    upload: (name, content) => transport.upload(name, damage(name, content)),
    exists: (name) => transport.exists(name),
    listInbound: () => transport.listInbound(),
    download: (name) => (downloads.push(name), transport.download(name)),
    archiveInbound: (name) => transport.archiveInbound(name),
    close: () => transport.close(),
  };
  // A submitted claim is looked at again on the next tick (not after 15 minutes), so the answers
  // the clearinghouse sends are recorded without moving the clock past the worker's cursor.
  const worker = x.worker({
    ...workerOptions,
    batch: counted,
    settings: { CHARTBILL_WORKER_POLL_MINUTES: '0.0001', ...workerOptions.settings },
  });
  const root = ch.clearinghouse.sftp.root;
  return {
    x,
    ch,
    transport,
    downloads,
    receive: join(root, 'receive'),
    worker,
    answered: (claimNumber, control, times) =>
      ch.clearinghouse.answered(x12FileName(claimNumber, control), times),
    async sentControls() {
      const names = [
        ...(await readdir(`${root}/send`)),
        ...(await readdir(`${root}/send/processed`)),
      ];
      return [...new Set(names)].flatMap((n) => {
        const m = /^(.+)\.(\d{9})\.837$/.exec(n);
        return m ? [{ claimNumber: m[1] ?? '', control: Number(m[2]) }] : [];
      });
    },
    payments: () => all<PaymentReconciliation>(x.world.fhir, 'PaymentReconciliation'),
    answers: () => all<ClaimResponse>(x.world.fhir, 'ClaimResponse'),
    tasks: async (code) =>
      (await all<Task>(x.world.fhir, 'Task')).filter((t) => t.code?.coding?.[0]?.code === code),
    async close() {
      await transport.close();
      await Promise.all([x.close(), ch.close()]);
    },
  };
}

/** A claim file the worker sent: its CLM01 and ISA13. */
export interface SentFile {
  claimNumber: string;
  control: number;
}

/**
 * The seeded correction of `enc-not-covered` through the clearinghouse: the original goes out
 * and is answered (S9986 denied CO-96, 99213 paid); billing staff recode the line (36415) and the
 * worker sends the replacement (frequency 7, REF*F8), which the clearinghouse adjudicates at once.
 * Its answer files are left for the caller to read (or lose).
 */
export async function sendReplacement(
  w: ClearinghouseWorld,
  /** Looks at the world once the original is answered, before billing staff correct it. */
  answered: () => Promise<void> = () => Promise.resolve(),
): Promise<{ original: SentFile; replacement: SentFile; replacementFiles: string[] }> {
  const fhir = w.x.world.fhir;
  await w.worker.tick();
  const [original] = await w.sentControls();
  if (!original) throw new Error('no 837P went out');
  await w.answered(original.claimNumber, original.control);
  await w.worker.tick();
  await w.worker.tick();
  await answered();
  const charges = await all<ChargeItem>(fhir, 'ChargeItem', {
    context: 'Encounter/enc-not-covered',
  });
  const uncovered = charges.find((c) => c.code.coding?.[0]?.code === 'S9986');
  if (!uncovered) throw new Error('seed: enc-not-covered has no S9986 line');
  await fhir.update<ChargeItem>({
    ...uncovered,
    code: { coding: [{ system: SYSTEM.cpt, code: '36415' }] },
  });
  await w.worker.tick();
  const replacement = (await w.sentControls()).find((s) => s.claimNumber !== original.claimNumber);
  if (!replacement) throw new Error('no replacement went out');
  const replacementFiles = await w.answered(replacement.claimNumber, replacement.control);
  return { original, replacement, replacementFiles };
}
