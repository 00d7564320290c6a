import type { Bundle, FhirResource, Resource } from 'fhir/r4';

/** Options of a conditional create: `If-None-Exist` makes reruns and parallel writers safe. */
export interface CreateOptions {
  /** A search query (no leading `?`), e.g. `identifier=https://…|enc-123`. */
  ifNoneExist?: string;
}

export interface UpdateOptions {
  /** The version the caller read; the server refuses the write (409/412) if it has moved on. */
  ifMatchVersion?: string;
}

export interface CreateResult<T extends Resource> {
  resource: T;
  /** False when `If-None-Exist` matched an existing resource and nothing was written. */
  created: boolean;
}

export type SearchParams = Record<string, string | number | string[]>;

/**
 * The one way ChartBill talks to a FHIR server. The HTTP implementation is `createFhirGateway`;
 * tests run it against the real sandbox server.
 */
export interface FhirGateway {
  readonly baseUrl: string;
  read<T extends Resource>(resourceType: T['resourceType'], id: string): Promise<T>;
  /** One search, following `next` links; yields each page's Bundle. */
  searchPages(resourceType: string, params: SearchParams): AsyncGenerator<Bundle, void, undefined>;
  /** All entries of a search (matches and includes) across pages, up to `maxResources`. */
  searchAll(
    resourceType: string,
    params: SearchParams,
    maxResources?: number,
  ): Promise<FhirResource[]>;
  create<T extends Resource>(resource: T, options?: CreateOptions): Promise<CreateResult<T>>;
  update<T extends Resource>(resource: T, options?: UpdateOptions): Promise<T>;
  /** A `batch` Bundle; each entry answers on its own. */
  batch(bundle: Bundle): Promise<Bundle>;
  /** POST to an operation such as `Claim/$submit`; returns the resource the server answers with. */
  operation(path: string, body: Resource): Promise<FhirResource>;
}
