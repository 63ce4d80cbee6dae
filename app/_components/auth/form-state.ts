// What the sign-in / sign-up server actions hand back to their forms.

export type FieldName = "email" | "password" | "name";

export type AuthFormState = {
  /** Form-level message, shown in an alert above the button. */
  error?: string;
  fieldErrors?: Partial<Record<FieldName, string>>;
  /** Sign-in: the password was right but the mailed sign-up link was never followed. */
  unverified?: boolean;
  /** Echoed back so the form keeps what was typed (never the password). */
  values?: { email?: string; name?: string };
};

export const initialAuthFormState: AuthFormState = {};

/** "Forgot password?" and "send the confirmation again": one email field, one neutral answer. */
export type MailLinkState = { error?: string; sent?: boolean; email?: string };
