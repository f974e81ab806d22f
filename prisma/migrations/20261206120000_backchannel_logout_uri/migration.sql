-- AlterTable
ALTER TABLE "applications" ADD COLUMN     "backchannel_logout_uri" TEXT;
