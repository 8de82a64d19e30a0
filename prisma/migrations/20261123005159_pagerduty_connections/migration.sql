-- CreateEnum
CREATE TYPE "PagerDutyRegion" AS ENUM ('US', 'EU');

-- CreateEnum
CREATE TYPE "CredentialKind" AS ENUM ('API_KEY', 'OAUTH');

-- CreateEnum
CREATE TYPE "ConnectionAccessLevel" AS ENUM ('FULL', 'READ_ONLY', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "ConnectionStatus" AS ENUM ('ACTIVE', 'DISABLED', 'REMOVED');

-- CreateTable
CREATE TABLE "PagerDutyConnection" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "activeName" TEXT,
    "subdomain" TEXT NOT NULL,
    "region" "PagerDutyRegion" NOT NULL DEFAULT 'US',
    "apiBaseUrl" TEXT NOT NULL,
    "oauthTokenUrl" TEXT,
    "credentialKind" "CredentialKind" NOT NULL,
    "oauthClientId" TEXT,
    "secretCiphertext" TEXT NOT NULL,
    "credentialFingerprint" TEXT NOT NULL,
    "accessLevel" "ConnectionAccessLevel" NOT NULL DEFAULT 'UNKNOWN',
    "readOnly" BOOLEAN NOT NULL DEFAULT true,
    "abilities" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "lastCheckedAt" TIMESTAMP(3),
    "lastCheckOk" BOOLEAN,
    "lastCheckError" TEXT,
    "ownerPersonId" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "rotationPeriodDays" INTEGER NOT NULL DEFAULT 90,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "lastRotatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "status" "ConnectionStatus" NOT NULL DEFAULT 'ACTIVE',
    "removedAt" TIMESTAMP(3),
    "syncIntervalMinutes" INTEGER NOT NULL DEFAULT 15,

    CONSTRAINT "PagerDutyConnection_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PagerDutyConnection_activeName_key" ON "PagerDutyConnection"("activeName");

-- CreateIndex
CREATE INDEX "PagerDutyConnection_status_idx" ON "PagerDutyConnection"("status");

-- CreateIndex
CREATE INDEX "PagerDutyConnection_ownerPersonId_idx" ON "PagerDutyConnection"("ownerPersonId");

-- AddForeignKey
ALTER TABLE "PagerDutyConnection" ADD CONSTRAINT "PagerDutyConnection_ownerPersonId_fkey" FOREIGN KEY ("ownerPersonId") REFERENCES "Person"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
