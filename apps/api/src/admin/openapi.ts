import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ApiErrorBody } from '@keyway/admin-api';
import { z } from 'zod';

const jsonSchema = (schema: z.ZodType): object => z.toJSONSchema(schema, { io: 'output' }) as object;

/**
 * The response an admin endpoint documents: its success schema (from @keyway/admin-api, the type its handler
 * returns) and the error body every failure shares.
 */
export const AdminResponse = (schema: z.ZodType | null, status: HttpStatus = HttpStatus.OK) =>
  applyDecorators(
    ApiResponse(
      schema
        ? { status, description: 'Success', schema: jsonSchema(schema) }
        : { status, description: 'Success (no content)' },
    ),
    ApiResponse({ status: 'default', description: 'An error (see docs/errors.md)', schema: jsonSchema(ApiErrorBody) }),
  );
