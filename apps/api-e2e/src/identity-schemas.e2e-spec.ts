import { randomBytes } from 'node:crypto';
import { FlowSuccessResponse } from '@keyway/flow-types';
import { adminAs } from './support/console';
import { adminApi, createTenant, pkcePair, postJson, startFlow, submitPassword, type Tenant } from './support/http';
import { startKeyway, type KeywayServer } from './support/keyway-server';

/** Version 2 of a project's schema: username identifier with a pattern, a birthdate, a newsletter flag and a plan. */
const CUSTOM_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    email: {
      type: 'string',
      format: 'email',
      keyway: {
        credentials: { password: { identifier: true } },
        verification: { via: 'email' },
        recovery: { via: 'email' },
        display: { label: 'Email', order: 1 },
      },
    },
    username: {
      type: 'string',
      pattern: '^[a-z][a-z0-9_]{2,19}$',
      keyway: {
        credentials: { password: { identifier: true } },
        display: { label: 'Username', order: 0, i18nKey: 'signup.username' },
      },
    },
    birthdate: { type: 'string', format: 'date', keyway: { display: { label: 'Date of birth', order: 2 } } },
    newsletter: { type: 'boolean', keyway: { display: { label: 'Newsletter', order: 3 } } },
    plan: { type: 'string', enum: ['free', 'pro'], keyway: { display: { label: 'Plan', order: 4 } } },
  },
  required: ['email', 'username', 'plan'],
  additionalProperties: false,
};

