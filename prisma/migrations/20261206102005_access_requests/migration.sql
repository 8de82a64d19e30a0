-- CreateEnum
CREATE TYPE "AccessCatalogKind" AS ENUM ('TEAM_ROLE', 'BASE_ROLE');

-- CreateEnum
CREATE TYPE "AccessRequestKind" AS ENUM ('GRANT', 'EXTENSION');

-- CreateEnum
CREATE TYPE "AccessRequestStatus" AS ENUM ('PENDING', 'APPROVED', 'ACTIVE', 'ENDING', 'ENDED', 'DENIED', 'CANCELLED', 'TIMED_OUT', 'FAILED');

-- CreateEnum
CREATE TYPE "AccessDecisionBasis" AS ENUM ('PERSON', 'RULE', 'BREAK_GLASS', 'SYSTEM');

-- AlterEnum
ALTER TYPE "ReviewItemKind" ADD VALUE 'JIT_GRANT';

-- CreateTable
CREATE TABLE "PortalGroup" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdById" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PortalGroup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PortalGroupMember" (
    "groupId" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "addedById" TEXT,
    "addedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PortalGroupMember_pkey" PRIMARY KEY ("groupId","personId")
);

-- CreateTable
CREATE TABLE "AccessCatalogItem" (
    "id" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "kind" "AccessCatalogKind" NOT NULL,
    "entitlementKey" TEXT NOT NULL,
    "teamPdId" TEXT,
    "role" TEXT NOT NULL,
    "fromRoles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "retiredAt" TIMESTAMPTZ(3),
    "currentVersion" INTEGER NOT NULL DEFAULT 1,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AccessCatalogItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessPolicyVersion" (
    "id" TEXT NOT NULL,
    "catalogItemId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "rules" JSONB NOT NULL,
    "rulesSha256" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reason" TEXT,

    CONSTRAINT "AccessPolicyVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessRequest" (
    "id" TEXT NOT NULL,
    "number" SERIAL NOT NULL,
    "connectionId" TEXT NOT NULL,
    "catalogItemId" TEXT NOT NULL,
    "kind" "AccessRequestKind" NOT NULL DEFAULT 'GRANT',
    "extendsRequestId" TEXT,
    "policyVersion" INTEGER NOT NULL,
    "status" "AccessRequestStatus" NOT NULL,
    "requesterId" TEXT NOT NULL,
    "requesterLabel" TEXT NOT NULL,
    "pdUserId" TEXT NOT NULL,
    "entitlementKey" TEXT NOT NULL,
    "durationMinutes" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "ticket" TEXT,
    "requestedAt" TIMESTAMPTZ(3) NOT NULL,
    "decideBy" TIMESTAMPTZ(3) NOT NULL,
    "decidedAt" TIMESTAMPTZ(3),
    "decisionBasis" "AccessDecisionBasis",
    "decisionEvidence" JSONB,
    "startsAt" TIMESTAMPTZ(3),
    "endsAt" TIMESTAMPTZ(3),
    "priorState" JSONB,
    "alreadyHeld" BOOLEAN NOT NULL DEFAULT false,
    "grantChangeId" TEXT,
    "endChangeId" TEXT,
    "endReason" TEXT,
    "endedAt" TIMESTAMPTZ(3),
    "endedById" TEXT,
    "remindedAt" TIMESTAMPTZ(3),
    "escalatedAt" TIMESTAMPTZ(3),
    "expiryNoticeAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AccessRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessRequestApproval" (
    "id" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "basis" "AccessDecisionBasis" NOT NULL DEFAULT 'PERSON',
    "approverId" TEXT,
    "approverLabel" TEXT NOT NULL,
    "approverRight" TEXT NOT NULL,
    "groupId" TEXT,
    "comment" TEXT,
    "evidence" JSONB,
    "policyVersion" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AccessRequestApproval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessRequestEvent" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "requestId" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "actorLabel" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "detail" JSONB,

    CONSTRAINT "AccessRequestEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "href" TEXT,
    "emailedAt" TIMESTAMPTZ(3),
    "emailError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "readAt" TIMESTAMPTZ(3),

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PortalGroup_name_key" ON "PortalGroup"("name");

-- CreateIndex
CREATE INDEX "PortalGroupMember_personId_idx" ON "PortalGroupMember"("personId");

-- CreateIndex
CREATE INDEX "AccessCatalogItem_connectionId_retiredAt_idx" ON "AccessCatalogItem"("connectionId", "retiredAt");

-- CreateIndex
CREATE UNIQUE INDEX "AccessCatalogItem_connectionId_entitlementKey_key" ON "AccessCatalogItem"("connectionId", "entitlementKey");

-- CreateIndex
CREATE UNIQUE INDEX "AccessPolicyVersion_catalogItemId_version_key" ON "AccessPolicyVersion"("catalogItemId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "AccessRequest_number_key" ON "AccessRequest"("number");

-- CreateIndex
CREATE INDEX "AccessRequest_status_decideBy_idx" ON "AccessRequest"("status", "decideBy");

-- CreateIndex
CREATE INDEX "AccessRequest_status_endsAt_idx" ON "AccessRequest"("status", "endsAt");

-- CreateIndex
CREATE INDEX "AccessRequest_requesterId_requestedAt_idx" ON "AccessRequest"("requesterId", "requestedAt");

-- CreateIndex
CREATE INDEX "AccessRequest_connectionId_pdUserId_entitlementKey_status_idx" ON "AccessRequest"("connectionId", "pdUserId", "entitlementKey", "status");

-- CreateIndex
CREATE INDEX "AccessRequest_catalogItemId_status_idx" ON "AccessRequest"("catalogItemId", "status");

-- CreateIndex
CREATE INDEX "AccessRequest_status_requestedAt_idx" ON "AccessRequest"("status", "requestedAt");

-- CreateIndex
CREATE INDEX "AccessRequestApproval_approverId_at_idx" ON "AccessRequestApproval"("approverId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "AccessRequestApproval_requestId_approverId_key" ON "AccessRequestApproval"("requestId", "approverId");

-- CreateIndex
CREATE INDEX "AccessRequestEvent_requestId_seq_idx" ON "AccessRequestEvent"("requestId", "seq");

-- CreateIndex
CREATE INDEX "AccessRequestEvent_at_idx" ON "AccessRequestEvent"("at");

-- CreateIndex
CREATE INDEX "Notification_personId_readAt_createdAt_idx" ON "Notification"("personId", "readAt", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_personId_kind_subjectId_key" ON "Notification"("personId", "kind", "subjectId");

-- AddForeignKey
ALTER TABLE "PortalGroupMember" ADD CONSTRAINT "PortalGroupMember_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "PortalGroup"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessPolicyVersion" ADD CONSTRAINT "AccessPolicyVersion_catalogItemId_fkey" FOREIGN KEY ("catalogItemId") REFERENCES "AccessCatalogItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessRequest" ADD CONSTRAINT "AccessRequest_catalogItemId_fkey" FOREIGN KEY ("catalogItemId") REFERENCES "AccessCatalogItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessRequestApproval" ADD CONSTRAINT "AccessRequestApproval_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "AccessRequest"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessRequestEvent" ADD CONSTRAINT "AccessRequestEvent_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "AccessRequest"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- History of just-in-time access is kept forever: requests are never deleted; their events, approvals and
-- the policy versions they were decided under are never changed or deleted.
CREATE FUNCTION access_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on "%" is not allowed: just-in-time access history is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER access_request_event_append_only BEFORE UPDATE OR DELETE ON "AccessRequestEvent"
  FOR EACH ROW EXECUTE FUNCTION access_history_append_only();
CREATE TRIGGER access_request_approval_append_only BEFORE UPDATE OR DELETE ON "AccessRequestApproval"
  FOR EACH ROW EXECUTE FUNCTION access_history_append_only();
CREATE TRIGGER access_policy_version_append_only BEFORE UPDATE OR DELETE ON "AccessPolicyVersion"
  FOR EACH ROW EXECUTE FUNCTION access_history_append_only();
CREATE TRIGGER access_request_kept BEFORE DELETE ON "AccessRequest"
  FOR EACH ROW EXECUTE FUNCTION access_history_append_only();
