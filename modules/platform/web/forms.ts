/**
 * Validation of submitted forms with zod: the data, or the Italian message of
 * the first problem of each field (for the error summary) and the values as
 * typed (to fill the form again).
 *
 * @example
 * ```ts
 * const result = validateForm(schema, await c.req.parseBody());
 * if (!result.ok) return renderForm(result.values, result.errors);
 * ```
 * @module
 */
import type { z } from "zod";

/**
 * A page number from the query string: a small positive integer, else the
 * first page (a fraction or a huge number would reach SQL as an offset).
 */
export function pageParam(raw: string | undefined): number {
  return raw && /^[1-9]\d{0,5}$/.test(raw) ? Number(raw) : 1;
}

/** The outcome of a form validation. */
export type FormResult<T> =
  | { ok: true; data: T; values: Record<string, string> }
  | { ok: false; errors: Record<string, string>; values: Record<string, string> };

/** Validates the string fields of a submitted form against `schema`. */
export function validateForm<S extends z.ZodType>(
  schema: S,
  body: Record<string, unknown>,
): FormResult<z.infer<S>> {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === "string" && k !== "_csrf") values[k] = v;
  }
  const parsed = schema.safeParse(values);
  if (parsed.success) return { ok: true, data: parsed.data, values };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= issue.message;
  }
  return { ok: false, errors, values };
}
