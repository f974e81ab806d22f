-- The admin API's identity list and search: newest first by (created_at, id), walked in that order until a page is
-- full. It also serves every lookup by project, so the project_id index it replaces goes.

-- DropIndex
DROP INDEX "identities_project_id_idx";

-- CreateIndex
CREATE INDEX "identities_project_id_created_at_id_idx" ON "identities"("project_id", "created_at", "id");
