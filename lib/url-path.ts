// No imports: proxy.ts runs it on every page request and on /api paths that hold a "%".

/**
 * True when a segment of a raw (still percent-encoded) path cannot be decoded: a lone "%", a
 * "%" without two hex digits, bytes that are not UTF-8 (%C0%AF) or an encoded surrogate
 * (%ED%A0%80). Next decodes dynamic segments with decodeURIComponent and answers those with a 500.
 */
export function hasMalformedEscape(pathname: string): boolean {
  if (!pathname.includes("%")) return false;
  for (const segment of pathname.split("/")) {
    try {
      decodeURIComponent(segment);
    } catch {
      return true;
    }
  }
  return false;
}
