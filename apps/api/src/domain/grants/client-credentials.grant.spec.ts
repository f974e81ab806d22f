import type { ApiResource, ResourceGrant } from '../api-resources/api-resource';
import { decideClientCredentials } from './client-credentials.grant';

const resource = (identifier: string, scopes: string[]): ApiResource => ({
  id: identifier,
  projectId: 'p',
  identifier,
  name: identifier,
  scopes: scopes.map((name) => ({ name, description: '' })),
  accessTokenTtlSeconds: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});
const ORDERS = 'https://api.example.com/orders';
const BILLING = 'https://api.example.com/billing';
const orders: ResourceGrant = {
  resource: resource(ORDERS, ['orders:read', 'orders:write', 'orders:admin']),
  scopes: ['orders:read', 'orders:write'],
};
const billing: ResourceGrant = { resource: resource(BILLING, ['invoices:read']), scopes: ['invoices:read'] };

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return { error: (error as { error: string }).error, description: (error as { description: string }).description };
  }
  throw new Error('expected a refusal');
};

describe('client_credentials rules', () => {
  it('grants the requested resource with every granted scope when no scope is asked for', () => {
    expect(decideClientCredentials([orders], [ORDERS], undefined)).toEqual({
      grant: orders,
      scopes: ['orders:read', 'orders:write'],
    });
  });

  it('grants a subset of the granted scopes when asked for it (repeats counted once)', () => {
    expect(decideClientCredentials([orders], [ORDERS], 'orders:write  orders:write').scopes).toEqual(['orders:write']);
  });

  it('without a resource, takes the only granted one', () => {
    expect(decideClientCredentials([billing], [], 'invoices:read').grant).toBe(billing);
  });

  it('without a resource, refuses when several or none are granted (invalid_target)', () => {
    expect(refusal(() => decideClientCredentials([orders, billing], [], undefined))).toMatchObject({
      error: 'invalid_target',
      description: expect.stringContaining('resource is required'),
    });
    expect(refusal(() => decideClientCredentials([], [], undefined)).error).toBe('invalid_target');
  });

  it('refuses two resources: a JWT has one audience (invalid_target)', () => {
    expect(refusal(() => decideClientCredentials([orders, billing], [ORDERS, BILLING], undefined))).toMatchObject({
      error: 'invalid_target',
      description: expect.stringContaining('one resource per request'),
    });
  });

  it.each(['/orders', 'orders', 'https://api.example.com/orders#frag', ''])(
    'refuses the malformed resource %j (invalid_target)',
    (requested) =>
      expect(refusal(() => decideClientCredentials([orders], [requested], undefined)).error).toBe('invalid_target'),
  );

  it('refuses a resource that is unknown or not granted (invalid_target)', () => {
    expect(refusal(() => decideClientCredentials([], [BILLING], undefined)).error).toBe('invalid_target');
    // The candidates are the grant of the requested resource; another one never stands in for it.
    expect(refusal(() => decideClientCredentials([orders], [BILLING], undefined)).error).toBe('invalid_target');
  });

  it('refuses a scope the resource defines but the client is not granted, and an unknown one (invalid_scope)', () => {
    expect(refusal(() => decideClientCredentials([orders], [ORDERS], 'orders:read orders:admin'))).toEqual({
      error: 'invalid_scope',
      description: 'not granted to this client for this resource: orders:admin',
    });
    expect(refusal(() => decideClientCredentials([orders], [ORDERS], 'openid')).error).toBe('invalid_scope');
    expect(refusal(() => decideClientCredentials([orders], [ORDERS], ' ')).error).toBe('invalid_scope');
  });

  it('never grants a scope the resource no longer defines, even if a grant still names it', () => {
    const stale: ResourceGrant = {
      resource: resource(ORDERS, ['orders:read']),
      scopes: ['orders:read', 'orders:write'],
    };
    expect(decideClientCredentials([stale], [ORDERS], undefined).scopes).toEqual(['orders:read']);
    expect(refusal(() => decideClientCredentials([stale], [ORDERS], 'orders:write')).error).toBe('invalid_scope');
  });

  it('grants a resource without scopes: a token with the audience only', () => {
    const audienceOnly: ResourceGrant = { resource: resource(BILLING, []), scopes: [] };
    expect(decideClientCredentials([audienceOnly], [BILLING], undefined).scopes).toEqual([]);
  });
});
