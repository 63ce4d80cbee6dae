import { expect, type Locator, type Page } from "@playwright/test";

export type NewToken = {
  name: string;
  readOnly?: boolean;
  /** Provider labels as the checkboxes show them, e.g. "Groq". */
  providers?: string[];
  /** provider/model ids, comma-separated in the field. */
  models?: string[];
  expiry?: "7 days" | "30 days" | "90 days" | "1 year" | "Never";
};

/** AI settings → API tokens: create (read the token shown once), list, revoke. */
export class ApiTokensSection {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.locator("#api-tokens");
  }

  row(name: string): Locator {
    return this.root
      .getByRole("list", { name: "Your API tokens" })
      .getByRole("listitem")
      .filter({ hasText: name });
  }

  /** Fills the form, creates the token and returns it as the page shows it (once). */
  async create(t: NewToken, opts: { dismiss?: boolean } = {}): Promise<string> {
    const form = this.root.getByRole("form", { name: "New API token" });
    await form.getByLabel("Name").fill(t.name);
    if (t.readOnly) await form.getByLabel("Model list only (read-only)").check();
    for (const p of t.providers ?? []) await form.getByLabel(p, { exact: true }).check();
    if (t.models) await form.getByLabel("Only these models (optional)").fill(t.models.join(", "));
    if (t.expiry) await form.getByLabel("Expires after").selectOption({ label: t.expiry });
    await form.getByRole("button", { name: "Create token" }).click();
    const shown = this.root.getByLabel("Your new API token", { exact: true });
    await expect(shown).toHaveValue(/^byok_[A-Za-z0-9_-]{43}$/);
    const token = await shown.inputValue();
    await expect(this.row(t.name)).toContainText(`byok_…${token.slice(-4)}`);
    if (opts.dismiss !== false) {
      await this.root.getByRole("button", { name: "Done" }).click();
      await expect(shown).toHaveCount(0);
    }
    return token;
  }

  async revoke(name: string): Promise<void> {
    await this.row(name)
      .getByRole("button", { name: `Revoke token ${name}` })
      .click();
    await this.page.getByRole("dialog").getByRole("button", { name: "Revoke token" }).click();
    await expect(this.row(name)).toContainText("Revoked");
  }
}
