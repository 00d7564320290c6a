import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { generateClientKeys } from '../src/auth/keys.ts';

const HELP = `Usage: chartbill keys [--alg ES384|RS384] [--out FILE]

Makes a key pair for the worker's SMART Backend Services authentication (private_key_jwt).
Writes the private key (JWK) to FILE (default chartbill-private-key.json, mode 0600) and prints
the public JWKS: paste it into the EHR's app registration, or serve it at a JWKS URL.
Point CHARTBILL_PRIVATE_KEY_FILE at FILE.`;

/** `chartbill keys`. */
export async function keysCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      alg: { type: 'string', default: 'ES384' },
      out: { type: 'string', default: 'chartbill-private-key.json' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.alg !== 'ES384' && values.alg !== 'RS384') {
    console.error(`--alg must be ES384 or RS384 (SMART Backend Services), not '${values.alg}'.`);
    return 2;
  }
  const { privateJwk, publicJwks } = await generateClientKeys(values.alg);
  await writeFile(values.out, `${JSON.stringify(privateJwk, null, 2)}\n`, {
    mode: 0o600,
    flag: 'wx',
  }).catch((err: unknown) => {
    if ((err as { code?: string }).code === 'EEXIST')
      throw new Error(
        `${values.out} already exists; refusing to overwrite a private key. Choose another --out.`,
      );
    throw err;
  });
  console.error(`Private key written to ${values.out} (keep it secret). Public JWKS:`);
  console.log(JSON.stringify(publicJwks, null, 2));
  return 0;
}
