-- Client secret rotation with a grace period for the previous secret, and post-logout redirect URIs.

-- AlterTable
ALTER TABLE "applications" ADD COLUMN     "post_logout_redirect_uris" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "previous_secret_expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "previous_secret_hash" TEXT;
