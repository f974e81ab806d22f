-- One optimistic lock for every flow type: a version bumped by each write that changes a flow's progress and
-- compared in its WHERE (before, the login engine compared step_index, self-service step_index and
-- failed_attempts). Flows in progress start at 0, which their next write compares as any other.

-- AlterTable
ALTER TABLE "flows" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0;
