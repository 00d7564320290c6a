import { z } from 'zod';

/** A FHIR interaction ChartBill may need on a resource type (FHIR R4 valueset-type-restful-interaction). */
export type TypeInteraction = 'read' | 'search-type' | 'create' | 'update';

/** What one resource type of the server supports, as its CapabilityStatement declares it. */
export interface TypeSupport {
  interactions: ReadonlySet<string>;
  searchInclude: readonly string[];
  searchRevInclude: readonly string[];
  conditionalCreate: boolean;
  conditionalUpdate: boolean;
}

/**
 * What a FHIR server declares it supports (FHIR R4 capabilitystatement.html, `rest` in server
 * mode). Anything not declared is taken as unsupported: FHIR lets a server silently ignore an
 * `_include` or `_revinclude` it does not support, so an empty answer to one means nothing
 * unless it was declared.
 */
export interface ServerCapabilities {
  fhirVersion: string;
  /** System-level `batch` / `transaction` declared. */
  batch: boolean;
  transaction: boolean;
  types: ReadonlyMap<string, TypeSupport>;
  /** True when the statement could not be read: every optional feature then counts as absent. */
  unknown: boolean;
}

const statementSchema = z.object({
  resourceType: z.literal('CapabilityStatement'),
  fhirVersion: z.string().default('unknown'),
  rest: z
    .array(
      z.object({
        mode: z.string(),
        interaction: z.array(z.object({ code: z.string() })).default([]),
        resource: z
          .array(
            z.object({
              type: z.string(),
              interaction: z.array(z.object({ code: z.string() })).default([]),
              searchInclude: z.array(z.string()).default([]),
              searchRevInclude: z.array(z.string()).default([]),
              conditionalCreate: z.boolean().default(false),
              conditionalUpdate: z.boolean().default(false),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
});

/** The server's capabilities from its CapabilityStatement JSON; throws naming what is wrong. */
export function parseServerCapabilities(json: unknown): ServerCapabilities {
  const parsed = statementSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `the server's /metadata is not a FHIR CapabilityStatement: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
  const rest = parsed.data.rest.find((r) => r.mode === 'server');
  const system = new Set((rest?.interaction ?? []).map((i) => i.code));
  const types = new Map<string, TypeSupport>();
  for (const r of rest?.resource ?? [])
    types.set(r.type, {
      interactions: new Set(r.interaction.map((i) => i.code)),
      searchInclude: r.searchInclude,
      searchRevInclude: r.searchRevInclude,
      conditionalCreate: r.conditionalCreate,
      conditionalUpdate: r.conditionalUpdate,
    });
  return {
    fhirVersion: parsed.data.fhirVersion,
    batch: system.has('batch'),
    transaction: system.has('transaction'),
    types,
    unknown: false,
  };
}

/** Capabilities of a server whose statement could not be read: nothing optional is assumed. */
export const UNKNOWN_CAPABILITIES: ServerCapabilities = {
  fhirVersion: 'unknown',
  batch: false,
  transaction: false,
  types: new Map(),
  unknown: true,
};

/** Whether the server declares the interaction on the type. */
export function supports(
  caps: ServerCapabilities,
  type: string,
  interaction: TypeInteraction,
): boolean {
  return caps.types.get(type)?.interactions.has(interaction) ?? false;
}

/** Whether a search on `type` declares `_include=<spec>` (a `*` wildcard counts). */
export function declaresInclude(caps: ServerCapabilities, type: string, spec: string): boolean {
  const declared = caps.types.get(type)?.searchInclude ?? [];
  return declared.includes(spec) || declared.includes('*');
}

/** Whether a search on `type` declares `_revinclude=<spec>` (a `*` wildcard counts). */
export function declaresRevInclude(caps: ServerCapabilities, type: string, spec: string): boolean {
  const declared = caps.types.get(type)?.searchRevInclude ?? [];
  return declared.includes(spec) || declared.includes('*');
}

/** Whether a create of `type` with `If-None-Exist` is declared (`conditionalCreate`). */
export function declaresConditionalCreate(caps: ServerCapabilities, type: string): boolean {
  return supports(caps, type, 'create') && (caps.types.get(type)?.conditionalCreate ?? false);
}

export interface CapabilitiesSource {
  /** The server's capabilities, read once and kept for `ttlMs`; a failed read is retried next time. */
  get(): Promise<ServerCapabilities>;
}

/**
 * Reads `[base]/metadata` (FHIR R4 http.html §3.1.0.13) and caches it. The statement is public
 * on most servers; `getToken`, when given, is sent too for servers that want one. A statement
 * that cannot be read gives `UNKNOWN_CAPABILITIES` (nothing optional used) and `onError` hears why.
 */
export function createCapabilitiesSource(options: {
  baseUrl: string;
  fetch?: typeof fetch;
  getToken?: () => Promise<string>;
  ttlMs?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}): CapabilitiesSource {
  const ttlMs = options.ttlMs ?? 60 * 60 * 1000;
  const now = options.now ?? Date.now;
  let cached: { at: number; value: Promise<ServerCapabilities> } | undefined;
  async function load(): Promise<ServerCapabilities> {
    try {
      return await readServerCapabilities(options.baseUrl, options);
    } catch (err) {
      options.onError?.(err);
      cached = undefined;
      return UNKNOWN_CAPABILITIES;
    }
  }
  return {
    get() {
      if (!cached || now() - cached.at > ttlMs) cached = { at: now(), value: load() };
      return cached.value;
    },
  };
}

/** One read of the server's CapabilityStatement; throws with the status or the parse problem. */
export async function readServerCapabilities(
  baseUrl: string,
  options: { fetch?: typeof fetch; getToken?: () => Promise<string> } = {},
): Promise<ServerCapabilities> {
  const doFetch = options.fetch ?? fetch;
  const headers: Record<string, string> = { accept: 'application/fhir+json' };
  if (options.getToken) headers.authorization = `Bearer ${await options.getToken()}`;
  const res = await doFetch(`${baseUrl.replace(/\/+$/, '')}/metadata`, {
    headers,
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`GET ${baseUrl}/metadata answered HTTP ${res.status}`);
  return parseServerCapabilities(await res.json());
}
