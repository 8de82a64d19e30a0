-- CreateEnum
CREATE TYPE "RotationReminderChannel" AS ENUM ('IN_APP', 'EMAIL');

-- CreateTable
CREATE TABLE "ReviewLinkChangeFlag" (
    "id" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "pdUserId" TEXT NOT NULL,
    "fromPersonId" TEXT,
    "toPersonId" TEXT,
    "changedById" TEXT NOT NULL,
    "itemCount" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ReviewLinkChangeFlag_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConnectionRotationReminder" (
    "id" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "cycle" TIMESTAMPTZ(3) NOT NULL,
    "stage" TEXT NOT NULL,
    "channel" "RotationReminderChannel" NOT NULL,
    "message" TEXT NOT NULL,
    "dueAt" TIMESTAMPTZ(3) NOT NULL,
    "error" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "readAt" TIMESTAMPTZ(3),

    CONSTRAINT "ConnectionRotationReminder_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ReviewLinkChangeFlag_campaignId_pdUserId_idx" ON "ReviewLinkChangeFlag"("campaignId", "pdUserId");

-- CreateIndex
CREATE INDEX "ReviewLinkChangeFlag_changedById_idx" ON "ReviewLinkChangeFlag"("changedById");

-- CreateIndex
CREATE INDEX "ConnectionRotationReminder_personId_readAt_idx" ON "ConnectionRotationReminder"("personId", "readAt");

-- CreateIndex
CREATE UNIQUE INDEX "ConnectionRotationReminder_connectionId_cycle_stage_channel_key" ON "ConnectionRotationReminder"("connectionId", "cycle", "stage", "channel");

-- AddForeignKey
ALTER TABLE "ReviewLinkChangeFlag" ADD CONSTRAINT "ReviewLinkChangeFlag_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "ReviewCampaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConnectionRotationReminder" ADD CONSTRAINT "ConnectionRotationReminder_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "PagerDutyConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A closed campaign's link-change flags are evidence: locked like its items, decisions and submissions.
CREATE TRIGGER review_link_flag_locked BEFORE INSERT OR UPDATE OR DELETE ON "ReviewLinkChangeFlag"
  FOR EACH ROW EXECUTE FUNCTION review_evidence_locked();
