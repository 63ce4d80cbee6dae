import { Info } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { PROVIDER_IDS, PROVIDERS } from "@/lib/ai/registry";
import { listApiTokens } from "@/lib/api-tokens/tokens";
import { requireUser } from "@/lib/auth";
import { isAppError } from "@/lib/errors";
import { listAudit } from "@/lib/keys/audit";
import type { KeyDto } from "@/lib/keys/dto";
import { groupEndpoints } from "@/lib/keys/endpoints";
import { listLimits } from "@/lib/keys/limits";
import { listKeys } from "@/lib/keys/manage";
import { cachedModels } from "@/lib/keys/models";
import { getDefaults, getSystemPrompt } from "@/lib/keys/settings";
import { AuditTable } from "./_components/audit-table";
import type { EndpointView } from "./_components/endpoints";
import { ApiTokensSection, DefaultsForm, SystemPromptForm } from "./_components/lazy";
import { ProviderCard } from "./_components/provider-card";
import { card, link } from "./_components/styles";
import { UsageSection } from "./_components/usage";

export const metadata: Metadata = { title: "AI settings" };

type Props = { searchParams: Promise<{ activity?: string | string[] }> };

async function activityPage(userId: string, cursor: string | undefined) {
  try {
    return await listAudit(userId, { limit: 20, cursor });
  } catch (e) {
    // A mangled ?activity= cursor shows the latest page instead of an error page.
    if (isAppError(e) && e.code === "VALIDATION_FAILED") return listAudit(userId, { limit: 20 });
    throw e;
  }
}

type Card = { dto: KeyDto; others: KeyDto[]; endpoints: EndpointView[] };

/**
 * One card per provider: its first key (or "not_set") and the keys after it. OpenAI-compatible:
 * the keys after it of its own endpoint, and the further endpoints (other base URLs) apart.
 */
function firstKeys(keys: KeyDto[]): Card[] {
  const cards: Card[] = [];
  for (const k of keys) {
    const card = cards.find((c) => c.dto.provider === k.provider);
    if (card) card.others.push(k);
    else cards.push({ dto: k, others: [], endpoints: [] });
  }
  for (const card of cards) {
    if (card.dto.provider !== "compatible" || !card.dto.id) continue;
    const [first, ...rest] = groupEndpoints(
      [card.dto, ...card.others].map((k) => ({ ...k, id: k.id ?? "" })),
    );
    card.others = first?.rows.slice(1) ?? [];
    card.endpoints = rest.map((e) => ({ id: e.id, name: e.name, baseUrl: e.baseUrl, keys: e.rows }));
  }
  return cards;
}

export default async function AiSettingsPage({ searchParams }: Props) {
  const user = await requireUser("/settings/ai");
  const { activity } = await searchParams;
  const cursor = typeof activity === "string" && activity.length <= 200 ? activity : undefined;
  const [keys, defaults, audit, tokens, models, limits, systemPrompt] = await Promise.all([
    listKeys(user.id),
    getDefaults(user.id),
    activityPage(user.id, cursor),
    listApiTokens(user.id),
    cachedModels(user.id),
    listLimits(user.id),
    getSystemPrompt(user.id),
  ]);

  return (
    <div className="mx-auto w-full max-w-3xl space-y-8 px-4 py-8 sm:px-6">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold tracking-tight">AI settings</h1>
        <p className="text-[15px] text-muted-foreground">
          Your own API keys, stored encrypted on this server. Only the last 4 characters are ever shown again,
          and a key is sent only to its provider.
        </p>
      </header>

      <section
        aria-labelledby="rule-title"
        className="rounded-xl border border-primary/20 bg-primary-soft/60 p-4 text-sm"
      >
        <h2 id="rule-title" className="flex items-center gap-2 font-semibold">
          <Info className="size-4 text-primary-ink" aria-hidden />
          Which key a chat uses
        </h2>
        <ol className="mt-2 list-decimal space-y-1 pl-9 text-foreground/90">
          <li>
            <strong className="font-medium">Your personal key</strong>, when one is saved for the provider and
            “Use my personal key” is on. With several keys, the first one that is on; if it is refused before
            the answer starts (invalid, out of credit, rate limited), the next one takes over.
          </li>
          <li>
            Otherwise <strong className="font-medium">this server’s system key</strong>, only if the operator
            configured one for that provider and you have no usable key (none saved, or yours switched off).
            Never for OpenAI-compatible services.
          </li>
          <li>Otherwise the chat asks you to add a key.</li>
        </ol>
        <p className="mt-2 text-muted-foreground">
          Switching your key off keeps it stored. A saved key that is invalid or can no longer be decrypted
          stops the chat with a message: it never silently falls back to the system key.
        </p>
      </section>

      <div className="space-y-4">
        {firstKeys(keys).map(({ dto, others, endpoints }) => (
          // Keyed by provider only: a card that remounted when its first key was saved would
          // drop a Test started in the meantime (and its result) along with its state.
          <ProviderCard
            key={dto.provider}
            dto={dto}
            others={others}
            endpoints={endpoints}
            models={models[dto.provider] ?? null}
            limits={limits.find((l) => l.provider === dto.provider) ?? null}
          />
        ))}
      </div>

      <section aria-labelledby="defaults-title" className={`${card} space-y-3`}>
        <div>
          <h2 id="defaults-title" className="text-base font-semibold tracking-tight">
            Defaults for new chats
          </h2>
          <p className="text-sm text-muted-foreground">
            The provider and model a new chat starts with, and the instructions every chat gets unless it has
            its own (set them per chat from the chat’s settings button).
          </p>
        </div>
        <DefaultsForm provider={defaults.provider} model={defaults.model} />
        <div className="border-t border-border pt-3">
          <SystemPromptForm initial={systemPrompt} />
        </div>
      </section>

      <ApiTokensSection
        tokens={tokens}
        providers={PROVIDER_IDS.map((id) => ({ id, label: PROVIDERS[id].label }))}
      />

      <UsageSection userId={user.id} />

      <section id="activity" aria-labelledby="activity-title" className="space-y-3">
        <div className="flex items-baseline justify-between gap-3">
          <h2 id="activity-title" className="text-base font-semibold tracking-tight">
            Your activity
          </h2>
          {cursor ? (
            <Link href="/settings/ai#activity" className={`${link} text-sm`} scroll={false}>
              Latest activity
            </Link>
          ) : null}
        </div>
        <p className="text-sm text-muted-foreground">
          Every change to your keys and API tokens, and each API request, with where it came from.
        </p>
        <AuditTable items={audit.items} nextCursor={audit.nextCursor} />
      </section>
    </div>
  );
}
