import type { PickerProvider, Selection } from "./picker";

// Which picker entry a selection is on, shared by the server (initialSelection) and the model
// picker. Apart from picker.ts so the browser does not load the price table with it.

/** The picker entry a selection is on: for `compatible`, the endpoint its keyId belongs to (else the first). */
export function entryFor(
  providers: readonly PickerProvider[],
  sel: { provider?: string | null; keyId?: string | null },
): PickerProvider | undefined {
  const same = providers.filter((p) => p.id === sel.provider);
  const keyId = sel.keyId;
  return (keyId ? same.find((p) => p.endpoint?.keyIds.includes(keyId)) : undefined) ?? same[0];
}

/** A stable key for a picker entry (several for `compatible` with several endpoints). */
export const entryKey = (p: PickerProvider): string => (p.endpoint ? `${p.id}:${p.endpoint.id}` : p.id);

/** The selection a chosen entry and model make. */
export function selectionOf(p: PickerProvider, model: string): Selection {
  return p.endpoint ? { provider: p.id, model, keyId: p.endpoint.id } : { provider: p.id, model };
}
