'use client';

import { Field } from '../common/page-parts';
import { inputClass } from '../ui';

/** What the API asks of an admin action's reason (kept in the audit log): 3 to 500 characters. */
export function reasonProblem(reason: string): string | undefined {
  const trimmed = reason.trim();
  if (trimmed.length < 3) return 'Say why, in at least 3 characters (a ticket number will do).';
  if (trimmed.length > 500) return 'At most 500 characters.';
  return undefined;
}

/** The reason every action on a user's account asks for, with the audit log's purpose as its hint. */
export function ReasonField({
  label = 'Reason',
  hint,
  value,
  error,
  rows = 2,
  onChange,
}: {
  label?: string;
  hint: string;
  value: string;
  error?: string;
  rows?: number;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(props) => (
        <textarea
          {...props}
          rows={rows}
          maxLength={600}
          className={inputClass}
          value={value}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
    </Field>
  );
}
