import { readFile } from "node:fs/promises";
import { expect, type Locator, type Page } from "@playwright/test";

/** The chat list in the sidebar: search, rename, delete. */
export class ChatHistory {
  constructor(readonly page: Page) {}

  get searchBox() {
    return this.page.getByRole("searchbox", { name: "Search chats" });
  }
  get chats() {
    return this.page.getByRole("list", { name: "Chats" });
  }
  get results() {
    return this.page.getByRole("list", { name: "Search results" });
  }

  async search(words: string) {
    await this.searchBox.fill(words);
  }

  /** The chats the list shows, by their link (none: the list is empty). */
  get links(): Locator {
    return this.chats.getByRole("link");
  }

  /** Renames the only chat in the list. */
  async rename(title: string) {
    await this.chats.getByRole("button", { name: "Rename chat" }).click();
    const field = this.page.getByRole("textbox", { name: "Chat title" });
    await field.fill(title);
    await field.press("Enter");
  }

  /** Deletes the only chat in the list, confirming in the dialog. */
  async delete() {
    await this.chats.getByRole("button", { name: "Delete chat" }).click();
    await this.page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  }
}

/** /chat and /chat/[id]: the composer, the answers, their controls and the error banner. */
export class ChatPage {
  readonly history: ChatHistory;

  constructor(readonly page: Page) {
    this.history = new ChatHistory(page);
  }

  async goto(chatId?: string) {
    await this.page.goto(chatId ? `/chat/${chatId}` : "/chat");
  }

  get composer() {
    // Exactly: a sent message's inline editor is "Edit message".
    return this.page.getByRole("textbox", { name: "Message", exact: true });
  }
  get sendButton() {
    return this.page.getByRole("button", { name: "Send" });
  }
  get stopButton() {
    return this.page.getByRole("button", { name: "Stop" });
  }
  get regenerateButton() {
    return this.page.getByRole("button", { name: "Regenerate" });
  }
  get answers(): Locator {
    return this.page.getByTestId("message-assistant");
  }
  get userMessages(): Locator {
    return this.page.getByTestId("message-user");
  }

  /** The error banner in the chat (not a toast), optionally the one whose text matches. */
  errorBanner(text?: string | RegExp): Locator {
    const alerts = this.page.getByRole("main").getByRole("alert");
    return text === undefined ? alerts : alerts.filter({ hasText: text });
  }

  /** The chat's title in the header (the empty state's heading before the first message). */
  get heading(): Locator {
    return this.page.getByRole("main").getByRole("heading", { level: 1 });
  }
  /** What the chat says while it waits for the answer (the bouncing dots, or a retry notice). */
  get waitingStatus(): Locator {
    return this.page.getByRole("main").getByRole("status");
  }

  /** Inside a conversation, the notice that the chat's key was rejected (with its fix). */
  get rejectedNotice(): Locator {
    return this.page.getByRole("main").getByText("Your API key was rejected");
  }

  /** Opens a chat from the sidebar's history list by (part of) its title. */
  async openFromHistory(title: string | RegExp) {
    await this.history.links.filter({ hasText: title }).first().click();
    await expect(this.page).toHaveURL(/\/chat\/[^/]+$/);
  }

  /** The model picker's button (its name says the provider and model chosen). */
  get modelPicker(): Locator {
    return this.page.getByRole("button", { name: /^Model:/ });
  }
  /** The picker's options once it is open. */
  get modelOptions(): Locator {
    return this.page.getByRole("listbox", { name: "Models" }).getByRole("option");
  }
  /** Opens the picker and types into its search. */
  async searchModels(text: string) {
    if ((await this.modelPicker.getAttribute("aria-expanded")) !== "true") await this.modelPicker.click();
    await this.page.getByRole("combobox", { name: "Search models" }).fill(text);
  }
  /** Opens the picker, searches for `text` and picks the first option matching `option`. */
  async chooseModel(text: string, option: string | RegExp = text) {
    await this.searchModels(text);
    await this.modelOptions.filter({ hasText: option }).first().click();
  }

  /** Opens Chat from the sidebar, as a user comes back from the settings. */
  async openFromNav() {
    await this.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat" }).click();
    await expect(this.page).toHaveURL(/\/chat$/);
  }

  /** Follows the error banner's link or button named `name`. */
  async followBanner(name: string) {
    await this.errorBanner().getByRole("link", { name }).click();
  }

  /** Types a message and presses Enter, as a user sends it. */
  async send(text: string) {
    await this.composer.fill(text);
    await this.composer.press("Enter");
  }

  /** Waits until answer `nth` (0-based) contains `text`. */
  async waitForAnswer(nth: number, text: string | RegExp) {
    await expect(this.answers.nth(nth)).toContainText(text);
  }

  async stop() {
    await this.stopButton.click();
  }

  async regenerate() {
    await this.regenerateButton.click();
  }

  /** The chat header's Export menu button (only once the chat is saved). */
  get exportButton(): Locator {
    return this.page.getByRole("main").getByRole("button", { name: "Export" });
  }

  /** Exports the open chat from the header's menu; returns the downloaded file. */
  async export(kind: "Markdown" | "JSON"): Promise<{ name: string; text: string }> {
    await this.exportButton.click();
    const [download] = await Promise.all([
      this.page.waitForEvent("download"),
      this.page.getByRole("link", { name: new RegExp(`^${kind}`) }).click(),
    ]);
    const path = await download.path();
    return { name: download.suggestedFilename(), text: await readFile(path, "utf8") };
  }

  /** The id of the open chat, from the URL (/chat/<id>). */
  chatId(): string {
    const id = new URL(this.page.url()).pathname.match(/^\/chat\/([^/]+)$/)?.[1];
    if (!id) throw new Error(`not on a saved chat: ${this.page.url()}`);
    return id;
  }

  /** The model picker in the header; `value` is "<provider>::<model id>". */
  /** Picks `provider::modelId` in the searchable picker (searches the id, takes its option). */
  async pickModel(value: string) {
    const model = value.slice(value.indexOf("::") + 2);
    await this.chooseModel(model, model);
  }

  get settingsButton(): Locator {
    return this.page.getByRole("button", { name: /^Chat settings/ });
  }
  get settingsDialog(): Locator {
    return this.page.getByRole("dialog", { name: "Chat settings" });
  }

  /** Opens the chat settings, fills the fields given (empty string clears one) and saves. */
  async saveSettings(s: { instructions?: string; temperature?: string; maxOutput?: string }) {
    await this.settingsButton.click();
    const d = this.settingsDialog;
    if (s.instructions !== undefined)
      await d.getByRole("textbox", { name: "Instructions (system prompt)" }).fill(s.instructions);
    if (s.temperature !== undefined)
      await d.getByRole("spinbutton", { name: "Temperature" }).fill(s.temperature);
    if (s.maxOutput !== undefined)
      await d.getByRole("spinbutton", { name: "Max output tokens" }).fill(s.maxOutput);
    await d.getByRole("button", { name: "Save" }).click();
    await expect(d).toBeHidden();
  }

  /** Answer `nth`'s details (model, key, tokens, instructions, parameters), opened. */
  async details(nth: number): Promise<Locator> {
    const details = this.answers.nth(nth).getByTestId("answer-details");
    await details.getByText("Details").click();
    return details;
  }

  /** Answer `nth`'s reasoning block ("Thinking…" while it streams, "Thoughts" after). */
  reasoning(nth: number): Locator {
    return this.answers.nth(nth).getByTestId("reasoning");
  }
}
