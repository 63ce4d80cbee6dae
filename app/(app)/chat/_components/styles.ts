// Class strings of the chat UI, in the app's design tokens (globals.css).

export const iconButton =
  "inline-flex size-8 items-center justify-center rounded-lg text-muted-foreground transition-colors hover:bg-muted hover:text-foreground disabled:pointer-events-none disabled:opacity-40";

export const button = {
  base: "inline-flex h-9 items-center justify-center gap-2 rounded-lg px-3.5 text-sm font-medium transition-[filter,background-color,opacity] disabled:cursor-not-allowed disabled:opacity-60",
  primary: "bg-primary text-primary-foreground shadow-sm hover:brightness-110",
  secondary: "border border-border bg-background text-foreground shadow-xs hover:bg-muted",
  dangerSolid: "bg-destructive text-white shadow-sm hover:brightness-110",
};
