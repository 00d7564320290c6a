import { z } from 'zod';

/**
 * One EHR the admin registered ChartBill's app with: only these `iss` values may launch the app.
 * Read from `CHARTBILL_EHRS` (a JSON array); see README, "Registering ChartBill with your EHR".
 */
export const registeredEhrSchema = z
  .object({
    /** The EHR's FHIR base URL, exactly as it sends it in `iss`. */
    iss: z.url().transform((s) => s.replace(/\/+$/, '')),
    name: z.string().min(1).optional(),
    clientId: z.string().min(1),
    clientAuth: z.enum(['public', 'client_secret_basic', 'private_key_jwt']).default('public'),
    /** For client_secret_basic: the name of the environment variable holding the secret. */
    clientSecretEnv: z.string().optional(),
    /** For private_key_jwt: a file holding the private JWK (see `chartbill keys`). */
    privateKeyFile: z.string().optional(),
    /** Origins allowed to frame the app (CSP frame-ancestors); defaults to the origin of `iss`. */
    frameAncestors: z.array(z.url()).optional(),
  })
  .superRefine((ehr, ctx) => {
    if (ehr.clientAuth === 'client_secret_basic' && !ehr.clientSecretEnv)
      ctx.addIssue({
        code: 'custom',
        message: `${ehr.iss}: client_secret_basic needs clientSecretEnv`,
      });
    if (ehr.clientAuth === 'private_key_jwt' && !ehr.privateKeyFile)
      ctx.addIssue({ code: 'custom', message: `${ehr.iss}: private_key_jwt needs privateKeyFile` });
  });

export type RegisteredEhr = z.infer<typeof registeredEhrSchema>;

export const registeredEhrsSchema = z
  .array(registeredEhrSchema)
  .min(1, 'must list at least one EHR');
