-- CreateEnum
CREATE TYPE "ChangeKind" AS ENUM ('TEAM_MEMBER_PUT', 'TEAM_MEMBER_REMOVE', 'USER_ROLE_CHANGE', 'USER_CREATE', 'USER_DELETE', 'USER_SIGN_OUT');

-- CreateEnum
CREATE TYPE "ChangeStatus" AS ENUM ('PENDING', 'SCHEDULED', 'HELD', 'APPLYING', 'APPLIED', 'VERIFIED', 'FAILED', 'UNVERIFIED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "ChangeCauseKind" AS ENUM ('REVIEW_DECISION', 'APPROVAL', 'EXPIRY', 'LIFECYCLE_EVENT', 'ADMIN_ACTION', 'UNDO');

-- CreateEnum
CREATE TYPE "ChangeBatchStatus" AS ENUM ('RELEASED', 'HELD', 'APPROVED', 'REJECTED');

-- CreateTable
CREATE TABLE "ChangeBatch" (
    "id" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "causeKind" "ChangeCauseKind" NOT NULL,
    "causeId" TEXT NOT NULL,
    "status" "ChangeBatchStatus" NOT NULL,
    "heldReason" TEXT,
    "changeCount" INTEGER NOT NULL DEFAULT 0,
    "usersTouched" INTEGER NOT NULL DEFAULT 0,
    "deletions" INTEGER NOT NULL DEFAULT 0,
    "accountUsers" INTEGER NOT NULL DEFAULT 0,
    "decidedById" TEXT,
    "decidedAt" TIMESTAMPTZ(3),
    "decisionReason" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChangeBatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChangeRequest" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "connectionId" TEXT NOT NULL,
    "batchId" TEXT NOT NULL,
    "kind" "ChangeKind" NOT NULL,
    "status" "ChangeStatus" NOT NULL,
    "orderingKey" TEXT NOT NULL,
    "userPdId" TEXT,
    "teamPdId" TEXT,
    "targetLabel" TEXT NOT NULL,
    "desired" JSONB NOT NULL,
    "prior" JSONB,
    "causeKind" "ChangeCauseKind" NOT NULL,
    "causeId" TEXT NOT NULL,
    "requestedByType" TEXT NOT NULL,
    "requestedById" TEXT,
    "requestedByLabel" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "runAt" TIMESTAMPTZ(3),
    "coverageWarning" JSONB,
    "overrideReason" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastErrorStatus" INTEGER,
    "lastErrorCode" INTEGER,
    "lastErrorMessage" TEXT,
    "suggestedFix" TEXT,
    "observed" JSONB,
    "undoOfId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "appliedAt" TIMESTAMPTZ(3),
    "verifiedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ChangeRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChangeEvent" (
    "id" TEXT NOT NULL,
    "changeId" TEXT NOT NULL,
    "from" "ChangeStatus",
    "to" "ChangeStatus" NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "message" TEXT,
    "detail" JSONB,

    CONSTRAINT "ChangeEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChangePolicy" (
    "connectionId" TEXT NOT NULL,
    "downgradeRole" TEXT NOT NULL DEFAULT 'limited_user',
    "brakeUserShare" DOUBLE PRECISION NOT NULL DEFAULT 0.1,
    "brakeMaxDeletions" INTEGER NOT NULL DEFAULT 5,
    "coverageHorizonHours" INTEGER NOT NULL DEFAULT 24,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ChangePolicy_pkey" PRIMARY KEY ("connectionId")
);

-- CreateIndex
CREATE INDEX "ChangeBatch_status_idx" ON "ChangeBatch"("status");

-- CreateIndex
CREATE UNIQUE INDEX "ChangeBatch_connectionId_causeKind_causeId_key" ON "ChangeBatch"("connectionId", "causeKind", "causeId");

-- CreateIndex
CREATE UNIQUE INDEX "ChangeRequest_idempotencyKey_key" ON "ChangeRequest"("idempotencyKey");

-- CreateIndex
CREATE INDEX "ChangeRequest_orderingKey_seq_idx" ON "ChangeRequest"("orderingKey", "seq");

-- CreateIndex
CREATE INDEX "ChangeRequest_status_updatedAt_idx" ON "ChangeRequest"("status", "updatedAt");

-- CreateIndex
CREATE INDEX "ChangeRequest_batchId_idx" ON "ChangeRequest"("batchId");

-- CreateIndex
CREATE INDEX "ChangeRequest_connectionId_status_idx" ON "ChangeRequest"("connectionId", "status");

-- CreateIndex
CREATE INDEX "ChangeEvent_changeId_at_idx" ON "ChangeEvent"("changeId", "at");

-- AddForeignKey
ALTER TABLE "ChangeRequest" ADD CONSTRAINT "ChangeRequest_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "ChangeBatch"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeEvent" ADD CONSTRAINT "ChangeEvent_changeId_fkey" FOREIGN KEY ("changeId") REFERENCES "ChangeRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;
