import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { claimsTo837 } from '../../src/x12/claim-to-837.ts';
import { openX12 } from '../../src/x12/envelope-check.ts';
import { read835 } from '../../src/x12/read-835.ts';
import { chartbillClaimInput, testX12Config } from '../x12/x12-fixtures.ts';
import { round, type Bench } from './bench-types.ts';

const CLAIMS = 10_000;
const PER_FILE = 1_000;

/** Peak RSS while `work` runs, sampled every 5 ms, in MB above the RSS before it. */
async function withPeakRss<T>(
  work: () => Promise<T>,
): Promise<{ value: T; growthMb: number; peakMb: number }> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, growthMb: (peak - before) / 2 ** 20, peakMb: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** A 10,000-claim 835 as a payer sends it: one BPR, each CLP with a line, CAS and remarks. */
function era(claims: number): string {
  const out = [
    'ISA*00*          *00*          *ZZ*SBXHP          *ZZ*CHARTBILL01    *260304*0830*^*00501*000000777*0*T*:~',
    'GS*HP*SBXHP*CHARTBILL01*20260304*0830*777*X*005010X221A1~',
    'ST*835*0001~',
    `BPR*I*${(claims * 120).toFixed(2)}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20260305~`,
    'TRN*1*EFT20260305*1512345678~',
    'N1*PR*SANDBOX HEALTH PLAN~',
    'N1*PE*SANDBOX FAMILY PRACTICE*XX*1234567893~',
    'LX*1~',
  ];
  for (let i = 0; i < claims; i++)
    out.push(
      `CLP*enc-${i}*1*195*120*25*12*PCN${i}~`,
      'NM1*QC*1*RIVERA*ANA****MI*W123456789~',
      'SVC*HC:99213:25*185*115**1~',
      'DTM*472*20260302~',
      'CAS*CO*45*45~',
      'CAS*PR*3*25~',
      `REF*6R*1~`,
      'AMT*B6*140~',
      'SVC*HC:36415*10*5**1~',
      'DTM*472*20260302~',
      'CAS*CO*45*5~',
      `REF*6R*2~`,
      'LQ*HE*N130~',
    );
  const count = out.length - 2 + 1;
  out.push(`SE*${count}*0001~`, 'GE*1*777~', 'IEA*1*000000777~');
  return out.join('\n');
}

/** `x12_837_claims_per_second` and `x12_835_claims_per_second`, each with its memory. */
export const x12Bench: Bench = {
  name: 'x12',
  async run(report) {
    const dir = await mkdtemp(join(tmpdir(), 'x12-bench-'));
    try {
      const path = join(dir, 'era.835');
      await writeFile(path, era(CLAIMS));
      const m835 = await withPeakRss(async () => {
        const t = performance.now();
        let claims = 0;
        for await (const event of read835(createReadStream(path)))
          if (event.kind === 'claim') claims += 1;
        if (claims !== CLAIMS) throw new Error(`read ${claims} claims`);
        return performance.now() - t;
      });
      report('x12_835_claims_per_second', round(CLAIMS / (m835.value / 1000), 0), 'claims/s');
      report('x12_835_10k_seconds', round(m835.value / 1000, 2), 's');
      report('x12_835_rss_growth', round(m835.growthMb, 1), 'MB');
      report('x12_835_peak_rss', round(m835.peakMb, 0), 'MB');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const config = testX12Config();
    const base = chartbillClaimInput();
    const now = new Date('2026-03-04T08:30:00Z');
    const m837 = await withPeakRss(async () => {
      const t = performance.now();
      for (let file = 0; file < CLAIMS / PER_FILE; file++) {
        const inputs = Array.from({ length: PER_FILE }, (_, i) => ({
          ...base,
          claim: {
            ...base.claim,
            identifier: [{ system: SYSTEM.claimId, value: `enc-${file}-${i}` }],
          },
        }));
        const text = claimsTo837(inputs, config, file + 1, now);
        // Validate as a clearinghouse's front door does: segments, envelopes, counts, control
        // numbers (the tests also cross-check with node-x12's strict parser, ~3x slower).
        let segments = 0;
        for await (const segment of openX12(text).segments) segments += segment.index > 0 ? 1 : 0;
        if (segments < PER_FILE * 30) throw new Error('837P too short');
      }
      return performance.now() - t;
    });
    report('x12_837_claims_per_second', round(CLAIMS / (m837.value / 1000), 0), 'claims/s');
    report('x12_837_peak_rss', round(m837.peakMb, 0), 'MB');
  },
};
