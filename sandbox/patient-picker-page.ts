import type { Patient } from 'fhir/r4';
import { html, page } from './html.ts';

/** "Family, Given" for display, or the id when the record has no name. */
export function patientName(patient: Patient): string {
  const name = patient.name?.[0];
  const given = name?.given?.join(' ') ?? '';
  return name?.family
    ? `${name.family}${given ? `, ${given}` : ''}`
    : (patient.id ?? 'Unknown patient');
}

/**
 * The standalone-launch patient picker (SMART App Launch 2.2 §2.0.5: the authorization server
 * establishes the patient context when the app asks for `launch/patient` without an EHR launch).
 */
export function patientPickerPage(
  clientName: string,
  pendingId: string,
  patients: readonly Patient[],
): string {
  const options = patients.map(
    (p, i) =>
      html`<li><label><input type="radio" name="patient" value="${p.id ?? ''}" ${i === 0 ? html`checked` : ''}> ${patientName(p)} (born ${p.birthDate ?? 'unknown'})</label></li>`,
  );
  const body = html`<main>
<h1>Choose a patient for ${clientName}</h1>
<form method="post" action="/oauth/authorize/pick">
<input type="hidden" name="pending" value="${pendingId}">
<fieldset><legend>Patient</legend><ul class="plain">${options}</ul></fieldset>
<button type="submit">Open ${clientName} for this patient</button>
</form>
</main>`;
  return page(`Choose a patient – ${clientName}`, body);
}
