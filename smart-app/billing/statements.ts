import type { Patient, Task } from 'fhir/r4';
import { taskAmount } from '../../src/billing-office/action-tasks.ts';
import type { StatementRow } from '../../src/billing-office/claim-actions-api.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { textPdf } from './text-pdf.ts';

/**
 * The patient statement list: every `patient-statement` Task still requested (bill-patient puts
 * them there), oldest first, with the patient's name. Statements are printed and mailed from
 * here; ChartBill processes no payments.
 */
export async function loadStatements(fhir: FhirGateway, max = 2000): Promise<StatementRow[]> {
  const found = await fhir.searchAll(
    'Task',
    {
      code: `${SYSTEM.taskCode}|patient-statement`,
      status: 'requested',
      _count: 200,
      _include: 'Task:patient',
    },
    max,
  );
  const tasks = found.filter((r): r is Task => r.resourceType === 'Task');
  const patients = new Map(
    found
      .filter((r): r is Patient => r.resourceType === 'Patient')
      .map((p): [string, Patient] => [`Patient/${p.id ?? ''}`, p]),
  );
  const missing = [...new Set(tasks.map((t) => t.for?.reference ?? ''))].filter(
    (ref) => ref.startsWith('Patient/') && !patients.has(ref),
  );
  // A server that ignores `_include` (FHIR lets it): the names are read one by one.
  for (const ref of missing) {
    const p = await fhir
      .read<Patient>('Patient', ref.slice('Patient/'.length))
      .catch(() => undefined);
    if (p) patients.set(ref, p);
  }
  return tasks
    .map((t) => {
      const ref = t.for?.reference ?? '';
      const name = patients.get(ref)?.name?.[0];
      return {
        taskId: t.id ?? '',
        patient: ref,
        patientName: name?.text ?? [name?.given?.join(' '), name?.family].filter(Boolean).join(' '),
        claimId: (t.focus?.reference ?? '').replace(/^Claim\//, ''),
        serviceDate: /visit of (\d{4}-\d{2}-\d{2})/.exec(t.description ?? '')?.[1] ?? '',
        amount: taskAmount(t) ?? 0,
        addedOn: (t.authoredOn ?? '').slice(0, 10),
      };
    })
    .sort((a, b) => a.addedOn.localeCompare(b.addedOn) || a.taskId.localeCompare(b.taskId));
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break; a leading = + - @ defused. */
function csvField(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function statementsCsv(rows: readonly StatementRow[]): string {
  const header = ['patient', 'patient_name', 'claim', 'service_date', 'amount_usd', 'added_on'];
  const lines = rows.map((r) =>
    [r.patient, r.patientName, r.claimId, r.serviceDate, r.amount.toFixed(2), r.addedOn]
      .map(csvField)
      .join(','),
  );
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}

export function statementsPdf(rows: readonly StatementRow[], today: string): Promise<Uint8Array> {
  const total = rows.reduce((s, r) => s + r.amount, 0);
  return textPdf(`Patient statements, ${today}`, [
    {
      kind: 'paragraph',
      text: `${String(rows.length)} statements, $${total.toFixed(2)} in all. No payment is taken here.`,
    },
    ...rows.map((r) => ({
      kind: 'item' as const,
      text: `${r.patientName} (${r.patient}): $${r.amount.toFixed(2)} for the visit of ${r.serviceDate || 'unknown date'}, claim ${r.claimId}`,
    })),
  ]);
}
