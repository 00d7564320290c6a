import { z } from 'zod';

/**
 * `CHARTBILL_AUDIT_STORE`: where AuditEvents are kept. `ehr` (default): the clinical FHIR
 * server; `billing`: the worker's billing store (the app, which holds only the user's EHR
 * token, sends to the EHR); `log`: the process log only. Whichever is chosen, events a server
 * refuses go to the log.
 */
export const auditStoreSetting = z.enum(['ehr', 'billing', 'log']).default('ehr');

export type AuditStore = z.infer<typeof auditStoreSetting>;
