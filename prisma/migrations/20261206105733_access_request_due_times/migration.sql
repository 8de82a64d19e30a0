-- AlterTable
ALTER TABLE "AccessRequest" ADD COLUMN     "escalateAt" TIMESTAMPTZ(3),
ADD COLUMN     "noticeAt" TIMESTAMPTZ(3),
ADD COLUMN     "remindAt" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "AccessRequest_status_remindAt_idx" ON "AccessRequest"("status", "remindAt");

-- CreateIndex
CREATE INDEX "AccessRequest_status_escalateAt_idx" ON "AccessRequest"("status", "escalateAt");

-- CreateIndex
CREATE INDEX "AccessRequest_status_noticeAt_idx" ON "AccessRequest"("status", "noticeAt");
