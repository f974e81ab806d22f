-- AlterTable
ALTER TABLE "authorization_codes" ALTER COLUMN "redirect_uri" DROP NOT NULL;

-- AlterTable
ALTER TABLE "flows" ADD COLUMN     "auth_session_hash" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "flows_auth_session_hash_key" ON "flows"("auth_session_hash");
