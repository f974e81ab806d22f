import { AuthnRequest, RegistrationRequest, SettingsRequest, VerificationRequest } from '@keyway/flow-types';
import { z } from 'zod';
import { fieldErrors, fieldPath } from './zod-pipes';

function problems(schema: z.ZodType, body: unknown): Array<[string, string]> {
  const result = schema.safeParse(body);
  if (result.success) throw new Error('the body matched');
  return fieldErrors(schema, body, result.error).map((field) => [field.field, field.messageId]);
}

const FLOW_ID = '00000000-0000-4000-8000-000000000000';

describe('fieldPath', () => {
  it('names fields as docs/errors.md does', () => {
    expect(fieldPath(['selectedAuthenticator', 'params', 'email'])).toBe('selectedAuthenticator.params.email');
    expect(fieldPath(['redirectUris', 1])).toBe('redirectUris[1]');
    expect(fieldPath(['loginFlow', 0, 2])).toBe('loginFlow[0][2]');
    expect(fieldPath(['selectedAuthenticator', 'params', 'traits.email'])).toBe(
      'selectedAuthenticator.params.traits.email',
    );
    expect(fieldPath([])).toBe('');
  });
});

describe('fieldErrors', () => {
  it('names each problem of a step answer by its path', () => {
    expect(
      problems(AuthnRequest, {
        flowId: FLOW_ID,
        selectedAuthenticator: { authenticatorId: 'x', params: { code: 123456 } },
      }),
    ).toEqual([['selectedAuthenticator.params.code', 'msg_field_invalid']]);
    expect(problems(AuthnRequest, { flowId: '', selectedAuthenticator: {} })).toEqual([
      ['flowId', 'msg_field_required'],
      ['selectedAuthenticator.authenticatorId', 'msg_field_required'],
    ]);
    expect(problems(AuthnRequest, { flowId: 5, selectedAuthenticator: 'x' })).toEqual([
      ['flowId', 'msg_field_invalid'],
      ['selectedAuthenticator', 'msg_field_invalid'],
    ]);
  });

  it('judges a flow endpoint’s body by the alternative it was meant as (answer or start), not "Invalid input"', () => {
    const answer = { flowId: FLOW_ID, selectedAuthenticator: { authenticatorId: 'x', params: { code: 123456 } } };
    for (const schema of [RegistrationRequest, VerificationRequest, SettingsRequest])
      expect(problems(schema, answer)).toEqual([['selectedAuthenticator.params.code', 'msg_field_invalid']]);
    expect(problems(RegistrationRequest, { flowId: FLOW_ID })).toEqual([
      ['selectedAuthenticator', 'msg_field_required'],
    ]);
    expect(problems(RegistrationRequest, { client_id: 'c', redirect_uri: 'com.example:/cb' })).toEqual([
      ['scope', 'msg_field_required'],
    ]);
    expect(problems(RegistrationRequest, { client_id: 'c', scope: 'openid', extra: 1 })).toEqual([
      ['extra', 'msg_field_unknown'],
    ]);
    expect(problems(VerificationRequest, { client_id: 'c', email: 'a' })).toEqual([['email', 'msg_field_invalid']]);
    expect(problems(SettingsRequest, { ui_locales: 5 })).toEqual([['ui_locales', 'msg_field_invalid']]);
    expect(problems(SettingsRequest, { ui_locales: 'x'.repeat(300) })).toEqual([['ui_locales', 'msg_field_too_long']]);
  });

  it('reports unknown keys of strict objects one by one, and nested unions and arrays by path', () => {
    const Inner = z.union([z.object({ a: z.string() }).strict(), z.object({ b: z.number() }).strict()]);
    const Schema = z.object({ list: z.array(z.object({ x: Inner })), name: z.string().max(3).optional() }).strict();
    expect(problems(Schema, { list: [{ x: { a: 'ok' } }, { x: { a: 1 } }], name: 'abcd', one: 1, two: 2 })).toEqual([
      ['list[1].x.a', 'msg_field_invalid'],
      ['name', 'msg_field_too_long'],
      ['one', 'msg_field_unknown'],
      ['two', 'msg_field_unknown'],
    ]);
  });

  it('calls an absent enum or literal required, and a wrong one invalid', () => {
    const Schema = z.object({ type: z.enum(['public', 'confidential']), kind: z.literal('app') });
    expect(problems(Schema, {})).toEqual([
      ['type', 'msg_field_required'],
      ['kind', 'msg_field_required'],
    ]);
    expect(problems(Schema, { type: 'secret', kind: 'app' })).toEqual([['type', 'msg_field_invalid']]);
  });

  it('gives each field a message and an i18nKey that follows the messageId', () => {
    const body = { selectedAuthenticator: { authenticatorId: 'x' } };
    const result = AuthnRequest.safeParse(body);
    if (result.success) throw new Error('the body matched');
    expect(fieldErrors(AuthnRequest, body, result.error)).toEqual([
      {
        field: 'flowId',
        messageId: 'msg_field_required',
        message: 'is required',
        i18nKey: 'message.msg_field_required',
      },
    ]);
  });
});
