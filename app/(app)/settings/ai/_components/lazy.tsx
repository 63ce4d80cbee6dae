"use client";

import { type ComponentProps, lazy, Suspense, useEffect, useState } from "react";

// The parts of the AI settings page below the keys themselves (each key's model list and
// spending limits, the defaults, the API tokens) load after the page: their code (the price table, the token
// form) is fetched once the load event has passed, so the page's First Load JS is the keys and
// the defaults only (bench/budget.json). Until then a placeholder of about their size holds the
// place, so the page does not jump when they appear below the fold.

const ModelListImpl = lazy(() => import("./model-list").then((m) => ({ default: m.ModelList })));
const LimitsFormImpl = lazy(() => import("./limits-form").then((m) => ({ default: m.LimitsForm })));
const DefaultsFormImpl = lazy(() => import("./defaults-form").then((m) => ({ default: m.DefaultsForm })));
const SystemPromptFormImpl = lazy(() =>
  import("./system-prompt-form").then((m) => ({ default: m.SystemPromptForm })),
);
const MoreKeysImpl = lazy(() => import("./more-keys").then((m) => ({ default: m.MoreKeys })));
const EndpointsImpl = lazy(() => import("./endpoints").then((m) => ({ default: m.Endpoints })));
const RenameKeyImpl = lazy(() => import("./key-list").then((m) => ({ default: m.RenameKey })));
const ApiTokensImpl = lazy(() => import("./api-tokens").then((m) => ({ default: m.ApiTokensSection })));

/** False on the server and until the window's load event has fired. */
function useAfterLoad(): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    // A task after the load event, so the chunks are requested once the page has loaded.
    let timer: number | undefined;
    const go = () => {
      timer = window.setTimeout(() => setReady(true), 0);
    };
    if (document.readyState === "complete") go();
    else window.addEventListener("load", go, { once: true });
    return () => {
      window.removeEventListener("load", go);
      window.clearTimeout(timer);
    };
  }, []);
  return ready;
}

function Placeholder({ className }: { className: string }) {
  return <div aria-hidden className={`animate-pulse rounded-lg bg-muted/60 ${className}`} />;
}

function Deferred({ children, placeholder }: { children: React.ReactNode; placeholder: string }) {
  const ready = useAfterLoad();
  const fallback = <Placeholder className={placeholder} />;
  return ready ? (
    <Suspense fallback={fallback}>
      {children}
      <RevealHash />
    </Suspense>
  ) : (
    fallback
  );
}

/**
 * A link to a part that was not there yet when the page loaded (the chat's "Spending limits"
 * banner opens /settings/ai#limits-openai): scroll to it once it has rendered.
 */
function RevealHash() {
  useEffect(() => {
    const id = decodeURIComponent(window.location.hash.slice(1));
    if (id) document.getElementById(id)?.scrollIntoView();
  }, []);
  return null;
}

export function ModelList(props: ComponentProps<typeof ModelListImpl>) {
  return (
    <Deferred placeholder="h-[4.25rem]">
      <ModelListImpl {...props} />
    </Deferred>
  );
}

export function LimitsForm(props: ComponentProps<typeof LimitsFormImpl>) {
  return (
    <Deferred placeholder="h-56">
      <LimitsFormImpl {...props} />
    </Deferred>
  );
}

export function DefaultsForm(props: ComponentProps<typeof DefaultsFormImpl>) {
  return (
    <Deferred placeholder="h-[7.5rem]">
      <DefaultsFormImpl {...props} />
    </Deferred>
  );
}

export function SystemPromptForm(props: ComponentProps<typeof SystemPromptFormImpl>) {
  return (
    <Deferred placeholder="h-60">
      <SystemPromptFormImpl {...props} />
    </Deferred>
  );
}

export function ApiTokensSection(props: ComponentProps<typeof ApiTokensImpl>) {
  return (
    <Deferred placeholder="h-[36rem] rounded-xl">
      <ApiTokensImpl {...props} />
    </Deferred>
  );
}

export function MoreKeys(props: ComponentProps<typeof MoreKeysImpl>) {
  // Sized for the usual case: no second key yet, only the "Add another key" control.
  return (
    <Deferred placeholder={props.others.length ? "h-40" : "h-16"}>
      <MoreKeysImpl {...props} />
    </Deferred>
  );
}

export function Endpoints(props: ComponentProps<typeof EndpointsImpl>) {
  // Sized for the usual case: no further endpoint yet, only the "Add endpoint" control.
  return (
    <Deferred placeholder={props.endpoints.length ? "h-40" : "h-24"}>
      <EndpointsImpl {...props} />
    </Deferred>
  );
}

export function RenameKey(props: ComponentProps<typeof RenameKeyImpl>) {
  // The first key's Rename, on its card: the same control as the other keys' rows (key-list).
  return (
    <Deferred placeholder="h-8 w-24">
      <RenameKeyImpl {...props} />
    </Deferred>
  );
}
