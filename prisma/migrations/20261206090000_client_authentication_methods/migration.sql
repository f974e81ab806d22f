-- Client authentication fixed per application (RFC 7591 token_endpoint_auth_method), private_key_jwt keys
-- (RFC 7523), and the single-use record of accepted client assertions.

-- CreateEnum
CREATE TYPE "TokenAuthMethod" AS ENUM ('none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt');

-- AlterTable
ALTER TABLE "applications" ADD COLUMN     "jwks" JSONB,
ADD COLUMN     "jwks_uri" TEXT,
ADD COLUMN     "token_endpoint_auth_method" "TokenAuthMethod" NOT NULL DEFAULT 'client_secret_basic';

-- Public clients never authenticate; existing confidential ones keep client_secret_basic (the default above).
-- Before this migration they could also send client_secret_post: such a client must be switched to it.
UPDATE "applications" SET "token_endpoint_auth_method" = 'none' WHERE "type" = 'public';

-- CreateTable
CREATE TABLE "client_assertions" (
    "application_id" UUID NOT NULL,
    "jti" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "client_assertions_pkey" PRIMARY KEY ("application_id","jti")
);

-- CreateIndex
CREATE INDEX "client_assertions_expires_at_idx" ON "client_assertions"("expires_at");

-- AddForeignKey
ALTER TABLE "client_assertions" ADD CONSTRAINT "client_assertions_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;
