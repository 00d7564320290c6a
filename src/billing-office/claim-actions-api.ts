import { z } from 'zod';
import { WRITE_OFF_REASONS, type WriteOffReason } from './action-tasks.ts';

/**
 * The claim detail's actions (issue 17, item 4), beside billing-api.ts. Each is
 * `POST /api/billing/claims/:claimId/<action>` with an `Idempotency-Key` header (8–128 of
 * `A-Za-z0-9_-`); the same key again changes nothing and answers the same (`repeated: true`).
 *
 * - `correct`    `CorrectRequest` → `CorrectAnswer` (the chart's coding, edited in place; the
 *   worker then sends the replacement claim, frequency 7 with the payer claim number)
 * - `void`       no body → `ClaimActionAnswer` (the worker sends the frequency-8 claim)
 * - `appeal`     no body → `ClaimActionAnswer` with `deadline`; the letter is
 *   `GET …/appeal-letter` (JSON `AppealLetter`), `…/appeal-letter.html`, `…/appeal-letter.pdf`
 * - `write-off`  `WriteOffRequest` → `ClaimActionAnswer`
 * - `bill-patient` no body → `ClaimActionAnswer`; the statement list is
 *   `GET /api/billing/statements` (JSON `StatementRow[]`), `…/statements.csv`, `…/statements.pdf`
 */
export type ClaimActionName = 'correct' | 'void' | 'appeal' | 'write-off' | 'bill-patient';

export interface ClaimActionAnswer {
  action: string;
  claimId: string;
  /** The Task that records the action. */
  taskId: string;
  status: string;
  /** True when this key was seen before: nothing was done this time. */
  repeated: boolean;
  amount?: number;
  /** YYYY-MM-DD (appeal). */
  deadline?: string;
}

export const writeOffRequest = z.object({
  amount: z.number().positive().max(1_000_000).multipleOf(0.01),
  reason: z.enum(Object.keys(WRITE_OFF_REASONS) as [WriteOffReason, ...WriteOffReason[]]),
});
export type WriteOffRequest = z.infer<typeof writeOffRequest>;

const code = z
  .string()
  .trim()
  .min(1)
  .max(10)
  .regex(/^[A-Za-z0-9.]+$/, 'is not a code');
const fhirId = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'is not a FHIR id');

/** The coding as the correction editor sends it (the panel's shape, without E/M documentation). */
export const correctRequest = z.object({
  coding: z.object({
    diagnoses: z
      .array(
        z.object({
          code,
          conditionId: fhirId.optional(),
          versionId: z.string().max(64).optional(),
        }),
      )
      .max(12),
    lines: z
      .array(
        z.object({
          code,
          system: z.enum(['cpt', 'hcpcs']),
          units: z.number().int().min(1).max(9999),
          modifiers: z
            .array(
              z
                .string()
                .trim()
                .toUpperCase()
                .regex(/^[A-Z0-9]{2}$/, 'is not a modifier'),
            )
            .max(4),
          pointers: z.array(z.number().int().min(1).max(12)).max(4),
          chargeItemId: fhirId.optional(),
          versionId: z.string().max(64).optional(),
        }),
      )
      .min(1)
      .max(50),
  }),
  /** The versions the editor's copy was based on (resource id → versionId). */
  seen: z.object({
    conditions: z.record(z.string(), z.string()),
    chargeItems: z.record(z.string(), z.string()),
  }),
});
export type CorrectRequest = z.infer<typeof correctRequest>;

export interface CorrectAnswer {
  action: 'correct';
  claimId: string;
  repeated: boolean;
  /** True when the coding changed: the worker sends a replacement claim on its next pass. */
  replacementQueued: boolean;
}

/** `POST /api/billing/claims/:claimId/edits` `{ coding }` → `{ findings }`: the live edit engine. */
export const editsRequest = correctRequest.pick({ coding: true });

/** One row of the patient statement list. */
export interface StatementRow {
  taskId: string;
  patient: string;
  patientName: string;
  claimId: string;
  serviceDate: string;
  amount: number;
  addedOn: string;
}
