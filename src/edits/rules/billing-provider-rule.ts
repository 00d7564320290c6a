/**
 * The billing provider must carry a valid NPI (837P loop 2010AA NM109; HIPAA requires the NPI on
 * every standard transaction, 45 CFR 162.410). Checked where the billing provider is known (the
 * worker); the app does not read it while coding.
 */
import type { EditRule } from '../edit-rule.ts';
import { isValidNpi } from '../npi-check.ts';

export const billingProviderNpi: EditRule = ({ facts }) => {
  const provider = facts.billingProvider;
  if (!provider) return [];
  const npi = provider.npi?.trim();
  if (npi && isValidNpi(npi)) return [];
  return [
    {
      rule: 'billing-provider-npi',
      severity: 'error',
      message: npi
        ? `The billing provider's NPI ${npi.slice(0, 20)} is not valid: an NPI is 10 digits ending in its check digit.`
        : 'The billing provider has no NPI.',
      fix: "Record the organization's NPI (from NPPES) on its Organization record in the EHR (identifier system http://hl7.org/fhir/sid/us-npi).",
    },
  ];
};
