import { Prisma } from '../../generated/prisma/client';

/** P2002: a unique constraint refused the write (only the code is portable across adapters). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/** P2025: the record to update or delete does not exist (or did not match the filter). */
export function isNotFound(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025';
}
