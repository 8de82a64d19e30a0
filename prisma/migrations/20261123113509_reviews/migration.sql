-- CreateEnum
CREATE TYPE "ReviewCampaignStatus" AS ENUM ('DRAFT', 'ACTIVE', 'CLOSED');

-- CreateEnum
CREATE TYPE "ReviewItemKind" AS ENUM ('BASE_ROLE', 'TEAM_MEMBER', 'SCHEDULE_MEMBER', 'CREDENTIAL');

-- CreateEnum
CREATE TYPE "ReviewDecisionKind" AS ENUM ('CERTIFY', 'REVOKE', 'MODIFY');

-- CreateEnum
CREATE TYPE "ReviewItemState" AS ENUM ('PENDING', 'DECIDED', 'EXCEPTION');

-- CreateEnum
CREATE TYPE "ReviewRemediationState" AS ENUM ('NONE', 'PENDING', 'VERIFIED', 'FAILED', 'MANUAL');

-- CreateEnum
CREATE TYPE "ReviewReminderKind" AS ENUM ('DUE_SOON', 'OVERDUE', 'ESCALATED');

-- CreateEnum
CREATE TYPE "ReviewReminderChannel" AS ENUM ('EMAIL', 'IN_APP');

-- CreateTable
CREATE TABLE "ReviewCampaign" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "status" "ReviewCampaignStatus" NOT NULL DEFAULT 'DRAFT',
    "connectionIds" TEXT[],
    "scope" JSONB NOT NULL,
    "policy" JSONB NOT NULL,
    "fallbackReviewerId" TEXT NOT NULL,
    "justifyHighRisk" BOOLEAN NOT NULL DEFAULT false,
    "dueAt" TIMESTAMPTZ(3) NOT NULL,
    "recurrenceMonths" INTEGER,
    "previousCampaignId" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "launchedAt" TIMESTAMPTZ(3),
    "launchedById" TEXT,
    "staleOverrideReason" TEXT,
    "manifest" JSONB,
    "snapshotSha256" TEXT,
    "itemCount" INTEGER NOT NULL DEFAULT 0,
    "closedAt" TIMESTAMPTZ(3),
    "closedById" TEXT,
    "forceClosed" BOOLEAN NOT NULL DEFAULT false,
    "closeReason" TEXT,
    "escalatedAt" TIMESTAMPTZ(3),
    "recurredAt" TIMESTAMPTZ(3),

    CONSTRAINT "ReviewCampaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReviewOwner" (
    "id" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "subjectType" TEXT NOT NULL,
    "subjectRef" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReviewOwner_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PersonManager" (
    "personId" TEXT NOT NULL,
    "managerId" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'identity_source',
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PersonManager_pkey" PRIMARY KEY ("personId")
);

