import { expect, type Locator, type Page } from "@playwright/test";

/** /settings/profile: the password and active-sessions sections, as a signed-in user uses them. */
export class ProfilePage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto("/settings/profile");
    await expect(this.page.getByRole("heading", { name: "Profile", level: 1 })).toBeVisible();
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
