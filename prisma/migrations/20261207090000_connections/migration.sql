-- CreateEnum
CREATE TYPE "ConnectionKind" AS ENUM ('oidc', 'oauth2');

-- CreateEnum
CREATE TYPE "ConnectionPreset" AS ENUM ('google', 'apple', 'microsoft', 'github', 'facebook', 'oidc', 'oauth2');

-- CreateEnum
CREATE TYPE "ConnectionLinkingPolicy" AS ENUM ('proof', 'trust-verified-email', 'never');

-- CreateEnum
CREATE TYPE "ConnectionMode" AS ENUM ('native', 'redirect', 'both');

-- CreateTable
CREATE TABLE "connections" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ConnectionKind" NOT NULL,
    "preset" "ConnectionPreset" NOT NULL,
    "client_id" TEXT NOT NULL,
    "client_secret_sealed" TEXT,
    "allowed_audiences" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "issuer" TEXT,
    "authorization_url" TEXT,
    "token_url" TEXT,
    "userinfo_url" TEXT,
    "jwks_uri" TEXT,
    "discovery_url" TEXT,
    "claim_mapping" JSONB NOT NULL DEFAULT '{}',
    "trust_email_verified" BOOLEAN NOT NULL DEFAULT false,
    "linking_policy" "ConnectionLinkingPolicy" NOT NULL DEFAULT 'proof',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "connection_applications" (
    "connection_id" UUID NOT NULL,
    "application_id" UUID NOT NULL,
    "mode" "ConnectionMode" NOT NULL,

    CONSTRAINT "connection_applications_pkey" PRIMARY KEY ("connection_id","application_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "connections_project_id_name_key" ON "connections"("project_id", "name");

-- CreateIndex
CREATE INDEX "connection_applications_application_id_idx" ON "connection_applications"("application_id");

-- AddForeignKey
ALTER TABLE "connections" ADD CONSTRAINT "connections_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connection_applications" ADD CONSTRAINT "connection_applications_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connection_applications" ADD CONSTRAINT "connection_applications_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

