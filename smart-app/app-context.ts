import type { BillingReadModel } from '../src/billing-office/read-model-sync.ts';
import type { CodeSet } from '../src/codes/code-set.ts';
import type { EditReference } from '../src/edits/edit-reference.ts';
import type { FhirGateway } from '../src/fhir/fhir-gateway.ts';
import type { AppConfig, RegisteredEhr } from './app-config.ts';
import type { SessionStoresFor } from './coding/coding-store.ts';
import type { Session, SessionStore } from './session/session-store.ts';
import type { ClientAuthenticator } from './smart/client-auth.ts';
import type { DiscoveryCache } from './smart/discovery-cache.ts';
import type { IdTokenVerifier } from './smart/id-token-verifier.ts';
import type { PendingLaunches } from './smart/pending-launches.ts';

export interface EhrClient {
  ehr: RegisteredEhr;
  auth: ClientAuthenticator;
}

/** What the app's routes share: built once by `buildApp` and handed to each route module. */
export interface AppContext {
  config: Readonly<AppConfig>;
  /** Registered EHRs by normalised `iss`. */
  ehrs: Map<string, EhrClient>;
  pending: PendingLaunches;
  sessions: SessionStore;
  /** SMART discovery per EHR, cached (CHARTBILL_DISCOVERY_CACHE_SECONDS). */
  discovery: DiscoveryCache;
  /** Verifies id_tokens against each EHR's JWKS. */
  idTokens: IdTokenVerifier;
  codes: CodeSet;
  /** NCCI tables and other reference data for the edits the panel shows as the clinician types. */
  editReference: EditReference;
  fetch: typeof fetch;
  now: () => Date;
  /**
   * Where an EHR's sessions keep the coding, the claims and the app's AuditEvents (coding-store.ts
   * `sessionStoresResolver`: `CHARTBILL_CODING_STORE`, `CHARTBILL_AUDIT_STORE`, the billing FHIR server).
   */
  stores: SessionStoresFor;
  /**
   * The billing office's read model (issue 17): the queue and analytics read its store; after an
   * action, `refreshClaim(claimId, fhir)` re-reads that claim with the user's gateway.
   */
  billingReadModel: BillingReadModel;
  /** The session's FHIR gateway with Provenance and audit (smart-app/app-audit.ts). */
  audited: (gateway: FhirGateway, session: Session, auditStore?: FhirGateway) => FhirGateway;
}
