import { Inject, Injectable } from '@nestjs/common';
import { createLocalJWKSet, importJWK, type JSONWebKeySet, type JWK } from 'jose';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { randomToken } from '../../infra/crypto/tokens';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import { ApiError, fieldError, type FieldError } from '../../infra/http/errors';
import { isUuid } from '../../infra/http/ids';
import { ApplicationsService } from '../applications/applications.service';
import { upstreamUrlProblem } from '../connections/connection';
import { checkClaimMapping } from '../schemas/claim-mapping';
import type { Project } from '../projects/projects.service';
import { IdentitySchemasService } from '../schemas/identity-schemas.service';
import {
  DEFAULT_ALGS,
  DEFAULT_CALLBACK_TIMEOUT_MS,
  type AsymmetricAlg,
  type TokenIssuerMode,
  type TrustedTokenIssuer,
  type UpdatePolicy,
} from './trusted-token-issuer';
import {
  TrustedTokenIssuersRepository,
  type NewTrustedTokenIssuer,
  type TrustedTokenIssuerChanges,
} from './trusted-token-issuers.repository';

export interface CreateTokenIssuerInput {
  name: string;
  mode: TokenIssuerMode;
  issuer?: string | undefined;
  audiences?: string[] | undefined;
  jwksUri?: string | undefined;
  jwks?: { keys: Record<string, unknown>[] } | undefined;
  allowedAlgs?: AsymmetricAlg[] | undefined;
  callbackUrl?: string | undefined;
  callbackTimeoutMs?: number | undefined;
  subjectClaim?: string | undefined;
  claimMapping?: Record<string, string> | undefined;
  updatePolicy?: UpdatePolicy | undefined;
  /** By client_id. */
  applications?: string[] | undefined;
}

/** `jwksUri` and `jwks` replace each other: setting one clears the other. */
export type UpdateTokenIssuerInput = Partial<Omit<CreateTokenIssuerInput, 'name' | 'mode'>>;

/** An issuer with the callback secret, shown once (opaque mode: at creation and rotation). */
export interface IssuerWithSecret {
  issuer: TrustedTokenIssuer;
  callbackSecret: string | undefined;
}

const JWT_FIELDS = ['issuer', 'audiences', 'jwksUri', 'jwks', 'allowedAlgs'] as const;
const OPAQUE_FIELDS = ['callbackUrl', 'callbackTimeoutMs'] as const;

/** The admin side of trusted token issuers: each mode's settings checked, keys parsed, the callback secret made. */
@Injectable()
export class TrustedTokenIssuersService {
  constructor(
    private readonly issuers: TrustedTokenIssuersRepository,
    private readonly applications: ApplicationsService,
    private readonly schemas: IdentitySchemasService,
    @Inject(KEYWAY_CONFIG) private readonly config: KeywayConfig,
  ) {}

  list(project: Project): Promise<TrustedTokenIssuer[]> {
    return this.issuers.list(project.id);
  }

  async get(project: Project, id: string): Promise<TrustedTokenIssuer> {
    const issuer = isUuid(id) ? await this.issuers.find(project.id, id) : undefined;
    if (!issuer) throw ApiError.notFound(`No token issuer with id '${id}'.`);
    return issuer;
  }

  async create(project: Project, input: CreateTokenIssuerInput): Promise<IssuerWithSecret> {
    this.checkModeFields(input.mode, input);
    const claimMapping = input.claimMapping ?? {};
    const [applicationIds] = await Promise.all([
      this.applicationIdsOf(project, input.applications ?? []),
      checkClaimMapping(this.schemas, project.id, claimMapping),
    ]);
    const jwt = input.mode === 'jwt';
    if (jwt) {
      const missing: string[] = (['issuer', 'audiences'] as const).filter((field) => !input[field]?.length);
      if (input.jwksUri === undefined && input.jwks === undefined) missing.push('jwksUri');
      if (missing.length)
        throw ApiError.invalidFields(
          missing.map((field) => fieldError(field, 'field_required', 'required in jwt mode')),
        );
    } else if (!input.callbackUrl)
      throw ApiError.invalidFields([fieldError('callbackUrl', 'field_required', 'required in opaque mode')]);
    await this.checkKeys(input);
    this.checkUrls(input);
    const callbackSecret = jwt ? undefined : newCallbackSecret();
    const issuer: NewTrustedTokenIssuer = {
      name: input.name,
      mode: input.mode,
      issuer: jwt ? input.issuer! : null,
      audiences: jwt ? input.audiences! : [],
      jwksUri: jwt ? (input.jwksUri ?? null) : null,
      jwks: jwt ? (input.jwks ?? null) : null,
      allowedAlgs: jwt ? (input.allowedAlgs ?? [...DEFAULT_ALGS]) : [],
      callbackUrl: jwt ? null : input.callbackUrl!,
      callbackSecret: callbackSecret ?? null,
      callbackTimeoutMs: input.callbackTimeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS,
      subjectClaim: input.subjectClaim ?? 'sub',
      claimMapping,
      updatePolicy: input.updatePolicy ?? 'first-login',
      applicationIds,
    };
    try {
      return { issuer: await this.issuers.create(project.id, issuer), callbackSecret };
    } catch (error) {
      if (isUniqueViolation(error)) throw ApiError.conflict(`A token issuer named '${input.name}' already exists.`);
      throw error;
    }
  }

