import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type {
  BatchTransport,
  CorePayloadType,
  RealTimeTransport,
} from '../../src/x12/transport/clearinghouse-transport.ts';
import { createDirectoryBatchTransport } from '../../src/x12/transport/directory-batch-transport.ts';
import { envelope, serialize, type OutSegment } from '../../src/x12/x12-writer.ts';
import { testX12Config } from './x12-fixtures.ts';

/** The clearinghouse's side of the envelope: it sends to ChartBill. */
const theirs = testX12Config({
  CHARTBILL_X12_SENDER_ID: 'CLEARHOUSE',
  CHARTBILL_X12_RECEIVER_ID: 'CHARTBILL01',
});
let nextControl = 500;

/** An X12 file from the clearinghouse, built with ChartBill's own writer. */
export function theirFile(
  set: string,
  functionalId: string,
  version: string,
  body: OutSegment[][],
) {
  nextControl += 1;
  return serialize(envelope(theirs, { set, functionalId, version }, body, nextControl, new Date()));
}

/** One 837P ChartBill sent, as the clearinghouse reads it. */
export interface SentClaim {
  file: string;
  /** ISA13 as a number (= GS06). */
  control: number;
  /** CLM01. */
  claimNumber: string;
  charge: number;
}

/** A temporary clearinghouse folder with the directory transport over it. */
export interface ClearinghouseFolder {
  dir: string;
  transport: BatchTransport;
  /** The 837P files in outbound/, read. */
  sent(): Promise<SentClaim[]>;
  /** Drops a file into inbound/ as a clearinghouse does (temporary name, then rename). */
  answer(name: string, text: string): Promise<void>;
  inbound(): Promise<string[]>;
  archived(): Promise<string[]>;
  close(): Promise<void>;
}

