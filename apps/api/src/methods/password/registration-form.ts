import type { FlowMessage } from '@keyway/flow-types';
import { MAX_PASSWORD_LENGTH, PasswordSchema } from '../../domain/schemas/identity-traits';
import type { TraitError } from '../../domain/schemas/identity-schema';
import { fieldsFromSchema } from '../../domain/schemas/schema-params';
import type { CompiledIdentitySchema } from '../../domain/schemas/identity-schema';

/** The registration form's password param; traits travel as `traits.<name>` so they cannot collide with it. */
export const PASSWORD_PARAM = 'password';

export type RegistrationForm =
  { ok: true; traits: Record<string, unknown>; password: string } | { ok: false; errors: TraitError[] };

/**
 * Reads the wire params (all strings) into traits typed as the schema says, then validates traits and
 * password together so the user sees every problem at once. Values that do not convert stay strings, so
 * the schema reports them with its own per-field message (msg_trait_type).
 */
export function readRegistrationForm(schema: CompiledIdentitySchema, params: Record<string, string>): RegistrationForm {
  const { [PASSWORD_PARAM]: rawPassword, ...traitParams } = params;
  const { traits, errors } = readTraitParams(schema, traitParams);
  const password = PasswordSchema.safeParse(rawPassword ?? '');
  if (!password.success) {
    const tooLong = (rawPassword ?? '').length > MAX_PASSWORD_LENGTH;
    errors.push(
      rawPassword
        ? {
            field: PASSWORD_PARAM,
            messageId: tooLong ? 'msg_password_too_long' : 'msg_password_too_short',
            i18nKey: tooLong ? 'message.msg_password_too_long' : 'message.msg_password_too_short',
            message: password.error.issues[0]?.message ?? 'is invalid',
          }
        : {
            field: PASSWORD_PARAM,
            messageId: 'msg_trait_required',
            i18nKey: 'message.msg_trait_required',
            message: 'is required',
          },
    );
  }
  if (errors.length || !password.success) return { ok: false, errors };
  return { ok: true, traits, password: password.data };
}

/**
 * The `traits.<name>` params over `current` traits (none at registration; the identity's own in settings),
 * then the schema's verdict on the result. An empty input removes the trait: the schema decides whether
 * that is allowed. Also what the settings flow's profile form uses, so both forms read params alike.
 */
export function readTraitParams(
  schema: CompiledIdentitySchema,
  params: Record<string, string>,
  current: Record<string, unknown> = {},
): { traits: Record<string, unknown>; errors: TraitError[] } {
  const fields = new Map(fieldsFromSchema(schema).map((field) => [field.param, field]));
  const errors: TraitError[] = [];
  const traits: Record<string, unknown> = { ...current };
  for (const [param, raw] of Object.entries(params)) {
    const field = fields.get(param);
    if (!field) {
      errors.push(fieldError(param, 'unknown', 'is not a field of this form'));
      continue;
    }
    if (raw.trim() === '') {
      delete traits[field.trait];
      continue;
    }
    traits[field.trait] = convert(raw, schema.traits.find((trait) => trait.name === field.trait)?.schema['type']);
  }
  errors.push(...schema.validate(traits));
  return { traits, errors };
}

/** Per-field ERROR messages of the wire format: context `field` names the param the message is about. */
export function fieldMessages(errors: TraitError[]): FlowMessage[] {
  return errors.map((error) => ({
    type: 'ERROR',
    messageId: error.messageId,
    message: `${error.field}: ${error.message}`,
    i18nKey: error.i18nKey,
    context: [{ key: 'field', value: error.field }],
  }));
}

function convert(raw: string, type: unknown): unknown {
  switch (type) {
    case 'integer':
      return /^-?\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    case 'number':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'array':
      // MULTI_VALUED params travel comma-separated, as in the WSO2 reference.
      return raw
        .split(',')
        .map((value) => value.trim())
        .filter((value) => value !== '');
    default:
      return raw;
  }
}

function fieldError(field: string, rule: string, message: string): TraitError {
  return { field, messageId: `msg_trait_${rule}`, i18nKey: `message.msg_trait_${rule}`, message };
}
