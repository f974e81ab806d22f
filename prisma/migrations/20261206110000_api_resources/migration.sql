-- CreateTable
CREATE TABLE "api_resources" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "identifier" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "scopes" JSONB NOT NULL DEFAULT '[]',
    "access_token_ttl_seconds" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "api_resources_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "application_resource_grants" (
    "application_id" UUID NOT NULL,
    "resource_id" UUID NOT NULL,
    "scopes" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "application_resource_grants_pkey" PRIMARY KEY ("application_id","resource_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_resources_project_id_identifier_key" ON "api_resources"("project_id", "identifier");

-- CreateIndex
CREATE INDEX "application_resource_grants_resource_id_idx" ON "application_resource_grants"("resource_id");

-- AddForeignKey
ALTER TABLE "api_resources" ADD CONSTRAINT "api_resources_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "application_resource_grants" ADD CONSTRAINT "application_resource_grants_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "application_resource_grants" ADD CONSTRAINT "application_resource_grants_resource_id_fkey" FOREIGN KEY ("resource_id") REFERENCES "api_resources"("id") ON DELETE CASCADE ON UPDATE CASCADE;
