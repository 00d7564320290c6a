import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors/app-error.ts';
import { ERROR_CODES, type ErrorCode } from '../../src/errors/error-codes.ts';

/**
 * Error codes are declared once, with their status and message, in src/errors/error-codes.ts
 * (issue 14): every declared code is raised somewhere in the product, and no throw site picks a
 * status of its own, so each code answers with one status.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const DECLARATION = 'src/errors/error-codes.ts';

/** The product's TypeScript files as git tracks them, with their text. */
function productSources(): { file: string; text: string }[] {
  const listed = execFileSync(
    'git',
    ['ls-files', 'src/*.ts', 'smart-app/*.ts', 'worker/*.ts', 'cli/*.ts', 'sandbox/*.ts'],
    { cwd: root, encoding: 'utf8' },
  );
  return listed
    .split('\n')
    .filter((f) => f && f !== DECLARATION)
    .map((file) => ({ file, text: readFileSync(`${root}${file}`, 'utf8') }));
}

/** Each `new AppError(…)` call's text, with where it is. */
function throwSites(sources: { file: string; text: string }[]): { at: string; call: string }[] {
  const sites: { at: string; call: string }[] = [];
  for (const { file, text } of sources) {
    for (let i = text.indexOf('new AppError('); i >= 0; i = text.indexOf('new AppError(', i + 1)) {
      let depth = 0;
      let end = i;
      for (let j = text.indexOf('(', i); j < text.length; j++) {
        if (text[j] === '(') depth++;
        if (text[j] === ')' && --depth === 0) {
          end = j;
          break;
        }
      }
      sites.push({
        at: `${file}:${String(text.slice(0, i).split('\n').length)}`,
        call: text.slice(i, end + 1),
      });
    }
  }
  return sites;
}

describe('error codes', () => {
  const sources = productSources();
  const codes = Object.keys(ERROR_CODES) as ErrorCode[];

  it('declares only codes that the product raises', () => {
    const unused = codes.filter((code) => !sources.some((s) => s.text.includes(`'${code}'`)));
    expect(unused).toEqual([]);
  });

  it('gives each code one status: the declared one, never chosen at a throw site', () => {
    const sites = throwSites(sources);
    expect(sites.length).toBeGreaterThan(50);
    const choosing = sites.filter((s) => /[{,]\s*status\s*[:,}]/.test(s.call)).map((s) => s.at);
    expect(choosing).toEqual([]);
    for (const code of codes) {
      const err = new AppError(code, 'detail', { upstreamStatus: 418 });
      expect(err.status, code).toBe(ERROR_CODES[code].status);
      expect(err.upstreamStatus).toBe(418);
    }
  });

  it('says the declared message when a throw site adds no detail', () => {
    expect(new AppError('CLAIM_INVALID').message).toBe(ERROR_CODES.CLAIM_INVALID.message);
    expect(new AppError('CLAIM_INVALID').status).toBe(422);
  });
});
