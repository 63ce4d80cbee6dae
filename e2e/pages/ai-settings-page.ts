import { expect, type Locator, type Page } from "@playwright/test";

/** The provider cards' headings on the AI settings page. */
export type ProviderName = "OpenAI" | "Groq" | "Google Gemini" | "OpenAI-compatible";

export type SaveKeyOptions = {
  /** OpenAI-compatible only: the endpoint and its display name, filled before the key. */
  baseUrl?: string;
  name?: string;
  /**
   * Wait until the saved key is on the card (input cleared, preview shows its last 4): the
   * page refreshes its data after a save, so act on the card only once it shows the new key.
   * false clicks Save and returns at once.
   */
  settle?: boolean;
};

/** One provider's card: a region named by its heading. */
export class KeyCard {
  readonly root: Locator;

  constructor(
    readonly page: Page,
    readonly provider: ProviderName,
  ) {
    this.root = page.getByRole("region", { name: provider, exact: true });
  }

  get apiKey() {
    return this.root.getByLabel("API key");
  }
  get baseUrl() {
    return this.root.getByLabel("Base URL");
  }
  /** OpenAI-compatible: the endpoint's name on the card's form (not a key's "New name for …"). */
  get name() {
    return this.root.getByLabel("Name", { exact: true });
  }
  /** "Not set", "Active", "Invalid"… */
  get status() {
    return this.root.getByTestId("key-status");
  }
  /** The masked preview of the saved key (prefix…last 4). */
  get preview() {
    return this.root.getByTestId("key-preview");
  }
  /** The outcome of the last Test. */
  get testResult() {
    return this.root.getByRole("status");
  }
  get personalKeySwitch() {
    return this.root.getByRole("switch", { name: "Use my personal key" });
  }

  async saveKey(key: string, opts: SaveKeyOptions = {}) {
    if (opts.name !== undefined) await this.name.fill(opts.name);
    if (opts.baseUrl !== undefined) await this.baseUrl.fill(opts.baseUrl);
    await this.apiKey.fill(key);
    await this.root.getByRole("button", { name: "Save key" }).click();
    if (opts.settle === false) return;
    await expect(this.apiKey).toHaveValue("");
    await expect(this.preview).toContainText(key.slice(-4));
  }

  /** OpenAI-compatible only: saves an endpoint that takes no key ("No key" ticked). */
  async saveKeyless(baseUrl: string, name: string) {
    await this.name.fill(name);
    await this.baseUrl.fill(baseUrl);
    await this.root.getByRole("checkbox", { name: /^No key/ }).check();
    await this.root.getByRole("button", { name: "Save key" }).click();
    await expect(this.preview).toHaveText("No key");
  }

  /** Presses Test: the saved key, or the key typed into the field (without saving it). */
  async testKey(typed?: string) {
    if (typed !== undefined) await this.apiKey.fill(typed);
    await this.root.getByRole("button", { name: "Test" }).click();
  }

  /** Flips "Use my personal key" and waits for the switch to show the new state. */
  async toggle() {
    const before = await this.personalKeySwitch.getAttribute("aria-checked");
    await this.personalKeySwitch.click();
    await expect(this.personalKeySwitch).toHaveAttribute(
      "aria-checked",
      before === "true" ? "false" : "true",
    );
  }

  /** The card's spending limits (its own region). */
  get limits() {
    return this.root.getByRole("region", { name: "Spending limits" });
  }
  /** What the card says of the models the provider listed for the key. */
  get modelsSummary() {
    return this.root.getByRole("region", { name: "Models for this key" }).getByTestId(/^models-.*-summary$/);
  }

  /** Fills the limit fields given ("Daily limit ($)": "0.0001"…; "" clears) and saves them. */
  async setLimits(values: Record<string, string>) {
    for (const [label, value] of Object.entries(values)) await this.limits.getByLabel(label).fill(value);
    await this.limits.getByRole("button", { name: "Save limits" }).click();
    await expect(this.page.getByText(/limits saved/)).toBeVisible();
  }

  /** Presses "Refresh list" on the key's models. */
  async refreshModels() {
    await this.root.getByRole("button", { name: "Refresh list" }).click();
  }

  /** Remove, then confirm in the dialog. */
  async remove() {
    await this.root.getByRole("button", { name: "Remove" }).click();
    await this.page.getByRole("dialog").getByRole("button", { name: "Remove key" }).click();
  }
}

/** /settings/ai: one card per provider, defaults, usage and the activity log. */
export class AiSettingsPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto("/settings/ai");
  }

  card(provider: ProviderName): KeyCard {
    return new KeyCard(this.page, provider);
  }

  /** Saves a key on its provider's card (see SaveKeyOptions) and returns the card. */
  async saveKey(provider: ProviderName, key: string, opts: SaveKeyOptions = {}): Promise<KeyCard> {
    const card = this.card(provider);
    await card.saveKey(key, opts);
    return card;
  }

  /** Opens the page and saves a key on its provider's card. */
  async addKey(provider: ProviderName, key: string, opts: SaveKeyOptions = {}): Promise<KeyCard> {
    await this.goto();
    return this.saveKey(provider, key, opts);
  }

  async testKey(provider: ProviderName, typed?: string): Promise<KeyCard> {
    const card = this.card(provider);
    await card.testKey(typed);
    return card;
  }

  async toggle(provider: ProviderName): Promise<KeyCard> {
    const card = this.card(provider);
    await card.toggle();
    return card;
  }

  async remove(provider: ProviderName): Promise<KeyCard> {
    const card = this.card(provider);
    await card.remove();
    return card;
  }

  /** The activity (audit) log. */
  get activity() {
    return this.page.getByRole("table");
  }

  /** Saves the default instructions (system prompt) for chats that set none. */
  async saveDefaultInstructions(text: string) {
    await this.page.getByRole("textbox", { name: "Default instructions" }).fill(text);
    await this.page.getByRole("button", { name: "Save instructions" }).click();
    await expect(this.page.getByText(/Default instructions (saved|cleared)/)).toBeVisible();
  }
}
