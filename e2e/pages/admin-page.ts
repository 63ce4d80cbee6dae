import { expect, type Locator, type Page } from "@playwright/test";

export type RegistrationMode = "open" | "invite" | "closed";

/** /admin as an operator uses it: the users table, its row actions, the settings form and invites. */
export class AdminPage {
  constructor(
    readonly page: Page,
    readonly origin = "",
  ) {}

  /** Opens /admin; returns the HTTP status of the document (404 for non-admins). */
  async goto(): Promise<number> {
    const res = await this.page.goto(`${this.origin}/admin`);
    return res?.status() ?? 0;
  }

  get users(): Locator {
    return this.page.getByTestId("admin-users");
  }

  row(email: string): Locator {
    return this.users.locator(`tr[data-email="${email}"]`);
  }

  get result(): Locator {
    return this.page.getByTestId("admin-result").first();
  }

  /** Clicks a row's action button and waits for the server's answer; returns its message. */
  async act(email: string, button: string): Promise<string> {
    const before = await this.page.getByTestId("admin-result").count();
    if (button === "Delete") this.page.once("dialog", (d) => void d.accept());
    await this.row(email).getByRole("button", { name: button, exact: true }).click();
    if (before === 0) await expect(this.result).toBeVisible();
    await expect(this.row(email).getByRole("button", { name: button, exact: true })).toBeEnabled();
    return (await this.result.textContent()) ?? "";
  }

  /** A row's reset link (a new one). */
  async resetLink(email: string): Promise<string> {
    await this.row(email).getByRole("button", { name: "Reset link", exact: true }).click();
    const link = this.page.getByTestId("admin-link");
    await expect(link).toHaveValue(/\/reset-password\?token=/);
    return link.inputValue();
  }

  async saveSettings(s: {
    registration?: RegistrationMode;
    access?: "all" | "none" | "allow-list";
    dailyRequests?: string;
  }) {
    if (s.registration) await this.page.getByLabel("Registration").selectOption(s.registration);
    if (s.access) await this.page.getByLabel("Who may use the shared (operator) keys").selectOption(s.access);
    if (s.dailyRequests !== undefined)
      await this.page.getByLabel(/Daily requests per user/).fill(s.dailyRequests);
    await this.page.getByRole("button", { name: "Save settings" }).click();
    await expect(this.page.getByText("Settings saved.")).toBeVisible();
  }

  async createInvite(): Promise<string> {
    await this.page.getByRole("button", { name: "Create invite link" }).click();
    const link = this.page.getByTestId("admin-link");
    await expect(link).toHaveValue(/\/sign-up\?invite=/);
    return link.inputValue();
  }
}