  async update(project: Project, id: string, input: UpdateTokenIssuerInput): Promise<TrustedTokenIssuer> {
    const current = await this.get(project, id);
    this.checkModeFields(current.mode, input);
    if (input.audiences !== undefined && !input.audiences.length)
      throw ApiError.invalidFields([fieldError('audiences', 'field_required', 'at least one audience')]);
    if (input.jwksUri !== undefined && input.jwks !== undefined)
      throw ApiError.invalidFields([fieldError('jwks', 'field_not_allowed', 'give jwksUri or jwks, not both')]);
    await this.checkKeys(input);
    this.checkUrls(input);
    if (input.claimMapping) await checkClaimMapping(this.schemas, project.id, input.claimMapping);
    const { applications, jwksUri, jwks, ...rest } = input;
    const changes: TrustedTokenIssuerChanges = {
      ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
      // The keys come from one place: setting one source clears the other.
      ...(jwksUri !== undefined ? { jwksUri, jwks: null } : {}),
      ...(jwks !== undefined ? { jwks, jwksUri: null } : {}),
      ...(applications ? { applicationIds: await this.applicationIdsOf(project, applications) } : {}),
    };
    const updated = await this.issuers.update(project.id, id, changes);
    if (!updated) throw ApiError.notFound(`No token issuer with id '${id}'.`);
    return updated;
  }

  /** Opaque mode: a new callback secret, returned once; the old one stops signing at once. */
  async rotateSecret(project: Project, id: string): Promise<IssuerWithSecret> {
    const current = await this.get(project, id);
    if (current.mode !== 'opaque') throw ApiError.badRequest('Only opaque-mode issuers have a callback secret.');
    const callbackSecret = newCallbackSecret();
    const issuer = await this.issuers.update(project.id, id, { callbackSecret });
    if (!issuer) throw ApiError.notFound(`No token issuer with id '${id}'.`);
    return { issuer, callbackSecret };
  }

  async remove(project: Project, id: string): Promise<void> {
    if (!isUuid(id) || !(await this.issuers.delete(project.id, id)))
      throw ApiError.notFound(`No token issuer with id '${id}'.`);
  }

  /** 400 for a setting of the other mode. */
  private checkModeFields(mode: TokenIssuerMode, input: UpdateTokenIssuerInput): void {
    const foreign = mode === 'jwt' ? OPAQUE_FIELDS : JWT_FIELDS;
    const given = foreign.filter((field) => input[field] !== undefined);
    if (given.length)
      throw ApiError.invalidFields(
        given.map((field) => fieldError(field, 'field_not_allowed', `not a setting of ${mode} mode`)),
      );
  }

  /** https only (http on loopback outside production), as for connections. */
  private checkUrls(input: UpdateTokenIssuerInput): void {
    const problems: FieldError[] = (['jwksUri', 'callbackUrl'] as const).flatMap((field) => {
      const url = input[field];
      const problem = url === undefined ? undefined : upstreamUrlProblem(url, this.config.production);
      return problem ? [fieldError(field, 'invalid_url', problem)] : [];
    });
    if (problems.length) throw ApiError.invalidFields(problems);
  }

  /** A static JWKS: public signing keys only, each importable. */
  private async checkKeys(input: UpdateTokenIssuerInput): Promise<void> {
    if (input.jwks === undefined) return;
    const refuse = (message: string) => ApiError.invalidFields([fieldError('jwks', 'invalid_jwks', message)]);
    const keys = input.jwks.keys as JWK[];
    if (!keys.length) throw refuse('holds no key');
    // A private or symmetric key has no business here: Keyway only verifies the partner's signatures.
    if (keys.some((key) => key.kty === 'oct' || 'd' in key || 'k' in key))
      throw refuse('must hold public keys only (no private or symmetric key)');
    if (keys.some((key) => key.use === 'enc')) throw refuse('must hold signing keys (use "sig"), not encryption keys');
    try {
      createLocalJWKSet(input.jwks as unknown as JSONWebKeySet);
      await Promise.all(keys.map((key) => importJWK(key, key.alg ?? defaultAlgOf(key))));
    } catch {
      throw refuse('is not a valid JSON Web Key Set');
    }
  }

  /** The project's applications by client_id; 400 naming those it does not have, or any named twice. */
  private async applicationIdsOf(project: Project, clientIds: readonly string[]): Promise<string[]> {
    const repeated = clientIds.filter((clientId, index) => clientIds.indexOf(clientId) !== index);
    if (repeated.length) throw ApiError.badRequest(`applications: '${repeated[0]}' is named more than once.`);
    const found = await Promise.all(
      clientIds.map((clientId) => this.applications.findByClientId(project.id, clientId)),
    );
    const unknown = clientIds.filter((_, index) => !found[index]);
    if (unknown.length)
      throw ApiError.badRequest(`applications: no application '${unknown.join("', '")}' in this project.`);
    return found.map((application) => application!.id);
  }
}

/** 256 bits, base64url: the HMAC key partners verify Keyway's calls with. */
function newCallbackSecret(): string {
  return randomToken(32);
}

/** The alg to import a key without `alg` as (its type's usual one; the token's own alg is checked at use). */
function defaultAlgOf(key: JWK): string {
  if (key.kty === 'EC') return key.crv === 'P-384' ? 'ES384' : key.crv === 'P-521' ? 'ES512' : 'ES256';
  if (key.kty === 'OKP') return 'EdDSA';
  return 'RS256';
}
