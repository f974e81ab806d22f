-- Identity schemas. Existing identities get schema_version 1 from the column default: version 1 of every
-- project is the built-in default schema (email + name), which the API writes on the project's first use
-- of schemas, so no data step is needed here.

-- AlterTable
ALTER TABLE "identities" ADD COLUMN     "schema_version" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "identity_schemas" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "schema" JSONB NOT NULL,
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "identity_schemas_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "identity_schemas_project_id_version_key" ON "identity_schemas"("project_id", "version");

-- AddForeignKey
ALTER TABLE "identity_schemas" ADD CONSTRAINT "identity_schemas_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
