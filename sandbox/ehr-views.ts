import type { Encounter, Patient, Practitioner } from 'fhir/r4';
import { html, page, type SafeHtml } from './html.ts';
import { patientName } from './patient-picker-page.ts';

function practitionerName(p: Practitioner | undefined): string {
  const name = p?.name?.[0];
  if (!name) return 'Unassigned';
  return [...(name.prefix ?? []), ...(name.given ?? []), name.family ?? ''].join(' ').trim();
}

function encounterDate(e: Encounter): string {
  return e.period?.start?.slice(0, 10) ?? 'undated';
}

function encounterType(e: Encounter): string {
  return (
    e.type?.[0]?.text ??
    e.type?.[0]?.coding?.[0]?.display ??
    e.class.display ??
    e.class.code ??
    'Encounter'
  );
}

/** The EHR's top bar; `billingUrl` adds the "Billing" link that opens ChartBill's billing workspace. */
function header(billingUrl?: string): SafeHtml {
  const billing = billingUrl ? html`<a href="${billingUrl}" data-app="billing">Billing</a>` : '';
  return html`<header class="ehr"><strong>Sandbox EHR</strong><a href="/ehr">Patient list</a>${billing}<span>Signed in as the sandbox clinician</span></header>`;
}

function encounterRow(
  e: Encounter,
  who: string,
  practitioners: Map<string, Practitioner>,
  canLaunch: boolean,
): SafeHtml {
  const id = e.id ?? '';
  const date = encounterDate(e);
  const practitioner = practitioners.get(
    e.participant?.find((p) => p.individual?.reference)?.individual?.reference ?? '',
  );
  const launch = canLaunch
    ? html`<a class="button" href="/ehr/encounter/${encodeURIComponent(id)}" data-encounter-id="${id}" aria-label="Launch ChartBill for ${who}, encounter of ${date}">Launch ChartBill</a>`
    : '';
  const finish =
    e.status === 'finished'
      ? ''
      : html` <form class="inline" method="post" action="/ehr/encounter/${encodeURIComponent(id)}/finish"><button type="submit" class="secondary" data-encounter-id="${id}" aria-label="Finish encounter of ${who} on ${date}">Finish encounter</button></form>`;
  return html`<tr data-encounter-id="${id}"><td>${date}</td><td class="status-${e.status}">${e.status}</td><td>${encounterType(e)}</td><td>${practitionerName(practitioner)}</td><td>${launch}${finish}</td></tr>`;
}

function patientSection(
  p: Patient,
  encounters: Encounter[],
  practitioners: Map<string, Practitioner>,
  canLaunch: boolean,
): SafeHtml {
  const who = patientName(p);
  const rows = encounters.map((e) => encounterRow(e, who, practitioners, canLaunch));
  const table =
    encounters.length === 0
      ? html`<p>No encounters.</p>`
      : html`<table><caption>Encounters of ${who}</caption><thead><tr><th scope="col">Date</th><th scope="col">Status</th><th scope="col">Type</th><th scope="col">Practitioner</th><th scope="col">Actions</th></tr></thead><tbody>${rows}</tbody></table>`;
  return html`<section class="patient" aria-labelledby="patient-${p.id ?? ''}" data-patient-id="${p.id ?? ''}"><h2 id="patient-${p.id ?? ''}">${who}</h2><p>Born ${p.birthDate ?? 'unknown'} · ${p.gender ?? 'unknown'}</p>${table}</section>`;
}

/** The patient list: every patient with their encounters, newest first. */
export function ehrListPage(data: {
  patients: Patient[];
  encounters: Encounter[];
  practitioners: Practitioner[];
  canLaunch: boolean;
  /** ChartBill's billing workspace sign-in (a standalone launch), when an app has one. */
  billingUrl?: string;
}): string {
  const practitioners = new Map(data.practitioners.map((p) => [`Practitioner/${p.id ?? ''}`, p]));
  const byPatient = new Map<string, Encounter[]>();
  for (const e of data.encounters) {
    const ref = e.subject?.reference ?? '';
    byPatient.set(ref, [...(byPatient.get(ref) ?? []), e]);
  }
  const patients = [...data.patients].sort((a, b) => patientName(a).localeCompare(patientName(b)));
  const sections = patients.map((p) => {
    const encounters = (byPatient.get(`Patient/${p.id ?? ''}`) ?? []).sort((a, b) =>
      (b.period?.start ?? '').localeCompare(a.period?.start ?? ''),
    );
    return patientSection(p, encounters, practitioners, data.canLaunch);
  });
  return page(
    'Sandbox EHR – Patients',
    html`${header(data.billingUrl)}<main><h1>Patients</h1>${sections}</main>`,
  );
}

/** The chart of one encounter, with the app embedded as an EHR sidebar would show it. */
export function ehrEncounterPage(data: {
  patient: Patient;
  encounter: Encounter;
  appName: string;
  appUrl: string;
}): string {
  const { patient, encounter } = data;
  const banner = html`<div class="banner" role="region" aria-label="Patient banner"><strong>${patientName(patient)}</strong><span>Born ${patient.birthDate ?? 'unknown'}</span><span>${patient.gender ?? ''}</span><span>MRN ${patient.identifier?.[0]?.value ?? ''}</span></div>`;
  const details = html`<aside><h1>Encounter ${encounterDate(encounter)}</h1><p>Status: <span class="status-${encounter.status}">${encounter.status}</span></p><p>${encounterType(encounter)}</p><p><a href="/ehr">Back to the patient list</a></p></aside>`;
  const frame = html`<iframe class="app" title="ChartBill" src="${data.appUrl}" data-app-name="${data.appName}"></iframe>`;
  return page(
    `${patientName(patient)} – Sandbox EHR`,
    html`${header()}${banner}<main class="layout">${details}<div>${frame}</div></main>`,
  );
}

/** A short message page (errors, refusals). */
export function ehrMessagePage(title: string, message: string): string {
  return page(title, html`${header()}<main><h1>${title}</h1><p role="alert">${message}</p></main>`);
}
