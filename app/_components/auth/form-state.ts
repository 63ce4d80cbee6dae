// What the sign-in / sign-up server actions hand back to their forms.

export type FieldName = "email" | "password" | "name";

export type AuthFormState = {
  /** Form-level message, shown in an alert above the button. */
  error?: string;
  fieldErrors?: Partial<Record<FieldName, string>>;
  /** Echoed back so the form keeps what was typed (never the password). */
  values?: { email?: string; name?: string };
};

export const initialAuthFormState: AuthFormState = {};
