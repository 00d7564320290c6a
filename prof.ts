import { performance } from 'node:perf_hooks';
import { claimsTo837 } from './src/x12/claim-to-837.ts';
import { openX12 } from './src/x12/envelope-check.ts';
import { chartbillClaimInput, testX12Config } from './test/x12/x12-fixtures.ts';
const base = chartbillClaimInput();
const inputs = Array.from({ length: 1000 }, (_, i) => ({ ...base, claim: { ...base.claim, identifier: [{ system: 'https://chartbill.dev/fhir/identifier/claim', value: `enc-${i}` }] } }));
for (let k = 0; k < 3; k++) {
let t = performance.now();
const text = claimsTo837(inputs, testX12Config(), 1, new Date());
console.log('gen 1000', performance.now() - t);
t = performance.now();
let n = 0;
for await (const s of openX12(text).segments) n++;
console.log('our read', performance.now() - t, n);
}
