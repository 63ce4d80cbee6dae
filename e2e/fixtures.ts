import { type Browser, type BrowserContextOptions, test as base, type Page } from "@playwright/test";
import { AiSettingsPage } from "./pages/ai-settings-page";
import { AuthPage, type Credentials } from "./pages/auth-page";
import { ChatPage } from "./pages/chat-page";

export { expect } from "@playwright/test";
export { AiSettingsPage, KeyCard, type ProviderName } from "./pages/ai-settings-page";
export { AuthPage, type Credentials, PASSWORD, uniqueEmail } from "./pages/auth-page";
export { ChatPage } from "./pages/chat-page";

/** The page objects of one browser page. */
export type Pages = { page: Page; auth: AuthPage; settings: AiSettingsPage; chat: ChatPage };

export function pagesFor(page: Page): Pages {
  return { page, auth: new AuthPage(page), settings: new AiSettingsPage(page), chat: new ChatPage(page) };
}

/**
 * A second person in their own browser context, signed up and on the chat page. Close it with
 * `close()` (contexts are not closed for you).
 */
export async function signUpInNewContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<Pages & Credentials & { close: () => Promise<void> }> {
  const context = await browser.newContext(options);
  const pages = pagesFor(await context.newPage());
  const credentials = await pages.auth.signUp();
  return { ...pages, ...credentials, close: () => context.close() };
}

type Fixtures = {
  auth: AuthPage;
  settings: AiSettingsPage;
  chat: ChatPage;
  /** A new user, signed up through the form in this test's page (requesting it signs up). */
  user: Credentials;
};

export const test = base.extend<Fixtures>({
  auth: async ({ page }, use) => {
    await use(new AuthPage(page));
  },
  settings: async ({ page }, use) => {
    await use(new AiSettingsPage(page));
  },
  chat: async ({ page }, use) => {
    await use(new ChatPage(page));
  },
  user: async ({ auth }, use) => {
    await use(await auth.signUp());
  },
});
