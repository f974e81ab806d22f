import { applyDecorators, HttpStatus, Param } from '@nestjs/common';
import { ApiParam, ApiResponse } from '@nestjs/swagger';
import { ApiErrorBody } from '@keyway/admin-api';
import { z } from 'zod';

const jsonSchema = (schema: z.ZodType): object => z.toJSONSchema(schema, { io: 'output' }) as object;

/**
 * The response an endpoint documents: its success schema (from @keyway/admin-api, the type its handler
 * returns) and the error body every failure shares.
 */
export const DocumentedResponse = (schema: z.ZodType | null, status: HttpStatus = HttpStatus.OK) =>
  applyDecorators(
    ApiResponse(
      schema
        ? { status, description: 'Success', schema: jsonSchema(schema) }
        : { status, description: 'Success (no content)' },
    ),
    ApiResponse({ status: 'default', description: 'An error (see docs/errors.md)', schema: jsonSchema(ApiErrorBody) }),
  );

/**
 * `@Param(name, pipe)` that also documents the path segment as a string. A pipe that resolves the segment to
 * an entity (a Project) leaves the explorer a type it cannot describe, and it would drop `{name}` from the
 * document, leaving generated clients unable to fill it in.
 */
export const DocumentedPathParam =
  (name: string, description: string, ...pipes: Parameters<typeof Param>[1][]): ParameterDecorator =>
  (target, method, index): void => {
    Param(name, ...pipes)(target, method, index);
    const descriptor = method === undefined ? undefined : Object.getOwnPropertyDescriptor(target, method);
    if (method !== undefined && descriptor) ApiParam({ name, type: String, description })(target, method, descriptor);
  };

/** The `{tenant}` segment, for routes whose guard (not a parameter) reads it. */
export const TenantPathParam = () =>
  ApiParam({ name: 'tenant', type: String, description: "The project's slug, the last segment of its issuer" });