export async function clearinghouseFolder(): Promise<ClearinghouseFolder> {
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-ch-'));
  const transport = createDirectoryBatchTransport(dir);
  const list = async (folder: string) =>
    (await readdir(join(dir, folder)).catch(() => [])).filter((n) => !n.startsWith('.')).sort();
  return {
    dir,
    transport,
    async sent() {
      const names = await list('outbound');
      return Promise.all(
        names.map(async (file) => {
          const text = await readFile(join(dir, 'outbound', file), 'utf8');
          const clm = /(?:^|~|\n)CLM\*([^*]+)\*([^*]+)\*/.exec(text);
          return {
            file,
            control: Number(text.slice(90, 99)),
            claimNumber: clm?.[1] ?? '',
            charge: Number(clm?.[2] ?? 0),
          };
        }),
      );
    },
    async answer(name, text) {
      await writeFile(join(dir, 'inbound', `.${name}.tmp`), text);
      await rename(join(dir, 'inbound', `.${name}.tmp`), join(dir, 'inbound', name));
    },
    inbound: () => list('inbound'),
    archived: () => list('archive'),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A 999 for ChartBill's interchange: accepted, or the whole batch rejected. */
export function ack999(sent: SentClaim, accepted: boolean): string {
  return theirFile('999', 'FA', '005010X231A1', [
    [
      ['AK1', 'HC', String(sent.control), '005010X222A1'],
      ['AK2', '837', '0001', '005010X222A1'],
      ...(accepted
        ? [['IK5', 'A']]
        : [
            ['IK3', 'NM1', '9', '2010AA', '8'],
            ['IK4', '9', '67', '7', '12345'],
            ['IK5', 'R', '5'],
          ]),
      accepted ? ['AK9', 'A', '1', '1', '1'] : ['AK9', 'R', '1', '1', '0', '5'],
    ],
  ]);
}

/** A 277CA (or a 277 answering a 276) for one claim with one STC composite, e.g. `A1:19:PR`. */
export function status277(
  sent: Pick<SentClaim, 'claimNumber' | 'charge'>,
  stc: string,
  version = '005010X214',
) {
  const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  return theirFile('277', 'HN', version, [
    [
      ['BHT', '0085', '08', 'T1', today, '0830', 'TH'],
      ['HL', '1', '', '20', '1'],
      [
        'NM1',
        stc.endsWith(':PR') ? 'PR' : 'AY',
        '2',
        'SANDBOX CLEARINGHOUSE',
        '',
        '',
        '',
        '',
        '46',
        'CLEARHOUSE',
      ],
      ['HL', '2', '1', '21', '1'],
      ['NM1', '41', '2', 'RIVERSIDE', '', '', '', '', '46', 'CHARTBILL01'],
      ['HL', '3', '2', '19', '1'],
      ['NM1', '85', '2', 'SANDBOX FAMILY PRACTICE', '', '', '', '', 'XX', '1234567893'],
      ['HL', '4', '3', 'PT'],
      ['NM1', 'QC', '1', 'DOE', 'JANE', '', '', '', 'MI', 'SBX7000001'],
      ['TRN', '2', sent.claimNumber],
      ['STC', stc, today, 'WQ', sent.charge.toFixed(2)],
      ['REF', '1K', `PCN-${sent.claimNumber}`],
    ],
  ]);
}

/**
 * An 835 paying `paid` of each claim (CO-45 for the rest) and, when given, one claim nobody sent.
 * With `deniedFor` (a CARC), each claim is denied instead: CLP02 4, nothing paid, CO-<carc>.
 */
export function era835(
  claims: readonly SentClaim[],
  paid: number,
  trace: string,
  stranger?: string,
  deniedFor?: string,
) {
  const total = claims.length * paid + (stranger ? 30 : 0);
  const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  const body: OutSegment[] = [
    [
      'BPR',
      'I',
      total.toFixed(2),
      'C',
      'ACH',
      'CCP',
      '01',
      '999999999',
      'DA',
      '123456',
      '1512345678',
      '',
      '01',
      '999988880',
      'DA',
      '98765',
      today,
    ],
    ['TRN', '1', trace, '1512345678'],
    ['N1', 'PR', 'SANDBOX HEALTH PLAN', 'XV', 'X12HP'],
    ['N1', 'PE', 'SANDBOX FAMILY PRACTICE', 'XX', '1234567893'],
    ['LX', '1'],
  ];
  for (const c of claims)
    body.push(
      [
        'CLP',
        c.claimNumber,
        deniedFor ? '4' : '1',
        c.charge.toFixed(2),
        paid.toFixed(2),
        '',
        '12',
        `PCN-${c.claimNumber}`,
      ],
      ['CAS', 'CO', deniedFor ?? '45', (c.charge - paid).toFixed(2)],
    );
  if (stranger)
    body.push(['CLP', stranger, '1', '40', '30', '10', '12', 'PCN-X'], ['CAS', 'PR', '1', '10']);
  return theirFile('835', 'HP', '005010X221A1', [body]);
}

/** A tiny real HTTP server answering 270s with a 271 and 276s with a 277 (the real-time side). */
export interface RealTimeResponder {
  transport: RealTimeTransport;
  /** Every request it got, by payload type. */
  requests: { type: CorePayloadType; x12: string }[];
  /** The STC composite the next 277 answers with. */
  statusAnswer: string;
  close(): Promise<void>;
}

export async function realTimeResponder(): Promise<RealTimeResponder> {
  const responder: Omit<RealTimeResponder, 'transport' | 'close'> = {
    requests: [],
    statusAnswer: 'P1:20:PR',
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const x12 = Buffer.concat(chunks).toString('utf8');
      const type = req.headers['x-payload-type'] as CorePayloadType;
      responder.requests.push({ type, x12 });
      res.setHeader('content-type', 'text/plain');
      res.end(
        type === 'X12_270_Request_005010X279A1'
          ? answer271(x12)
          : answer277(x12, responder.statusAnswer),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/core`;
  return {
    ...responder,
    get requests() {
      return responder.requests;
    },
    get statusAnswer() {
      return responder.statusAnswer;
    },
    set statusAnswer(value: string) {
      responder.statusAnswer = value;
    },
    transport: {
      describe: url,
      async exchange(type, x12) {
        const reply = await fetch(url, {
          method: 'POST',
          headers: { 'x-payload-type': type },
          body: x12,
        });
        return reply.text();
      },
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function answer271(request: string): string {
  const trace = /TRN\*1\*([^*~]+)/.exec(request)?.[1] ?? 'T';
  const member = /NM1\*IL\*1\*[^~]*\*MI\*([^*~]+)/.exec(request)?.[1] ?? 'M';
  const year = new Date().getUTCFullYear();
  return theirFile('271', 'HB', '005010X279A1', [
    [
      ['BHT', '0022', '11', trace, '20260304', '0830'],
      ['HL', '1', '', '20', '1'],
      ['NM1', 'PR', '2', 'SANDBOX HEALTH PLAN', '', '', '', '', 'PI', 'X12HP'],
      ['HL', '2', '1', '21', '1'],
      ['NM1', '1P', '2', 'SANDBOX FAMILY PRACTICE', '', '', '', '', 'XX', '1234567893'],
      ['HL', '3', '2', '22', '0'],
      ['TRN', '2', trace, '9CHARTBILL'],
      ['NM1', 'IL', '1', 'DOE', 'JANE', '', '', '', 'MI', member],
      ['DTP', '346', 'D8', `${String(year - 1)}0101`],
      ['EB', '1', 'IND', '30', 'PR', 'GOLD PPO'],
    ],
  ]);
}

function answer277(request: string, stc: string): string {
  const claimNumber = /REF\*EJ\*([^*~]+)/.exec(request)?.[1] ?? '';
  const charge = Number(/AMT\*T3\*([^*~]+)/.exec(request)?.[1] ?? 0);
  return status277({ claimNumber, charge }, stc, '005010X212');
}
