import { parseServerCapabilities } from '../../src/fhir/server-capabilities.ts';
import { capabilityStatement } from '../../sandbox/capability-statement.ts';
import { SANDBOX_EHR_PROFILES, sandboxEhrProfile } from '../../sandbox/ehr-profiles.ts';

/** What a sandbox profile's EHR declares, parsed as ChartBill reads any EHR's `/metadata`. */
export const capsOf = (name: (typeof SANDBOX_EHR_PROFILES)[number]) =>
  parseServerCapabilities(
    capabilityStatement(
      {
        fhirBase: 'http://ehr.test/fhir',
        authorizeUrl: 'http://ehr.test/a',
        tokenUrl: 'http://ehr.test/t',
      },
      new Date(),
      sandboxEhrProfile(name),
    ),
  );
