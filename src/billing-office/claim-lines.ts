import type { Claim, ClaimResponse, ClaimResponseItemAdjudication } from 'fhir/r4';
import { RARC_TEXT } from '../claims/carc-codes.ts';
import { roundCents } from '../claims/fee-schedule.ts';
import { SYSTEM } from '../fhir/systems.ts';
import { GROUP_TEXT, reasonText } from '../x12/remit-codes.ts';
import type { ClaimDetailLine, LineAdjustment } from './claim-detail-types.ts';

/** Adjudication categories whose reason is the patient's share (X12 group PR). */
const PATIENT_SHARE = new Set(['copay', 'coinsurance', 'deductible']);

function amountOf(
  adjudication: readonly ClaimResponseItemAdjudication[],
  category: string,
): number {
  let sum = 0;
  for (const a of adjudication)
    if (a.category.coding?.some((c) => c.code === category)) sum += a.amount?.value ?? 0;
  return roundCents(sum);
}

/** The adjustments of one line, in words: each CARC with its group, each RARC. */
export function lineAdjustments(
  adjudication: readonly ClaimResponseItemAdjudication[],
): LineAdjustment[] {
  const out: LineAdjustment[] = [];
  const billed = amountOf(adjudication, 'submitted');
  for (const a of adjudication) {
    const reason = a.reason;
    if (!reason) continue;
    const category = a.category.coding?.[0]?.code ?? '';
    // The payer writes `CO-45: …`; a patient-share category is PR whatever the text says.
    const group =
      /^(CO|PR|OA|PI|CR)-/.exec(reason.text ?? '')?.[1] ??
      (PATIENT_SHARE.has(category) ? 'PR' : undefined);
    // On `eligible` the adjusted amount is what was not allowed; on a share, the share itself.
    const amount =
      category === 'eligible' ? roundCents(billed - (a.amount?.value ?? 0)) : a.amount?.value;
    for (const c of reason.coding ?? []) {
      if (c.system === SYSTEM.carc && c.code)
        out.push({
          ...(group ? { group, groupText: GROUP_TEXT[group] ?? group } : {}),
          system: 'CARC',
          code: c.code,
          text: reasonText(c.code),
          ...(amount !== undefined ? { amount: roundCents(amount) } : {}),
        });
      else if (c.system === SYSTEM.rarc && c.code)
        out.push({
          system: 'RARC',
          code: c.code,
          text: RARC_TEXT[c.code] ?? c.display ?? `Remark code ${c.code}.`,
        });
    }
  }
  return out;
}

/**
 * The claim's lines with the payer's amounts (billed, allowed, paid, patient) and reasons; a
 * line the payer has not answered yet shows its billed amount only.
 */
export function claimLines(claim: Claim, response: ClaimResponse | undefined): ClaimDetailLine[] {
  const diagnosisBySequence = new Map(
    (claim.diagnosis ?? []).map((d) => [
      d.sequence,
      d.diagnosisCodeableConcept?.coding?.[0]?.code ?? '',
    ]),
  );
  return [...(claim.item ?? [])]
    .sort((a, b) => a.sequence - b.sequence)
    .map((item) => {
      const coding = item.productOrService.coding?.[0];
      const answered = response?.item?.find((i) => i.itemSequence === item.sequence);
      const adjudication = answered?.adjudication ?? [];
      const billed = answered
        ? amountOf(adjudication, 'submitted')
        : roundCents(item.net?.value ?? (item.unitPrice?.value ?? 0) * (item.quantity?.value ?? 1));
      const adjustments = lineAdjustments(adjudication);
      const allowed = amountOf(adjudication, 'eligible');
      return {
        sequence: item.sequence,
        code: coding?.code ?? '',
        system: coding?.system === SYSTEM.hcpcs ? ('hcpcs' as const) : ('cpt' as const),
        modifiers: (item.modifier ?? []).map((m) => m.coding?.[0]?.code ?? '').filter(Boolean),
        units: item.quantity?.value ?? 1,
        diagnoses: (item.diagnosisSequence ?? []).map((s) => diagnosisBySequence.get(s) ?? ''),
        billed,
        allowed,
        paid: amountOf(adjudication, 'benefit'),
        patient: roundCents(
          amountOf(adjudication, 'copay') +
            amountOf(adjudication, 'coinsurance') +
            amountOf(adjudication, 'deductible'),
        ),
        denied:
          answered !== undefined &&
          allowed === 0 &&
          adjustments.some((a) => a.system === 'CARC' && a.group !== 'PR'),
        adjustments,
      };
    });
}
