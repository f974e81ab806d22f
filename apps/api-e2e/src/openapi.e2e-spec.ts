import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { get } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

// The OpenAPI document is part of the contract: the committed apps/api/openapi.json is what clients and the
// console are written against, and this test fails when the API serves anything else. After a deliberate
// change, regenerate it with `UPDATE_OPENAPI=1 E2E_DATABASE=pglite npx jest -c apps/api-e2e/jest.config.js openapi`
// and review the diff like code.

const COMMITTED = path.resolve(__dirname, '../../api/openapi.json');

type Operation = { responses?: Record<string, { content?: unknown }> };
type Document = { paths: Record<string, Record<string, Operation>> };

describe('OpenAPI document', () => {
  let server: KeywayServer;
  let served: Document;

  beforeAll(async () => {
    server = await startKeyway();
    served = (await get(`${server.baseUrl}/api/docs/openapi.json`)).body;
    if (process.env['UPDATE_OPENAPI'] === '1') writeFileSync(COMMITTED, `${JSON.stringify(served, null, 2)}\n`);
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
});