-- CreateTable
CREATE TABLE "ReviewItem" (
    "id" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "connectionId" TEXT NOT NULL,
    "kind" "ReviewItemKind" NOT NULL,
    "grantId" TEXT,
    "pdUserId" TEXT,
    "subjectPersonId" TEXT,
    "subjectName" TEXT NOT NULL,
    "subjectEmail" TEXT NOT NULL,
    "entitlementKey" TEXT NOT NULL,
    "entitlementLabel" TEXT NOT NULL,
    "role" TEXT,
    "teamPdId" TEXT,
    "teamName" TEXT,
    "schedulePdId" TEXT,
    "grantOrigin" TEXT,
    "risks" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "riskScore" INTEGER NOT NULL DEFAULT 0,
    "state" "ReviewItemState" NOT NULL DEFAULT 'PENDING',
    "step" INTEGER NOT NULL DEFAULT 1,
    "reviewerId" TEXT,
    "reviewerReason" TEXT NOT NULL,
    "assignedReviewerId" TEXT,
    "draftDecision" "ReviewDecisionKind",
    "draftRole" TEXT,
    "draftJustification" TEXT,
    "draftAt" TIMESTAMPTZ(3),
    "decision" "ReviewDecisionKind",
    "decisionRole" TEXT,
    "justification" TEXT,
    "decidedById" TEXT,
    "decidedAt" TIMESTAMPTZ(3),
    "remediation" "ReviewRemediationState" NOT NULL DEFAULT 'NONE',
    "changeId" TEXT,
    "remediationError" TEXT,
    "appliedAt" TIMESTAMPTZ(3),
    "verifiedAt" TIMESTAMPTZ(3),
    "exceptionReason" TEXT,
    "rubberStamp" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "ReviewItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReviewDecision" (
    "id" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "itemId" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "submissionId" TEXT NOT NULL,
    "decision" "ReviewDecisionKind" NOT NULL,
    "role" TEXT,
    "justification" TEXT,
    "reviewerId" TEXT NOT NULL,
    "reviewerReason" TEXT NOT NULL,
    "decidedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ReviewDecision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReviewSubmission" (
    "id" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "reviewerId" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "certified" INTEGER NOT NULL,
    "revoked" INTEGER NOT NULL,
    "modified" INTEGER NOT NULL,
    "rubberStamp" BOOLEAN NOT NULL DEFAULT false,
    "rubberStampReason" TEXT,
    "acknowledged" BOOLEAN NOT NULL DEFAULT false,
    "changeBatchId" TEXT,
    "submittedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ReviewSubmission_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReviewDelegation" (
    "id" TEXT NOT NULL,
    "fromPersonId" TEXT NOT NULL,
    "toPersonId" TEXT NOT NULL,
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "endsAt" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ReviewDelegation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReviewReminder" (
    "id" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "kind" "ReviewReminderKind" NOT NULL,
    "channel" "ReviewReminderChannel" NOT NULL,
    "message" TEXT NOT NULL,
    "error" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "readAt" TIMESTAMPTZ(3),

    CONSTRAINT "ReviewReminder_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ReviewCampaign_status_dueAt_idx" ON "ReviewCampaign"("status", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "ReviewOwner_connectionId_subjectType_subjectRef_personId_key" ON "ReviewOwner"("connectionId", "subjectType", "subjectRef", "personId");

-- CreateIndex
CREATE INDEX "ReviewItem_campaignId_reviewerId_state_idx" ON "ReviewItem"("campaignId", "reviewerId", "state");

-- CreateIndex
CREATE INDEX "ReviewItem_campaignId_state_idx" ON "ReviewItem"("campaignId", "state");

-- CreateIndex
CREATE INDEX "ReviewItem_reviewerId_state_idx" ON "ReviewItem"("reviewerId", "state");

-- CreateIndex
CREATE INDEX "ReviewItem_changeId_idx" ON "ReviewItem"("changeId");

-- CreateIndex
CREATE UNIQUE INDEX "ReviewItem_campaignId_seq_key" ON "ReviewItem"("campaignId", "seq");

-- CreateIndex
CREATE INDEX "ReviewDecision_itemId_idx" ON "ReviewDecision"("itemId");

-- CreateIndex
CREATE INDEX "ReviewDecision_campaignId_reviewerId_idx" ON "ReviewDecision"("campaignId", "reviewerId");

-- CreateIndex
CREATE INDEX "ReviewSubmission_campaignId_reviewerId_idx" ON "ReviewSubmission"("campaignId", "reviewerId");

-- CreateIndex
CREATE INDEX "ReviewDelegation_fromPersonId_endsAt_idx" ON "ReviewDelegation"("fromPersonId", "endsAt");

-- CreateIndex
CREATE INDEX "ReviewDelegation_toPersonId_endsAt_idx" ON "ReviewDelegation"("toPersonId", "endsAt");

-- CreateIndex
CREATE INDEX "ReviewReminder_personId_readAt_idx" ON "ReviewReminder"("personId", "readAt");

-- CreateIndex
CREATE UNIQUE INDEX "ReviewReminder_campaignId_personId_kind_channel_key" ON "ReviewReminder"("campaignId", "personId", "kind", "channel");

-- AddForeignKey
ALTER TABLE "ReviewItem" ADD CONSTRAINT "ReviewItem_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "ReviewCampaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewDecision" ADD CONSTRAINT "ReviewDecision_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "ReviewCampaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewSubmission" ADD CONSTRAINT "ReviewSubmission_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "ReviewCampaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewReminder" ADD CONSTRAINT "ReviewReminder_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "ReviewCampaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Evidence is locked after close: a CLOSED campaign changes no more (only the bookkeeping of its
-- recurrence), and its items, decisions and submissions can be neither added, changed nor removed.
CREATE FUNCTION review_campaign_locked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD."status" = 'CLOSED' THEN
    RAISE EXCEPTION 'review campaign % is closed: its evidence is immutable', OLD."id" USING ERRCODE = 'P0001';
  END IF;
  IF TG_OP = 'UPDATE' AND OLD."status" = 'CLOSED'
     AND (to_jsonb(NEW) - 'recurredAt') IS DISTINCT FROM (to_jsonb(OLD) - 'recurredAt') THEN
    RAISE EXCEPTION 'review campaign % is closed: its evidence is immutable', OLD."id" USING ERRCODE = 'P0001';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER review_campaign_locked BEFORE UPDATE OR DELETE ON "ReviewCampaign"
  FOR EACH ROW EXECUTE FUNCTION review_campaign_locked();

CREATE FUNCTION review_evidence_locked() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  campaign_id text;
BEGIN
  IF TG_OP = 'DELETE' THEN campaign_id := OLD."campaignId"; ELSE campaign_id := NEW."campaignId"; END IF;
  IF EXISTS (SELECT 1 FROM "ReviewCampaign" WHERE "id" = campaign_id AND "status" = 'CLOSED') THEN
    RAISE EXCEPTION 'review campaign % is closed: its evidence is immutable', campaign_id USING ERRCODE = 'P0001';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER review_item_locked BEFORE INSERT OR UPDATE OR DELETE ON "ReviewItem"
  FOR EACH ROW EXECUTE FUNCTION review_evidence_locked();
CREATE TRIGGER review_decision_locked BEFORE INSERT OR UPDATE OR DELETE ON "ReviewDecision"
  FOR EACH ROW EXECUTE FUNCTION review_evidence_locked();
CREATE TRIGGER review_submission_locked BEFORE INSERT OR UPDATE OR DELETE ON "ReviewSubmission"
  FOR EACH ROW EXECUTE FUNCTION review_evidence_locked();
