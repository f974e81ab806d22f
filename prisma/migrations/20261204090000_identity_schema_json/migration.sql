-- Keep identity schemas as written: jsonb sorts object keys, which reordered traits without display.order.
-- AlterTable
ALTER TABLE "identity_schemas" ALTER COLUMN "schema" SET DATA TYPE JSON;
