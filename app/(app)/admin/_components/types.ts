export type AdminResult =
  | { ok: true; message: string /** An invite or reset link, shown once. */; link?: string }
  | { ok: false; code: string; message: string };
