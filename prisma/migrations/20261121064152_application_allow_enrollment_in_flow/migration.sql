-- AlterTable
ALTER TABLE "applications" ADD COLUMN     "allow_enrollment_in_flow" BOOLEAN NOT NULL DEFAULT false;
