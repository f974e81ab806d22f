import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { get } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

// The OpenAPI document is part of the contract: the committed apps/api/openapi.json is what clients and the
// console are written against, and this test fails when the API serves anything else. After a deliberate
// change, regenerate it with `UPDATE_OPENAPI=1 E2E_DATABASE=pglite npx jest -c apps/api-e2e/jest.config.js openapi`
// (which also regenerates the typed client's types, libs/admin-client) and review the diff like code.

const ROOT = path.resolve(__dirname, '../../..');
const COMMITTED = path.join(ROOT, 'apps/api/openapi.json');

type Operation = {
  parameters?: { in: string; name: string; required?: boolean }[];
  responses?: Record<string, { content?: unknown }>;
};
type Document = { paths: Record<string, Record<string, Operation>> };

describe('OpenAPI document', () => {
  let server: KeywayServer;
  let served: Document;

  beforeAll(async () => {
    server = await startKeyway();
    served = (await get(`${server.baseUrl}/api/docs/openapi.json`)).body;
    if (process.env['UPDATE_OPENAPI'] === '1') {
      writeFileSync(COMMITTED, `${JSON.stringify(served, null, 2)}\n`);
      execFileSync('npm', ['run', '--silent', 'generate:admin-client'], { cwd: ROOT, stdio: 'inherit' });
    }
  });
  afterAll(() => server?.stop());

  it('is the committed one', () => {
    expect(existsSync(COMMITTED)).toBe(true);
    expect(served).toEqual(JSON.parse(readFileSync(COMMITTED, 'utf8')));
  });

  it('documents a typed success response for every admin operation that returns a body', () => {
    const untyped = Object.entries(served.paths)
      .filter(([route]) => route.startsWith('/api/admin/v1'))
      .flatMap(([route, operations]) =>
        Object.entries(operations)
          .filter(([, operation]) => {
            const success = Object.entries(operation.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
            return !success.some(([status, response]) => status === '204' || response.content !== undefined);
          })
          .map(([method]) => `${method.toUpperCase()} ${route}`),
      );
    expect(untyped).toEqual([]);
  });

  it('declares every parameter of every path template, so generated clients can fill them in', () => {
    const undeclared = Object.entries(served.paths).flatMap(([route, operations]) =>
      Object.entries(operations).flatMap(([method, operation]) =>
        [...route.matchAll(/\{(\w+)\}/g)]
          .map((match) => match[1])
          .filter(
            (name) => !operation.parameters?.some((parameter) => parameter.in === 'path' && parameter.name === name),
          )
          .map((name) => `${method.toUpperCase()} ${route}: {${name}}`),
      ),
    );
    expect(undeclared).toEqual([]);
  });

  it('declares the admin API’s list parameters optional: they filter or page, and every list answers without them', () => {
    const required = Object.entries(served.paths)
      .filter(([route]) => route.startsWith('/api/admin/v1'))
      .flatMap(([route, operations]) =>
        // Reads only: a deletion's `confirm` (the project's slug, repeated) is required on purpose.
        Object.entries(operations)
          .filter(([method]) => method === 'get')
          .flatMap(([method, operation]) =>
            (operation.parameters ?? [])
              .filter((parameter) => parameter.in === 'query' && parameter.required !== false)
              .map((parameter) => `${method.toUpperCase()} ${route}?${parameter.name}`),
          ),
      );
    expect(required).toEqual([]);
  });
});