describe('identity schemas', () => {
  let server: KeywayServer;
  let admin: ReturnType<typeof adminApi>;
  let tenant: Tenant;
  let base: string;

  beforeAll(async () => {
    server = await startKeyway();
    admin = adminApi(server);
    // A project whose first identity (from createTenant) exists before any schema call: version 1 is the built-in default.
    tenant = await createTenant(server);
    base = `/projects/${tenant.slug}`;
  });
  afterAll(() => server?.stop());

  const put = async (path: string, body: unknown) => {
    const response = await fetch(`${server.baseUrl}/api/admin/v1${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const uniq = () => randomBytes(3).toString('hex');

  it('gives every project the built-in default as version 1; identities created before keep version 1', async () => {
    const listed = await admin.get(`${base}/identity-schemas`);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([{ version: 1, isDefault: true, createdAt: expect.any(String) }]);
    const v1 = await admin.get(`${base}/identity-schemas/1`);
    expect(v1.body).toMatchObject({
      version: 1,
      isDefault: true,
      schema: { properties: { email: { format: 'email' } }, required: ['email'] },
    });
    expect(v1.body.fields.map((field: any) => field.param)).toEqual(['traits.email', 'traits.name']);
    expect((await admin.get(`${base}/identities/${tenant.identityId}`)).body.schemaVersion).toBe(1);
    expect((await admin.get(`${base}/identity-schemas/2`)).status).toBe(404);
    expect((await admin.get(`${base}/identity-schemas/latest`)).status).toBe(404);
  });

  it('refuses bad schemas with every reason', async () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'object', properties: { email: { type: 'strin' } } }, /does not compile as JSON Schema 2020-12/],
      [{ type: 'string' }, /schema\.type: must be 'object'.*schema\.properties: must declare at least one trait/],
      [
        {
          type: 'object',
          properties: { pin: { type: 'integer', keyway: { credentials: { password: { identifier: true } } } } },
        },
        /schema\.properties\.pin: a login identifier must be of type 'string'/,
      ],
      [{ type: 'object', properties: { email: { type: 'string' } } }, /no trait is a login identifier/],
      [
        { type: 'object', properties: { email: { type: 'string', keyway: { verification: { via: 'fax' } } } } },
        /schema\.properties\.email\.keyway\.verification\.via/,
      ],
    ];
    for (const [schema, description] of cases) {
      const response = await admin.post(`${base}/identity-schemas`, { schema });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'KW-40000', description: expect.stringMatching(description) });
      // Each reason is also a field entry, named by its path in the body, for editors that show them one by one.
      expect(response.body.fields.length).toBeGreaterThan(0);
      expect(response.body.description).toBe(
        response.body.fields.map((field: any) => `${field.field}: ${field.message}`).join('; '),
      );
      for (const field of response.body.fields)
        expect(field).toEqual({
          field: expect.stringMatching(/^schema(\.|$)/),
          messageId: 'msg_schema_invalid',
          message: expect.any(String),
          i18nKey: 'message.msg_schema_invalid',
        });
    }
    expect((await admin.post(`${base}/identity-schemas`, { schema: CUSTOM_SCHEMA, extra: 1 })).status).toBe(400);
    expect((await admin.post(`${base}/identity-schemas`, { schema: 'nope' })).status).toBe(400);
    expect((await admin.get(`${base}/identity-schemas`)).body).toHaveLength(1);
  });

  it('adds version 2 (not default until asked), then makes it the default; v1 identities keep version 1', async () => {
    const early = await admin.post(`${base}/identities`, {
      traits: { email: `early-${uniq()}@example.com`, name: 'Early' },
    });
    expect(early.status).toBe(201);
    expect(early.body.schemaVersion).toBe(1);

    const created = await admin.post(`${base}/identity-schemas`, { schema: CUSTOM_SCHEMA });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ version: 2, isDefault: false, schema: CUSTOM_SCHEMA });
    expect(
      created.body.fields.map((field: any) => [field.param, field.type, field.order, field.displayName, field.input]),
    ).toEqual([
      ['traits.username', 'STRING', 0, 'Username', 'text'],
      ['traits.email', 'STRING', 1, 'Email', 'email'],
      ['traits.birthdate', 'STRING', 2, 'Date of birth', 'date'],
      ['traits.newsletter', 'BOOLEAN', 3, 'Newsletter', 'checkbox'],
      ['traits.plan', 'STRING', 4, 'Plan', 'select'],
    ]);
    // Still validated by version 1: a username is not a trait there.
    const stillV1 = await admin.post(`${base}/identities`, {
      traits: { email: `x-${uniq()}@example.com`, username: 'abc' },
    });
    expect(stillV1.status).toBe(400);
    expect(stillV1.body.fields).toEqual([
      {
        field: 'traits.username',
        messageId: 'msg_trait_unknown',
        message: 'is not a trait of this schema',
        i18nKey: 'message.msg_trait_unknown',
      },
    ]);

    expect((await put(`${base}/identity-schemas/default`, { version: 9 })).status).toBe(404);
    expect((await put(`${base}/identity-schemas/default`, { version: 'two' })).status).toBe(400);
    const made = await put(`${base}/identity-schemas/default`, { version: 2 });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ version: 2, isDefault: true });
    expect((await admin.get(`${base}/identity-schemas`)).body.map((row: any) => [row.version, row.isDefault])).toEqual([
      [1, false],
      [2, true],
    ]);

    expect((await admin.get(`${base}/identities/${early.body.id}`)).body).toMatchObject({
      schemaVersion: 1,
      traits: { name: 'Early' },
    });
    expect((await admin.get(`${base}/identities/${tenant.identityId}`)).body.schemaVersion).toBe(1);
    // The first identity still signs in with its email.
    const { response } = await startFlow(tenant);
    expect((await submitPassword(tenant, response.body.flowId, tenant.email, tenant.password)).body.flowStatus).toBe(
      'SUCCESS_COMPLETED',
    );
  });

  it('validates traits against the default (v2) with a message per field', async () => {
    const bad = await admin.post(`${base}/identities`, {
      traits: { email: 'not-an-email', username: '9lives', birthdate: '31/12/1990', newsletter: 'yes', plan: 'gold' },
      password: 'long enough password',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      code: 'KW-40000',
      message: 'Invalid request.',
      description: expect.any(String),
      traceId: expect.any(String),
      fields: expect.any(Array),
    });
    expect(bad.body.fields).toEqual(
      expect.arrayContaining([
        {
          field: 'traits.email',
          messageId: 'msg_trait_format',
          message: 'must be a valid email',
          i18nKey: 'message.msg_trait_format',
        },
        {
          field: 'traits.username',
          messageId: 'msg_trait_pattern',
          message: 'does not have the expected form',
          i18nKey: 'message.msg_trait_pattern',
        },
        {
          field: 'traits.birthdate',
          messageId: 'msg_trait_format',
          message: 'must be a valid date',
          i18nKey: 'message.msg_trait_format',
        },
        {
          field: 'traits.newsletter',
          messageId: 'msg_trait_type',
          message: 'must be of type boolean',
          i18nKey: 'message.msg_trait_type',
        },
        {
          field: 'traits.plan',
          messageId: 'msg_trait_enum',
          message: 'must be one of: "free", "pro"',
          i18nKey: 'message.msg_trait_enum',
        },
      ]),
    );
    expect(bad.body.fields).toHaveLength(5);
    for (const field of ['traits.email', 'traits.username', 'traits.birthdate', 'traits.newsletter', 'traits.plan'])
      expect(bad.body.description).toContain(`${field}: `);

    const missing = await admin.post(`${base}/identities`, { traits: { email: `m-${uniq()}@example.com` } });
    expect(missing.status).toBe(400);
    expect(missing.body.fields.map((field: any) => `${field.field}:${field.messageId}`)).toEqual([
      'traits.username:msg_trait_required',
      'traits.plan:msg_trait_required',
    ]);
    expect(
      (await admin.post(`${base}/identities`, { traits: { email: `m-${uniq()}@example.com` }, schemaVersion: 7 }))
        .status,
    ).toBe(400);
  });

  it('creates identities under v2 (or v1 on request); every identifier trait signs in', async () => {
    const username = `ann_${uniq()}`;
    const email = `Ann-${uniq()}@Example.com`;
    const password = 'correct horse battery';
    const created = await admin.post(`${base}/identities`, {
      traits: { email, username, birthdate: '1990-12-31', newsletter: true, plan: 'pro' },
      password,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      schemaVersion: 2,
      traits: { email, username, plan: 'pro', newsletter: true },
    });

    const olderVersion = await admin.post(`${base}/identities`, {
      traits: { email: `v1-${uniq()}@example.com`, name: 'Old' },
      schemaVersion: 1,
    });
    expect(olderVersion.status).toBe(201);
    expect(olderVersion.body.schemaVersion).toBe(1);

    // The username (any case) and the email both became login identifiers of the password credential.
    for (const identifier of [username, username.toUpperCase(), email.toLowerCase()]) {
      const { response } = await startFlow(tenant);
      const done = await submitPassword(tenant, response.body.flowId, identifier, password);
      expect(done.status).toBe(200);
      expect(FlowSuccessResponse.parse(done.body).flowStatus).toBe('SUCCESS_COMPLETED');
    }
    const { response } = await startFlow(tenant);
    expect((await submitPassword(tenant, response.body.flowId, username, 'wrong password')).body.flowStatus).toBe(
      'FAIL_INCOMPLETE',
    );

    // Identifiers stay unique per project, whichever trait holds them.
    const taken = await admin.post(`${base}/identities`, {
      traits: { email: `other-${uniq()}@example.com`, username, plan: 'free' },
      password: 'another password',
    });
    expect(taken.status).toBe(409);
    expect(taken.body.description).toContain(username);
  });

  it('sets the default at creation when asked, and versions are per project', async () => {
    const other = await admin.post('/projects', { slug: `schemas-${uniq()}`, name: 'Other' });
    const created = await admin.post(`/projects/${other.body.slug}/identity-schemas`, {
      schema: CUSTOM_SCHEMA,
      setDefault: true,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ version: 2, isDefault: true });
    expect(
      (await admin.get(`/projects/${other.body.slug}/identity-schemas`)).body.map((row: any) => [
        row.version,
        row.isDefault,
      ]),
    ).toEqual([
      [1, false],
      [2, true],
    ]);
    expect((await admin.get(`${base}/identity-schemas`)).body).toHaveLength(2);
  });

  it("runs an admin's catastrophic pattern in linear time: a registration against ^(a+)+$ answers with the field error", async () => {
    const own = await createTenant(server);
    const schema = {
      type: 'object',
      required: ['email', 'nick'],
      properties: {
        email: {
          type: 'string',
          format: 'email',
          keyway: { credentials: { password: { identifier: true } }, display: { label: 'Email', order: 0 } },
        },
        nick: { type: 'string', pattern: '^(a+)+$', keyway: { display: { label: 'Nick', order: 1 } } },
      },
    };
    expect((await admin.post(`/projects/${own.slug}/identity-schemas`, { schema, setDefault: true })).status).toBe(201);
    const pkce = pkcePair();
    const started = await postJson(`${own.issuer}/flows/registration`, {
      client_id: own.clientId,
      redirect_uri: own.redirectUri,
      scope: 'openid',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    expect(started.status).toBe(200);
    // On a backtracking engine 'a'×40+'!' takes 2^40 steps: the registration would never answer and /health
    // (sent at the same time, on the same event loop) would wait with it.
    const [registration, health] = await Promise.all([
      postJson(`${own.issuer}/flows/registration`, {
        flowId: started.body.flowId,
        selectedAuthenticator: {
          authenticatorId: Buffer.from('PasswordRegistration:LOCAL').toString('base64url'),
          params: {
            'traits.email': `n-${uniq()}@example.com`,
            'traits.nick': `${'a'.repeat(40)}!`,
            password: 'a long enough password',
          },
        },
      }),
      fetch(`${server.baseUrl}/health`),
    ]);
    expect(health.status).toBe(200);
    expect(registration.body.flowStatus).toBe('FAIL_INCOMPLETE');
    expect(registration.body.nextStep.messages).toEqual([
      expect.objectContaining({ messageId: 'msg_trait_pattern', context: [{ key: 'field', value: 'traits.nick' }] }),
    ]);
  });

  it('previews a schema without saving it: the fields create would answer, or every problem by field', async () => {
    const versions = (await admin.get(`${base}/identity-schemas`)).body.length;
    const schema = {
      ...CUSTOM_SCHEMA,
      properties: {
        ...CUSTOM_SCHEMA.properties,
        company: { type: 'string', title: 'Company', keyway: { display: { order: 5 } } },
      },
      required: [...CUSTOM_SCHEMA.required, 'company'],
    };
    const preview = await admin.post(`${base}/identity-schemas/preview`, { schema });
    expect(preview.status).toBe(200);
    expect(Object.keys(preview.body)).toEqual(['fields']);
    expect(
      preview.body.fields.map((field: any) => [field.trait, field.required, field.input, field.displayName]),
    ).toEqual([
      ['username', true, 'text', 'Username'],
      ['email', true, 'email', 'Email'],
      ['birthdate', false, 'date', 'Date of birth'],
      ['newsletter', false, 'checkbox', 'Newsletter'],
      ['plan', true, 'select', 'Plan'],
      ['company', true, 'text', 'Company'],
    ]);
    expect(preview.body.fields.find((field: any) => field.trait === 'plan').options).toEqual(['free', 'pro']);
    expect((await admin.get(`${base}/identity-schemas`)).body).toHaveLength(versions);

    // The same fields as the version it would become.
    const other = await admin.post('/projects', { slug: `preview-${uniq()}`, name: 'Preview' });
    const created = await admin.post(`/projects/${other.body.slug}/identity-schemas`, { schema });
    expect(created.status).toBe(201);
    expect(created.body.fields).toEqual(preview.body.fields);

    const refused = await admin.post(`${base}/identity-schemas/preview`, {
      schema: {
        type: 'object',
        properties: {
          email: { type: 'string', keyway: { credentials: { password: { identifier: true } } } },
          pin: { type: 'integer', keyway: { credentials: { password: { identifier: true } } } },
          age: { type: 'integr' },
        },
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.fields).toEqual([
      expect.objectContaining({
        field: 'schema',
        messageId: 'msg_schema_invalid',
        message: expect.stringMatching(/does not compile/),
      }),
    ]);
    const twoProblems = await admin.post(`${base}/identity-schemas/preview`, {
      schema: {
        type: 'object',
        properties: {
          email: { type: 'string', keyway: { credentials: { password: { identifier: true } } } },
          pin: {
            type: 'integer',
            keyway: { credentials: { password: { identifier: true } }, verification: { via: 'email' } },
          },
        },
      },
    });
    expect(twoProblems.status).toBe(400);
    expect(twoProblems.body.fields.map((field: any) => [field.field, field.message])).toEqual([
      ['schema.properties.pin', "a login identifier must be of type 'string'"],
      ['schema.properties.pin', "a verifiable address must be of type 'string'"],
    ]);
    // Not a schema object at all: the body's own check.
    const notObject = await admin.post(`${base}/identity-schemas/preview`, { schema: [] });
    expect(notObject.status).toBe(400);
    expect(notObject.body.fields).toEqual([
      expect.objectContaining({ field: 'schema', messageId: 'msg_field_invalid' }),
    ]);
    expect((await admin.get(`${base}/identity-schemas`)).body).toHaveLength(versions);
    expect((await admin.post(`/projects/no-such-${uniq()}/identity-schemas/preview`, { schema })).status).toBe(404);

    // schemas.read is enough to preview (a developer), not to save; without it (help desk) neither.
    const keyFor = async (role: string) => {
      const created = await admin.post(`${base}/api-keys`, { name: `preview-${role}`, role });
      expect(created.status).toBe(201);
      return adminAs(server, created.body.key);
    };
    const developer = await keyFor('developer');
    expect((await developer.post(`${base}/identity-schemas/preview`, { schema })).status).toBe(200);
    expect((await developer.post(`${base}/identity-schemas`, { schema })).status).toBe(403);
    const helpdesk = await keyFor('helpdesk');
    expect((await helpdesk.post(`${base}/identity-schemas/preview`, { schema })).status).toBe(403);
    expect((await admin.get(`${base}/identity-schemas`)).body).toHaveLength(versions);
  });

  it('refuses patterns the linear-time engine cannot run (backreferences, lookarounds), naming the property', async () => {
    const schema = {
      type: 'object',
      properties: {
        email: { type: 'string', pattern: '^(?!admin)', keyway: { credentials: { password: { identifier: true } } } },
        twice: { type: 'string', pattern: '^(.)\\1$' },
      },
    };
    const refused = await admin.post(`${base}/identity-schemas`, { schema });
    expect(refused.status).toBe(400);
    expect(refused.body.description).toMatch(
      /schema\.properties\.email\.pattern: does not compile for the linear-time pattern engine/,
    );
    expect(refused.body.description).toMatch(/schema\.properties\.twice\.pattern: does not compile/);
  });
});
