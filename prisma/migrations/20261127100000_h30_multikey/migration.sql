-- Several keys per provider (issue 15): keys are addressed by id, ordered by (position, createdAt);
-- the first usable one answers and the next takes over before the first token when it is
-- refused. Each answer and usage row records the key that answered.
DROP INDEX "ProviderKey_userId_provider_key";

ALTER TABLE "ProviderKey" ADD COLUMN "position" INTEGER NOT NULL DEFAULT 0;

CREATE INDEX "ProviderKey_userId_provider_position_idx" ON "ProviderKey"("userId", "provider", "position");

ALTER TABLE "Message" ADD COLUMN "keyId" TEXT,
ADD COLUMN "keyLabel" TEXT;

ALTER TABLE "UsageEvent" ADD COLUMN "keyId" TEXT;
