import type { Patient, Practitioner } from 'fhir/r4';
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

/** A practitioner's name for the sign-in page: the name's text, or given and family. */
function practitionerName(p: Practitioner): string {
  const name = p.name?.[0];
  return (
    name?.text ?? ([name?.given?.join(' '), name?.family].filter(Boolean).join(' ') || (p.id ?? ''))
  );
}

/**
 * The sandbox's sign-in for a standalone launch that asks for no patient (the billing
 * workspace, issue 17): a real EHR asks who is signing in; the sandbox lists its users.
 */
export function userPickerPage(
  clientName: string,
  pendingId: string,
  users: readonly Practitioner[],
): string {
  const options = users.map(
    (p, i) =>
      html`<li><label><input type="radio" name="user" value="${p.id ?? ''}" ${i === 0 ? html`checked` : ''}> ${practitionerName(p)}${p.qualification?.[0]?.code.text ? ` (${p.qualification[0].code.text})` : ''}</label></li>`,
  );
  const body = html`<main>
<h1>Sign in to ${clientName}</h1>
<form method="post" action="/oauth/authorize/user">
<input type="hidden" name="pending" value="${pendingId}">
<fieldset><legend>Sign in as</legend><ul class="plain">${options}</ul></fieldset>
<button type="submit">Sign in</button>
</form>
</main>`;
  return page(`Sign in – ${clientName}`, body);
}
