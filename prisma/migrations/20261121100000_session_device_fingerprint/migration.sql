-- Sessions record the device a login completed on; the fingerprint (SHA-256 of the normalised User-Agent)
-- is a column so "has this identity signed in from this device before" is one index probe.

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "device_fingerprint" TEXT;

-- CreateIndex (before dropping the old one, which it replaces: identity_id is its prefix)
CREATE INDEX "sessions_identity_id_device_fingerprint_idx" ON "sessions"("identity_id", "device_fingerprint");

-- DropIndex
DROP INDEX "sessions_identity_id_idx";
