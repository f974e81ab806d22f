import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { PreparedSql, preparedStatement } from '../../infra/database/prepared-sql';
import { SessionsRepository } from '../sessions/sessions.repository';

export type AuthorizationCodeRow = Prisma.AuthorizationCodeGetPayload<object>;

export interface NewSessionAndCode {
  /** Chosen by the caller: the after-flow hooks that run with the session know it beforehand. */
  sessionId: string;
  projectId: string;
  applicationId: string;
  identityId: string;
  amr: string[];
  authTime: Date;
  sessionExpiresAt: Date;
  codeHash: string;
  codeExpiresAt: Date;
  /** Undefined when the authorization request carried none (First-Party Apps). */
  redirectUri: string | undefined;
  scope: string;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: string | undefined;
  /** The device the login completed on; undefined when unknown (stored as {}). */
  device?: { userAgent: string; ip: string | null; fingerprint: string } | undefined;
}

@Injectable()
export class AuthorizationCodesRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sessions: SessionsRepository,
    private readonly sql: PreparedSql,
  ) {}

  /**
   * Creates the SSO session (through its owner, SessionsRepository), then the authorization code that answers the flow. No transaction (two round
   * trips instead of four on the login path): a session whose code failed to insert is unusable and expires.
   * With `alsoInTransaction` (the after-flow hooks: a mail that must exist exactly when the session does), all three run in one.
   */
  async createWithSession(
    input: NewSessionAndCode,
    alsoInTransaction?: (tx: Prisma.TransactionClient) => Promise<unknown>,
  ): Promise<void> {
    if (!alsoInTransaction) return this.insert(undefined, input);
    await this.prisma.$transaction(async (tx) => {
      await this.insert(tx, input);
      await alsoInTransaction(tx);
    });
  }

  /**
   * A code in an existing SSO session (a later app of the same browser), carrying the session's amr and
   * auth_time; a session revoked meanwhile gets none (the insert selects the live session, in one statement).
   * False when nothing was stored.
   */
  async createInSession(input: Omit<NewSessionAndCode, 'sessionExpiresAt' | 'device'>, now: Date): Promise<boolean> {
    const id = randomUUID();
    const count = await this.prisma.$executeRaw`
      INSERT INTO "authorization_codes" ("id", "project_id", "application_id", "identity_id", "session_id", "amr",
        "auth_time", "code_hash", "expires_at", "redirect_uri", "scope", "nonce", "code_challenge", "code_challenge_method")
      SELECT ${id}::uuid, ${input.projectId}::uuid, ${input.applicationId}::uuid, ${input.identityId}::uuid, s."id",
        ${input.amr}::text[], ${input.authTime}, ${input.codeHash}, ${input.codeExpiresAt}, ${input.redirectUri ?? null},
        ${input.scope}, ${input.nonce ?? null}, ${input.codeChallenge ?? null}, ${input.codeChallengeMethod ?? null}
      FROM "sessions" s
      WHERE s."id" = ${input.sessionId}::uuid AND s."identity_id" = ${input.identityId}::uuid
        AND s."revoked_at" IS NULL AND s."expires_at" > ${now}`;
    return count === 1;
  }

  private async insert(tx: Prisma.TransactionClient | undefined, input: NewSessionAndCode): Promise<void> {
    const { sessionId, projectId, identityId, amr, authTime, device } = input;
    await this.sessions.create(tx, {
      id: sessionId,
      projectId,
      identityId,
      amr,
      authTime,
      expiresAt: input.sessionExpiresAt,
      device,
    });
    await this.sql.query(
      INSERT_AUTHORIZATION_CODE,
      [
        randomUUID(),
        projectId,
        input.applicationId,
        identityId,
        sessionId,
        amr,
        authTime,
        input.codeHash,
        input.codeExpiresAt,
        input.redirectUri ?? null,
        input.scope,
        input.nonce ?? null,
        input.codeChallenge ?? null,
        input.codeChallengeMethod ?? null,
        new Date(),
      ],
      tx,
    );
  }

  /**
   * Marks an unused code used and returns it, in one statement: single use without a race, and one round
   * trip on the token path. Undefined when no unused code has this hash (see findByHash for why).
   */
  async consume(codeHash: string, now: Date): Promise<AuthorizationCodeRow | undefined> {
    const rows = await this.sql.query(CONSUME_AUTHORIZATION_CODE, [codeHash, now]);
    return rows[0];
  }

  findByHash(codeHash: string): Promise<AuthorizationCodeRow | null> {
    return this.prisma.authorizationCode.findUnique({ where: { codeHash } });
  }
}

/** The columns of AuthorizationCodeRow, as Prisma names them. */
const AUTHORIZATION_CODE_COLUMNS = `id, project_id AS "projectId", application_id AS "applicationId", code_hash AS "codeHash",
     identity_id AS "identityId", session_id AS "sessionId", redirect_uri AS "redirectUri", scope, nonce,
     code_challenge AS "codeChallenge", code_challenge_method AS "codeChallengeMethod", amr, auth_time AS "authTime",
     expires_at AS "expiresAt", consumed_at AS "consumedAt", created_at AS "createdAt"`;

/** The code of a new session (insert): $1 its id, $2–$5 project, application, identity, session, $6 amr, $7 auth_time, $8 the code's hash, $9 expiry, $10–$14 redirect URI, scope, nonce, PKCE challenge and method, $15 created_at. */
const INSERT_AUTHORIZATION_CODE = preparedStatement<never>(
  'authorization_codes.insert',
  `INSERT INTO authorization_codes (id, project_id, application_id, identity_id, session_id, amr, auth_time, code_hash,
                                    expires_at, redirect_uri, scope, nonce, code_challenge, code_challenge_method,
                                    created_at)
   VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::uuid, $6::text[], $7::timestamptz, $8, $9::timestamptz, $10::text,
           $11, $12::text, $13::text, $14::text, $15::timestamptz)`,
);

/** consume's one statement: $1 the code's hash, $2 now. */
const CONSUME_AUTHORIZATION_CODE = preparedStatement<AuthorizationCodeRow>(
  'authorization_codes.consume',
  `UPDATE authorization_codes SET consumed_at = $2::timestamptz
   WHERE code_hash = $1 AND consumed_at IS NULL
   RETURNING ${AUTHORIZATION_CODE_COLUMNS}`,
);
