-- Signing-key rotation (docs/signing-keys.md): a key is `next` (published, not signing), then `active` (signing),
-- then `retiring` (published until retires_at, when every token it signed has expired). The database holds the
-- invariant, one active and one next key per project and alg, with two partial unique indexes.
-- And the ID-token alg per application (RS256 unless the client asks for ES256 or EdDSA).

-- AlterTable
ALTER TABLE "applications" ADD COLUMN     "id_token_signed_response_alg" TEXT NOT NULL DEFAULT 'RS256';

-- AlterTable
ALTER TABLE "signing_keys" ADD COLUMN     "activated_at" TIMESTAMPTZ(3),
ADD COLUMN     "retires_at" TIMESTAMPTZ(3);

-- AlterEnum: `retired` (never written) becomes `retiring`, leaving the JWKS at once.
CREATE TYPE "SigningKeyStatus_new" AS ENUM ('next', 'active', 'retiring');
ALTER TABLE "public"."signing_keys" ALTER COLUMN "status" DROP DEFAULT;
ALTER TABLE "signing_keys" ALTER COLUMN "status" TYPE "SigningKeyStatus_new"
  USING (CASE WHEN "status"::text = 'retired' THEN 'retiring' ELSE "status"::text END::"SigningKeyStatus_new");
ALTER TYPE "SigningKeyStatus" RENAME TO "SigningKeyStatus_old";
ALTER TYPE "SigningKeyStatus_new" RENAME TO "SigningKeyStatus";
DROP TYPE "public"."SigningKeyStatus_old";
ALTER TABLE "signing_keys" ALTER COLUMN "status" SET DEFAULT 'active';

UPDATE "signing_keys" SET "retires_at" = CURRENT_TIMESTAMP WHERE "status" = 'retiring' AND "retires_at" IS NULL;
UPDATE "signing_keys" SET "activated_at" = "created_at" WHERE "status" = 'active';
-- The newest active key of an alg signed until now; an older one (none is expected) stays published for a day,
-- the longest a token may live.
UPDATE "signing_keys" AS k SET "status" = 'retiring', "retires_at" = CURRENT_TIMESTAMP + INTERVAL '1 day'
WHERE k."status" = 'active' AND EXISTS (
  SELECT 1 FROM "signing_keys" AS newer
  WHERE newer."project_id" = k."project_id" AND newer."alg" = k."alg" AND newer."status" = 'active'
    AND (newer."created_at", newer."id") > (k."created_at", k."id")
);

-- CreateIndex
CREATE UNIQUE INDEX "signing_keys_one_active_per_alg" ON "signing_keys"("project_id", "alg") WHERE (status = 'active');

-- CreateIndex
CREATE UNIQUE INDEX "signing_keys_one_next_per_alg" ON "signing_keys"("project_id", "alg") WHERE (status = 'next');
