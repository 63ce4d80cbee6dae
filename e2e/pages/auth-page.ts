import { randomUUID } from "node:crypto";
import { expect, type Locator, type Page } from "@playwright/test";

export const PASSWORD = "correct horse battery staple";

export function uniqueEmail(tag = "user") {
  return `${tag}-${randomUUID().slice(0, 8)}@example.test`;
}

export type Credentials = { email: string; password: string };

/** Sign-up, sign-in and sign-out as a visitor does them, through the forms and the account menu. */
export class AuthPage {
  /** `origin` for an app served apart from the suite's baseURL (e.g. a server a spec starts). */
  constructor(
    readonly page: Page,
    readonly origin = "",
  ) {}

  /** The form's error message (a field error or the form-level alert), inside the page's main region. */
  get alert(): Locator {
    return this.page.getByRole("main").getByRole("alert");
  }

  /** Fills and submits the sign-up form; does not wait for where it leads. */
  async submitSignUp(email: string, password = PASSWORD) {
    await this.page.goto(`${this.origin}/sign-up`);
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Create account" }).click();
  }

  /**
   * Signs a new user up, then in (sign-up leads to the sign-in page whether or not the email was
   * new, so it cannot reveal who has an account), and waits for the chat page.
   */
  async signUp(email = uniqueEmail(), password = PASSWORD): Promise<Credentials> {
    await this.submitSignUp(email, password);
    await expect(this.page).toHaveURL(/\/sign-in\?notice=signed-up/);
    await this.signIn(email, password);
    await expect(this.page).toHaveURL(/\/chat/);
    return { email, password };
  }

  /** Fills and submits the sign-in form; does not wait for where it leads. */
  async signIn(email: string, password = PASSWORD) {
    await this.page.goto(`${this.origin}/sign-in`);
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  async signOut() {
    await this.page.getByRole("button", { name: "Account menu" }).click();
    await this.page.getByRole("button", { name: "Sign out" }).click();
    await expect(this.page).toHaveURL(/\/sign-in/);
  }
}
