// What the profile server actions hand back: plain data, field errors keyed by input name.

export type ProfileActionError = {
  ok: false;
  code: string;
  message: string;
  fieldErrors?: Record<string, string>;
  requestId?: string;
};

export type ProfileResult<T = object> = ({ ok: true } & T) | ProfileActionError;
