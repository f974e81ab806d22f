-- Help-desk search in the admin API: identities newest first by (created_at, id), and prefix matches on login
-- identifiers and verifiable addresses (text_pattern_ops: LIKE 'abc%' uses the index whatever the collation).

-- DropIndex
DROP INDEX "identities_project_id_idx";

-- CreateIndex
CREATE INDEX "credential_identifiers_project_id_identifier_idx" ON "credential_identifiers"("project_id", "identifier" text_pattern_ops);

-- CreateIndex
CREATE INDEX "identities_project_id_created_at_id_idx" ON "identities"("project_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "verifiable_addresses_project_id_value_idx" ON "verifiable_addresses"("project_id", "value" text_pattern_ops);
