-- CreateEnum
CREATE TYPE "VerifiableAddressVia" AS ENUM ('email', 'phone');

-- CreateTable
CREATE TABLE "verifiable_addresses" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "identity_id" UUID NOT NULL,
    "via" "VerifiableAddressVia" NOT NULL,
    "value" TEXT NOT NULL,
    "verified" BOOLEAN NOT NULL DEFAULT false,
    "verified_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "verifiable_addresses_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "verifiable_addresses_identity_id_idx" ON "verifiable_addresses"("identity_id");

-- CreateIndex
CREATE UNIQUE INDEX "verifiable_addresses_project_id_via_value_key" ON "verifiable_addresses"("project_id", "via", "value");

-- AddForeignKey
ALTER TABLE "verifiable_addresses" ADD CONSTRAINT "verifiable_addresses_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "verifiable_addresses" ADD CONSTRAINT "verifiable_addresses_identity_id_fkey" FOREIGN KEY ("identity_id") REFERENCES "identities"("id") ON DELETE CASCADE ON UPDATE CASCADE;


