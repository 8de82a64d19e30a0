-- CreateEnum
CREATE TYPE "PdTargetType" AS ENUM ('USER', 'SCHEDULE');

-- CreateEnum
CREATE TYPE "EntitlementKind" AS ENUM ('BASE_ROLE', 'TEAM_MEMBER', 'SCHEDULE_MEMBER');

-- CreateEnum
CREATE TYPE "GrantOrigin" AS ENUM ('BASELINE', 'DRIFT', 'POLICY', 'REQUEST', 'REVIEW');

-- CreateEnum
CREATE TYPE "ChangeMethod" AS ENUM ('BROWSER', 'API_TOKEN', 'OAUTH', 'IDENTITY_PROVIDER', 'OTHER', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "SyncKind" AS ENUM ('FULL', 'INCREMENTAL');

-- CreateEnum
CREATE TYPE "SyncTrigger" AS ENUM ('SCHEDULE', 'MANUAL', 'CLI');

-- CreateEnum
CREATE TYPE "SyncStatus" AS ENUM ('RUNNING', 'SUCCEEDED', 'FAILED');

-- AlterTable
ALTER TABLE "PagerDutyConnection" ADD COLUMN     "auditHighWaterAt" TIMESTAMPTZ(3),
ADD COLUMN     "auditHighWaterIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "baselineAt" TIMESTAMPTZ(3),
ADD COLUMN     "lastFullSyncAt" TIMESTAMPTZ(3),
ADD COLUMN     "lastSuccessfulSyncAt" TIMESTAMPTZ(3),
ADD COLUMN     "lastSyncAt" TIMESTAMPTZ(3),
ADD COLUMN     "oncallHorizonDays" INTEGER NOT NULL DEFAULT 7,
ADD COLUMN     "oncallsSyncedUntil" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "PdUser" (
    "connectionId" TEXT NOT NULL,
    "pdId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "emailLower" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "jobTitle" TEXT,
    "timeZone" TEXT,
    "licensePdId" TEXT,
    "invitationPending" BOOLEAN NOT NULL DEFAULT false,
    "htmlUrl" TEXT,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "removedAt" TIMESTAMPTZ(3),

    CONSTRAINT "PdUser_pkey" PRIMARY KEY ("connectionId","pdId")
);

-- CreateTable
CREATE TABLE "PdTeam" (
    "connectionId" TEXT NOT NULL,
    "pdId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "defaultRole" TEXT,
    "htmlUrl" TEXT,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "removedAt" TIMESTAMPTZ(3),

    CONSTRAINT "PdTeam_pkey" PRIMARY KEY ("connectionId","pdId")
);

-- CreateTable
CREATE TABLE "PdTeamMembership" (
    "connectionId" TEXT NOT NULL,
    "teamPdId" TEXT NOT NULL,
    "userPdId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "removedAt" TIMESTAMPTZ(3),

    CONSTRAINT "PdTeamMembership_pkey" PRIMARY KEY ("connectionId","teamPdId","userPdId")
);

-- CreateTable
CREATE TABLE "PdSchedule" (
    "connectionId" TEXT NOT NULL,
    "pdId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "timeZone" TEXT,
    "teamPdIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "htmlUrl" TEXT,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "removedAt" TIMESTAMPTZ(3),

    CONSTRAINT "PdSchedule_pkey" PRIMARY KEY ("connectionId","pdId")
);

-- CreateTable
CREATE TABLE "PdScheduleLayerMember" (
    "connectionId" TEXT NOT NULL,
    "schedulePdId" TEXT NOT NULL,
    "layerId" TEXT NOT NULL,
    "layerName" TEXT,
    "position" INTEGER NOT NULL,
    "userPdId" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "removedAt" TIMESTAMPTZ(3),

    CONSTRAINT "PdScheduleLayerMember_pkey" PRIMARY KEY ("connectionId","schedulePdId","layerId","position")
);

-- CreateTable
CREATE TABLE "PdOncallShift" (
    "connectionId" TEXT NOT NULL,
    "shiftKey" TEXT NOT NULL,
    "userPdId" TEXT NOT NULL,
    "schedulePdId" TEXT,
    "escalationPolicyPdId" TEXT NOT NULL,
    "escalationLevel" INTEGER NOT NULL,
    "start" TIMESTAMPTZ(3),
    "end" TIMESTAMPTZ(3),
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "removedAt" TIMESTAMPTZ(3),

    CONSTRAINT "PdOncallShift_pkey" PRIMARY KEY ("connectionId","shiftKey")
);

-- CreateTable
CREATE TABLE "PdEscalationPolicy" (
    "connectionId" TEXT NOT NULL,
    "pdId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "numLoops" INTEGER,
    "teamPdId" TEXT,
    "htmlUrl" TEXT,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "removedAt" TIMESTAMPTZ(3),

    CONSTRAINT "PdEscalationPolicy_pkey" PRIMARY KEY ("connectionId","pdId")
);

-- CreateTable
CREATE TABLE "PdEscalationTarget" (
    "connectionId" TEXT NOT NULL,
    "policyPdId" TEXT NOT NULL,
    "level" INTEGER NOT NULL,
    "targetType" "PdTargetType" NOT NULL,
    "targetPdId" TEXT NOT NULL,
    "delayMinutes" INTEGER,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "removedAt" TIMESTAMPTZ(3),

    CONSTRAINT "PdEscalationTarget_pkey" PRIMARY KEY ("connectionId","policyPdId","level","targetType","targetPdId")
);

-- CreateTable
CREATE TABLE "PdLicense" (
    "connectionId" TEXT NOT NULL,
    "pdId" TEXT NOT NULL,
    "name" TEXT,
    "description" TEXT,
    "roleGroup" TEXT,
    "validRoles" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "currentValue" INTEGER,
    "allocationsAvailable" INTEGER,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "removedAt" TIMESTAMPTZ(3),

    CONSTRAINT "PdLicense_pkey" PRIMARY KEY ("connectionId","pdId")
);

-- CreateTable
CREATE TABLE "Grant" (
    "id" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "pdUserId" TEXT NOT NULL,
    "entitlement" "EntitlementKind" NOT NULL,
    "entitlementKey" TEXT NOT NULL,
    "role" TEXT,
    "teamPdId" TEXT,
    "schedulePdId" TEXT,
    "origin" "GrantOrigin" NOT NULL,
    "originRef" TEXT,
    "activeKey" TEXT,
    "previousGrantId" TEXT,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "removedAt" TIMESTAMPTZ(3),
    "firstSyncRunId" TEXT,
    "removedSyncRunId" TEXT,
    "changeActorType" TEXT,
    "changeActorId" TEXT,
    "changeActorLabel" TEXT,
    "changeMethod" "ChangeMethod",
    "changedAt" TIMESTAMPTZ(3),
    "changeAuditRecordId" TEXT,

    CONSTRAINT "Grant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "kind" "SyncKind" NOT NULL,
    "trigger" "SyncTrigger" NOT NULL,
    "status" "SyncStatus" NOT NULL DEFAULT 'RUNNING',
    "phase" TEXT NOT NULL,
    "pagesFetched" INTEGER NOT NULL DEFAULT 0,
    "estimatedPages" INTEGER,
    "items" JSONB NOT NULL DEFAULT '{}',
    "requests" INTEGER NOT NULL DEFAULT 0,
    "rateLimited" INTEGER NOT NULL DEFAULT 0,
    "retries" INTEGER NOT NULL DEFAULT 0,
    "changes" JSONB NOT NULL DEFAULT '{}',
    "warnings" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "error" TEXT,
    "fallbackReason" TEXT,
    "requestedById" TEXT,
    "jobId" TEXT,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "progressAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),
    "durationMs" INTEGER,

    CONSTRAINT "SyncRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PersonPagerDutyLink" (
    "id" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "pdUserId" TEXT NOT NULL,
    "setById" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PersonPagerDutyLink_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PdUser_connectionId_emailLower_idx" ON "PdUser"("connectionId", "emailLower");

-- CreateIndex
CREATE INDEX "PdUser_connectionId_role_idx" ON "PdUser"("connectionId", "role");

-- CreateIndex
CREATE INDEX "PdUser_connectionId_name_idx" ON "PdUser"("connectionId", "name");

-- CreateIndex
CREATE INDEX "PdTeam_connectionId_name_idx" ON "PdTeam"("connectionId", "name");

-- CreateIndex
CREATE INDEX "PdTeamMembership_connectionId_userPdId_idx" ON "PdTeamMembership"("connectionId", "userPdId");

-- CreateIndex
CREATE INDEX "PdSchedule_connectionId_name_idx" ON "PdSchedule"("connectionId", "name");

-- CreateIndex
CREATE INDEX "PdScheduleLayerMember_connectionId_userPdId_idx" ON "PdScheduleLayerMember"("connectionId", "userPdId");

-- CreateIndex
CREATE INDEX "PdOncallShift_connectionId_schedulePdId_start_idx" ON "PdOncallShift"("connectionId", "schedulePdId", "start");

-- CreateIndex
CREATE INDEX "PdOncallShift_connectionId_userPdId_idx" ON "PdOncallShift"("connectionId", "userPdId");

-- CreateIndex
CREATE INDEX "PdOncallShift_connectionId_escalationPolicyPdId_idx" ON "PdOncallShift"("connectionId", "escalationPolicyPdId");

-- CreateIndex
CREATE INDEX "PdEscalationPolicy_connectionId_teamPdId_idx" ON "PdEscalationPolicy"("connectionId", "teamPdId");

-- CreateIndex
CREATE INDEX "PdEscalationTarget_connectionId_targetPdId_idx" ON "PdEscalationTarget"("connectionId", "targetPdId");

-- CreateIndex
CREATE UNIQUE INDEX "Grant_activeKey_key" ON "Grant"("activeKey");

-- CreateIndex
CREATE INDEX "Grant_connectionId_pdUserId_idx" ON "Grant"("connectionId", "pdUserId");

-- CreateIndex
CREATE INDEX "Grant_connectionId_origin_removedAt_idx" ON "Grant"("connectionId", "origin", "removedAt");

-- CreateIndex
CREATE INDEX "Grant_connectionId_teamPdId_idx" ON "Grant"("connectionId", "teamPdId");

-- CreateIndex
CREATE INDEX "Grant_connectionId_schedulePdId_idx" ON "Grant"("connectionId", "schedulePdId");

-- CreateIndex
CREATE INDEX "SyncRun_connectionId_startedAt_idx" ON "SyncRun"("connectionId", "startedAt");

-- CreateIndex
CREATE INDEX "SyncRun_status_idx" ON "SyncRun"("status");

-- CreateIndex
CREATE UNIQUE INDEX "PersonPagerDutyLink_connectionId_pdUserId_key" ON "PersonPagerDutyLink"("connectionId", "pdUserId");

-- CreateIndex
CREATE UNIQUE INDEX "PersonPagerDutyLink_connectionId_personId_key" ON "PersonPagerDutyLink"("connectionId", "personId");

-- AddForeignKey
ALTER TABLE "PdUser" ADD CONSTRAINT "PdUser_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "PagerDutyConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PdTeam" ADD CONSTRAINT "PdTeam_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "PagerDutyConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PdTeamMembership" ADD CONSTRAINT "PdTeamMembership_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "PagerDutyConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PdSchedule" ADD CONSTRAINT "PdSchedule_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "PagerDutyConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PdScheduleLayerMember" ADD CONSTRAINT "PdScheduleLayerMember_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "PagerDutyConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PdOncallShift" ADD CONSTRAINT "PdOncallShift_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "PagerDutyConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PdEscalationPolicy" ADD CONSTRAINT "PdEscalationPolicy_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "PagerDutyConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PdEscalationTarget" ADD CONSTRAINT "PdEscalationTarget_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "PagerDutyConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PdLicense" ADD CONSTRAINT "PdLicense_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "PagerDutyConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Grant" ADD CONSTRAINT "Grant_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "PagerDutyConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncRun" ADD CONSTRAINT "SyncRun_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "PagerDutyConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncRun" ADD CONSTRAINT "SyncRun_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PersonPagerDutyLink" ADD CONSTRAINT "PersonPagerDutyLink_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "PagerDutyConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PersonPagerDutyLink" ADD CONSTRAINT "PersonPagerDutyLink_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PersonPagerDutyLink" ADD CONSTRAINT "PersonPagerDutyLink_setById_fkey" FOREIGN KEY ("setById") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;
