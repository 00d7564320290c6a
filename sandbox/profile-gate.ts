import { profileAllows, type SandboxEhrProfile } from './ehr-profiles.ts';
import { searchViaPost } from './fhir-adapter.ts';
import { fitReferenceSearch, unsupportedSearchParams } from './search-parameters.ts';
import { errorAnswer, type FhirAnswer, type FhirCall } from './fhir-response.ts';

/**
 * Fits a call to what the profile's server does before it reaches scopes and the adapter:
 * refuses what the server does not offer (an absent type: 404; a write the server does not take:
 * 405, FHIR R4 http.html §3.1.0.4; in a strict profile, an undeclared search parameter: 400) and
 * drops undeclared search parameters where the profile ignores them, and what it would ignore (`_include`, `_revinclude`,
 * `If-None-Exist`), capping page sizes. Returns the call to run, or the answer to send.
 */
export function applyProfile(
  profile: SandboxEhrProfile,
  original: FhirCall,
): FhirCall | FhirAnswer {
  // `POST [type]/_search` is fitted like the GET it amounts to.
  const call = searchViaPost(original);
  const type = call.path[0] ?? '';
  if (profile.absentTypes.includes(type))
    return errorAnswer(404, 'not-supported', `This server has no ${type} endpoint`);
  const interaction = writeOf(call);
  if (interaction) {
    if (interaction === 'update' && call.path.length === 1 && !profile.conditionalUpdate)
      return errorAnswer(405, 'not-supported', 'Conditional update is not supported');
    if (!profileAllows(profile, type, interaction))
      return errorAnswer(405, 'not-supported', `${type} ${interaction} is not supported`);
    const category = refusedCategory(profile, call);
    if (category !== undefined)
      return errorAnswer(
        422,
        'not-supported',
        `Conditions of category ${category || '(none)'} cannot be written; allowed: ${(profile.conditionCategories ?? []).join(', ')}`,
      );
  }
  let query = new URLSearchParams(call.query);
  if (call.method === 'GET' && call.path.length === 1) {
    query = fitReferenceSearch(type, query);
    const unsupported = unsupportedSearchParams(type, query);
    if (unsupported.length > 0 && profile.unknownSearchParams === 'refuse')
      return errorAnswer(
        400,
        'not-supported',
        `Unknown or unsupported search parameter for ${type}: ${unsupported.join(', ')}`,
      );
    for (const name of unsupported) query.delete(name);
    fitSearch(profile, query);
  }
  return {
    ...call,
    query,
    ifNoneExist: profile.conditionalCreate ? call.ifNoneExist : undefined,
  };
}

function writeOf(call: FhirCall): 'create' | 'update' | undefined {
  if (call.method === 'POST' && call.path.length === 1) return 'create';
  // A server that takes no updates of a type takes no deletes of it either.
  if (call.method === 'PUT' || call.method === 'PATCH' || call.method === 'DELETE') return 'update';
  return undefined;
}

function fitSearch(profile: SandboxEhrProfile, query: URLSearchParams): void {
  if (!profile.include) query.delete('_include');
  if (!profile.revinclude) query.delete('_revinclude');
  const asked = query.has('_count') ? Number(query.get('_count')) : profile.defaultPageSize;
  // A malformed `_count` is left for the search to refuse.
  if (Number.isFinite(asked)) query.set('_count', String(Math.min(asked, profile.maxPageSize)));
}

/** The first category code of a Condition write the profile does not accept (`''`: none given). */
function refusedCategory(profile: SandboxEhrProfile, call: FhirCall): string | undefined {
  const allowed = profile.conditionCategories;
  const writesBody = call.method === 'POST' || call.method === 'PUT';
  if (!allowed || call.path[0] !== 'Condition' || !writesBody) return undefined;
  const body = call.body as { category?: { coding?: { code?: unknown }[] }[] } | undefined;
  const codes = (body?.category ?? []).flatMap((c) => (c.coding ?? []).map((k) => k.code));
  if (codes.length === 0) return '';
  return codes.find((code) => typeof code !== 'string' || !allowed.includes(code)) as
    string | undefined;
}
