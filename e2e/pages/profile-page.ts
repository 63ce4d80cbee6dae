import { type Download, expect, type Locator, type Page } from "@playwright/test";

/** /settings/profile as a signed-in person uses it: name, email, password, sessions, export, deletion. */
export class ProfilePage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto("/settings/profile");
    await expect(this.page.getByRole("heading", { level: 1, name: "Profile" })).toBeVisible();
  }

  /** Reaches the page the way a person does: the account menu's Profile link. */
  async openFromAccountMenu() {
    await this.page.getByRole("button", { name: "Account menu" }).click();
    await this.page.getByRole("link", { name: "Profile" }).first().click();
    await expect(this.page).toHaveURL(/\/settings\/profile$/);
  }

  section(title: string): Locator {
    return this.page.getByRole("region", { name: title });
  }

  get accountMenuTrigger(): Locator {
    return this.page.getByRole("button", { name: "Account menu" });
  }

  async setName(name: string) {
    const s = this.section("Display name");
    await s.getByLabel("Name").fill(name);
    await s.getByRole("button", { name: "Save name" }).click();
  }

  async changeEmail(newEmail: string, password: string) {
    const s = this.section("Email");
    await s.getByLabel("New email").fill(newEmail);
    await s.getByLabel("Current password").fill(password);
    await s.getByRole("button", { name: "Change email" }).click();
  }

  get emailStatus(): Locator {
    return this.section("Email").getByRole("status");
  }

  async downloadExport(): Promise<Download> {
    const download = this.page.waitForEvent("download");
    await this.section("Export my data")
      .getByRole("link", { name: /Download my data/ })
      .click();
    return download;
  }

  get deleteDialog(): Locator {
    return this.page.getByRole("dialog", { name: "Delete your account?" });
  }

  /** Opens the dialog, fills the password and the typed confirmation, and confirms. */
  async deleteAccount(password: string, confirmation = "DELETE") {
    if (!(await this.deleteDialog.isVisible())) {
      await this.section("Delete my account").getByRole("button", { name: "Delete my account…" }).click();
    }
    await this.deleteDialog.getByLabel("Your password").fill(password);
    await this.deleteDialog.getByLabel("Type DELETE to confirm").fill(confirmation);
    await this.deleteDialog.getByRole("button", { name: "Delete account" }).click();
  }

  /** One row per live session. */
  get sessions(): Locator {
    return this.page.getByRole("list", { name: "Active sessions" }).getByRole("listitem");
  }

  session(device: string | RegExp): Locator {
    return this.sessions.filter({ hasText: device });
  }

  get currentSession(): Locator {
    return this.sessions.filter({ hasText: "This device" });
  }

  /** Ends another device's session from the list and waits for it to leave the list. */
  async endSession(device: string | RegExp) {
    const row = this.session(device).filter({ hasNotText: "This device" });
    await row.getByRole("button", { name: /^End session/ }).click();
    await expect(this.page.getByRole("status")).toHaveText("Session ended.");
    await expect(row).toHaveCount(0);
  }

  async signOutEverywhere() {
    await this.page.getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(this.page).toHaveURL(/\/sign-in/);
  }

  async changePassword(current: string | null, next: string, repeat = next) {
    const section = this.page.getByRole("region", { name: /password/i });
    if (current !== null) await section.getByLabel("Current password").fill(current);
    await section.getByLabel("New password", { exact: true }).fill(next);
    await section.getByLabel("Repeat new password").fill(repeat);
    await section.getByRole("button", { name: /(Change|Set) password/ }).click();
  }

  get passwordStatus(): Locator {
    return this.page.getByRole("region", { name: /password/i }).getByRole("status");
  }

  get passwordAlert(): Locator {
    return this.page.getByRole("region", { name: /password/i }).getByRole("alert");
  }
}
