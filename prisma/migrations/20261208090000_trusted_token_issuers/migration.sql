-- CreateEnum
CREATE TYPE "TrustedTokenIssuerMode" AS ENUM ('jwt', 'opaque');

-- CreateEnum
CREATE TYPE "TrustedTokenIssuerUpdatePolicy" AS ENUM ('first-login', 'every-login');

-- AlterEnum
ALTER TYPE "CredentialType" ADD VALUE 'external_token';

-- CreateTable
CREATE TABLE "trusted_token_issuers" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "mode" "TrustedTokenIssuerMode" NOT NULL,
    "issuer" TEXT,
    "audiences" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "jwks_uri" TEXT,
    "jwks" JSONB,
    "allowed_algs" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "callback_url" TEXT,
    "callback_secret_sealed" TEXT,
    "callback_timeout_ms" INTEGER NOT NULL DEFAULT 5000,
    "subject_claim" TEXT NOT NULL DEFAULT 'sub',
    "claim_mapping" JSONB NOT NULL DEFAULT '{}',
    "update_policy" "TrustedTokenIssuerUpdatePolicy" NOT NULL DEFAULT 'first-login',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "trusted_token_issuers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trusted_token_issuer_applications" (
    "issuer_id" UUID NOT NULL,
    "application_id" UUID NOT NULL,

    CONSTRAINT "trusted_token_issuer_applications_pkey" PRIMARY KEY ("issuer_id","application_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "trusted_token_issuers_project_id_name_key" ON "trusted_token_issuers"("project_id", "name");

-- CreateIndex
CREATE INDEX "trusted_token_issuer_applications_application_id_idx" ON "trusted_token_issuer_applications"("application_id");

-- AddForeignKey
ALTER TABLE "trusted_token_issuers" ADD CONSTRAINT "trusted_token_issuers_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trusted_token_issuer_applications" ADD CONSTRAINT "trusted_token_issuer_applications_issuer_id_fkey" FOREIGN KEY ("issuer_id") REFERENCES "trusted_token_issuers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trusted_token_issuer_applications" ADD CONSTRAINT "trusted_token_issuer_applications_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;


