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

  section(which: "users" | "settings"): Locator {
    return this.page.getByTestId(`admin-${which}-section`);
  }

  /** The answer to the last action on the users table. */
  get usersResult(): Locator {
    return this.section("users").getByTestId("admin-result");
  }

  /** Runs `trigger` and waits for the section's next answer (results are numbered); returns it. */
  private async answer(which: "users" | "settings", trigger: () => Promise<void>): Promise<Locator> {
    const result = this.section(which).getByTestId("admin-result");
    const seq = (await result.count()) ? Number(await result.getAttribute("data-seq")) : 0;
    await trigger();
    await expect(result).toHaveAttribute("data-seq", String(seq + 1));
    return result;
  }

  /** Clicks a row's action button and waits for the server's answer; returns its message. */
  async act(email: string, button: string): Promise<string> {
    if (button === "Delete") this.page.once("dialog", (d) => void d.accept());
    const result = await this.answer("users", () =>
      this.row(email).getByRole("button", { name: button, exact: true }).click(),
    );
    return (await result.textContent()) ?? "";
  }

  /** A new one-time reset link for the row's account. */
  async resetLink(email: string): Promise<string> {
    const result = await this.answer("users", () =>
      this.row(email).getByRole("button", { name: "Reset link", exact: true }).click(),
    );
    const link = result.getByTestId("admin-link");
    await expect(link).toHaveValue(/\/reset-password\?token=/);
    return link.inputValue();
  }

  async saveSettings(s: {
    registration?: RegistrationMode;
    access?: "all" | "none" | "allow-list";
    dailyRequests?: string;
  }) {
    const form = this.section("settings");
    if (s.registration)
      await form.getByRole("combobox", { name: /^Registration/ }).selectOption(s.registration);
    if (s.access)
      await form.getByRole("combobox", { name: /^Who may use the shared/ }).selectOption(s.access);
    if (s.dailyRequests !== undefined)
      await form.getByRole("spinbutton", { name: /^Daily requests per user/ }).fill(s.dailyRequests);
    const result = await this.answer("settings", () =>
      this.page.getByRole("button", { name: "Save settings" }).click(),
    );
    await expect(result).toContainText("Settings saved.");
  }

  /** A new single-use sign-up link. */
  async createInvite(): Promise<string> {
    const result = await this.answer("settings", () =>
      this.page.getByRole("button", { name: "Create invite link" }).click(),
    );
    const link = result.getByTestId("admin-link");
    await expect(link).toHaveValue(/\/sign-up\?invite=/);
    return link.inputValue();
  }
}
