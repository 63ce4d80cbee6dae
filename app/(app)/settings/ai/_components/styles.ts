// Class strings shared by the AI-settings controls, matching the app shell and auth forms.

export const button = {
  base: "inline-flex h-9 items-center justify-center gap-2 rounded-lg px-3.5 text-sm font-medium transition-[filter,background-color,opacity] disabled:cursor-not-allowed disabled:opacity-60 aria-disabled:cursor-not-allowed aria-disabled:opacity-60",
  primary: "bg-primary text-primary-foreground shadow-sm hover:brightness-110",
  secondary: "border border-border bg-background text-foreground shadow-xs hover:bg-muted",
  danger: "border border-destructive/30 bg-background text-destructive hover:bg-destructive-soft",
  dangerSolid: "bg-destructive text-white shadow-sm hover:brightness-110",
};

export const input =
  "block h-10 w-full rounded-lg border border-input bg-background px-3 text-[15px] shadow-xs outline-none transition-[border-color,box-shadow] placeholder:text-muted-foreground/70 focus:border-ring focus:ring-3 focus:ring-ring/20 focus-visible:outline-none aria-invalid:border-destructive aria-invalid:focus:ring-destructive/20";

export const card = "rounded-xl border border-border bg-card p-4 shadow-xs sm:p-5";

export const link = "font-medium text-primary-ink underline-offset-2 hover:underline";
