-- Progressive lockout: each lock of a subject lasts twice as long as the one before (from the project's
-- lockout.initialDurationSeconds up to lockout.durationSeconds), so a few guesses no longer lock an account
-- out for the longest time. The counter remembers how many locks in a row it had and when the last one ended.

-- AlterTable
ALTER TABLE "attempt_counters" ADD COLUMN     "last_locked_until" TIMESTAMPTZ(3),
ADD COLUMN     "lock_count" INTEGER NOT NULL DEFAULT 0;
