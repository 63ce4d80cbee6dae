-- Instructions and parameters (issue 14): the user's default system prompt, each chat's own
-- system prompt / temperature / max output, what each answer was asked with, and reasoning tokens.
ALTER TABLE "AiSettings" ADD COLUMN "systemPrompt" TEXT;

ALTER TABLE "Chat" ADD COLUMN "systemPrompt" TEXT,
ADD COLUMN "temperature" DOUBLE PRECISION,
ADD COLUMN "maxOutputTokens" INTEGER;

ALTER TABLE "Message" ADD COLUMN "reasoningTokens" INTEGER,
ADD COLUMN "params" JSONB;

ALTER TABLE "UsageEvent" ADD COLUMN "reasoningTokens" INTEGER NOT NULL DEFAULT 0;
