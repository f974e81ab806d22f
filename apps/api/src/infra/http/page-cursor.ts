import { z } from 'zod';
import { ApiError, fieldError } from './errors';
import { isUuid } from './ids';

/** A list's page size in the query: 1..100, 25 when absent (query parameters arrive as strings). */
export const PageLimit = z
  .string()
  .regex(/^[0-9]{1,3}$/, 'must be a whole number from 1 to 100')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100'))
  .optional()
  .transform((limit) => limit ?? 25);

/** A previous page's `nextCursor` in the query; what it names is checked by cursorPosition. */
export const PageCursor = z.string().min(1).max(200).optional();

/** Where a page of a list ordered newest first by (createdAt, id) ends: the next page starts after it. */
export interface PagePosition {
  createdAt: Date;
  id: string;
}

/** A page of a list and the cursor of the next one (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The cursor handed to clients: opaque (base64url of the position), so the order it encodes may change
 * without breaking them. It names a row's place in the order, never a secret, and is not signed: a forged
 * cursor only starts a page elsewhere in a list the caller may read anyway.
 */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(`${position.createdAt.toISOString()}|${position.id}`, 'utf8').toString('base64url');
}

/** The position a cursor names, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): PagePosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (rest.length || !id || !isUuid(id) || Number.isNaN(createdAt.getTime())) return undefined;
  return { createdAt, id };
}

/** The position a query's cursor names; a cursor that is not ours is 400 naming the parameter. */
export function cursorPosition(cursor: string | undefined): PagePosition | undefined {
  if (cursor === undefined) return undefined;
  const position = decodeCursor(cursor);
  if (!position)
    throw ApiError.invalidFields([
      fieldError('cursor', 'msg_field_invalid', "is not a cursor from this list's nextCursor"),
    ]);
  return position;
}

/**
 * A page from rows read with `limit + 1`: the extra row only says there is a next page, whose cursor is the
 * last row shown.
 */
export function pageOf<R extends PagePosition, T>(rows: R[], limit: number, view: (row: R) => T): Page<T> {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return { items: shown.map(view), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
