"use client";

import { Field } from "@/app/_components/auth/field";

type Props = {
  /** False for an OAuth-only account: it confirms by typing its email instead. */
  hasPassword: boolean;
  /** Prefix of the input ids: `${idPrefix}-password` or `${idPrefix}-confirm-email`. */
  idPrefix: string;
  passwordLabel: string;
  emailLabel: string;
  value: string;
  onChange: (value: string) => void;
  errors: Record<string, string>;
  hint?: string;
};

/** The id of the proof input a form renders, for moving focus to it after an error. */
export function identityFieldId(idPrefix: string, hasPassword: boolean): string {
  return `${idPrefix}-${hasPassword ? "password" : "confirm-email"}`;
}

/** Re-authentication before a sensitive change: the password, or the account's email typed out. */
export function IdentityField({
  hasPassword,
  idPrefix,
  passwordLabel,
  emailLabel,
  value,
  onChange,
  errors,
  hint,
}: Props) {
  const name = hasPassword ? "password" : "confirmEmail";
  return (
    <Field
      name={name}
      id={identityFieldId(idPrefix, hasPassword)}
      label={hasPassword ? passwordLabel : emailLabel}
      type={hasPassword ? "password" : "email"}
      autoComplete={hasPassword ? "current-password" : "off"}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={errors[name]}
      hint={hasPassword ? undefined : hint}
    />
  );
}
