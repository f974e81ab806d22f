import type { AuthenticatorParam, ParamType } from '@keyway/flow-types';
import type { CompiledIdentitySchema, InputType, TraitDefinition } from './identity-schema';

/** A trait as a form field: the wire param plus the hints a UI needs beyond it (input kind, choices). */
export interface TraitField extends AuthenticatorParam {
  trait: string;
  required: boolean;
  input: InputType;
  /** The allowed values of an enum trait, in the schema's order. */
  options?: string[];
}

/**
 * The traits as registration fields, in the order the schema says: `keyway.display.order` first (traits
 * without one after those with one), then declaration order. Params are named `traits.<name>` so they
 * cannot collide with the credential's own params (`password`).
 */
export function fieldsFromSchema(schema: CompiledIdentitySchema): TraitField[] {
  return [...schema.traits]
    .sort(
      (a, b) =>
        (a.annotations.display?.order ?? Number.MAX_SAFE_INTEGER) -
          (b.annotations.display?.order ?? Number.MAX_SAFE_INTEGER) || a.position - b.position,
    )
    .map((trait, order) => {
      const options = Array.isArray(trait.schema['enum']) ? trait.schema['enum'].map(String) : undefined;
      return {
        param: `traits.${trait.name}`,
        type: paramType(trait),
        order,
        i18nKey: trait.annotations.display?.i18nKey ?? `traits.${trait.name}`,
        displayName:
          trait.annotations.display?.label ??
          (typeof trait.schema['title'] === 'string' ? trait.schema['title'] : trait.name),
        confidential: false,
        trait: trait.name,
        required: trait.required,
        input: trait.annotations.display?.input ?? inputType(trait),
        ...(options ? { options } : {}),
      };
    });
}

/** The registration params of the wire format (AuthenticatorParam), generated from the schema. */
export function paramsFromSchema(schema: CompiledIdentitySchema): AuthenticatorParam[] {
  return fieldsFromSchema(schema).map(({ param, type, order, i18nKey, displayName, confidential }) => ({
    param,
    type,
    order,
    i18nKey,
    displayName,
    confidential,
  }));
}

/** Params the registration step must receive: the schema's required traits. */
export function requiredParamsFromSchema(schema: CompiledIdentitySchema): string[] {
  return fieldsFromSchema(schema)
    .filter((field) => field.required)
    .map((field) => field.param);
}

/** Wire types are few: numbers that are not integers travel as STRING, like every other scalar. */
function paramType(trait: TraitDefinition): ParamType {
  switch (trait.schema['type']) {
    case 'integer':
      return 'INTEGER';
    case 'boolean':
      return 'BOOLEAN';
    case 'array':
      return 'MULTI_VALUED';
    default:
      return 'STRING';
  }
}

/** The input kind implied by the schema when the display hints name none. */
function inputType(trait: TraitDefinition): InputType {
  const { type, format } = trait.schema;
  if (Array.isArray(trait.schema['enum'])) return 'select';
  if (type === 'boolean') return 'checkbox';
  if (type === 'integer' || type === 'number') return 'number';
  if (format === 'email' || trait.annotations.verification?.via === 'email') return 'email';
  if (trait.annotations.verification?.via === 'phone' || trait.annotations.recovery?.via === 'phone') return 'tel';
  if (format === 'date') return 'date';
  if (format === 'uri') return 'url';
  return 'text';
}
