'use client';

import type { RegistrationField } from '@keyway/admin-api';
import { useId } from 'react';
import { inputClass } from '../ui';

/** Input kinds the API names that are plain `<input type=…>`. */
const INPUT_TYPES = new Set(['text', 'email', 'tel', 'date', 'number', 'url']);

/**
 * The registration form a schema generates, as real (disabled) controls in the API's order: each trait's
 * label, required marker, input kind and choices, as the hosted page and the app-native API present them.
 */
export function RegistrationPreview({ fields, label }: { fields: readonly RegistrationField[]; label: string }) {
  return (
    <form
      aria-label={label}
      onSubmit={(event) => event.preventDefault()}
      className="space-y-4 rounded-xl border border-zinc-200 bg-zinc-50 p-5 dark:border-zinc-800 dark:bg-zinc-950"
    >
      <p className="text-sm font-semibold">Create your account</p>
      {fields.length === 0 && <p className="text-sm text-zinc-500">No fields.</p>}
      {fields.map((field) => (
        <PreviewField key={field.param} field={field} />
      ))}
      <p className="border-t border-zinc-200 pt-3 text-xs text-zinc-500 dark:border-zinc-800">
        The sign-up method adds its own fields after these (the password, for password registration).
      </p>
    </form>
  );
}

function PreviewField({ field }: { field: RegistrationField }) {
  const id = useId();
  const meta = (
    <p className="mt-1 font-mono text-[11px] text-zinc-400" id={`${id}-meta`}>
      {field.param} · {field.input}
      {field.options?.length ? `: ${field.options.join(', ')}` : ''}
    </p>
  );
  const required = field.required ? (
    <span aria-hidden="true" className="ml-0.5 text-rose-600">
      *
    </span>
  ) : null;

  if (field.input === 'checkbox')
    return (
      <div data-trait={field.trait}>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" disabled required={field.required} aria-describedby={`${id}-meta`} />
          <span>
            {field.displayName}
            {required}
          </span>
        </label>
        {meta}
      </div>
    );

  const common = { id, disabled: true, required: field.required, 'aria-describedby': `${id}-meta` };
  return (
    <div data-trait={field.trait}>
      <label htmlFor={id} className="block text-sm font-medium">
        {field.displayName}
        {required}
      </label>
      <div className="mt-1.5">
        {field.input === 'select' ? (
          <select {...common} className={inputClass} defaultValue="">
            <option value="" disabled>
              Choose…
            </option>
            {(field.options ?? []).map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        ) : field.input === 'textarea' ? (
          <textarea {...common} rows={2} className={inputClass} />
        ) : (
          <input {...common} type={INPUT_TYPES.has(field.input) ? field.input : 'text'} className={inputClass} />
        )}
      </div>
      {meta}
    </div>
  );
}
