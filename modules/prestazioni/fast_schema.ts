/**
 * A fast path in front of the XSD-derived zod schemas, for the flows' hot
 * loop (hundreds of thousands of records, tens of attributes each). A schema
 * made of strict objects, optional fields, arrays with length bounds, unions
 * and the XSD datatypes of `xsd_types.ts` is compiled once into a plain
 * function that gives zod's own output for a value it accepts. A value it
 * does not accept — and any schema it does not know — goes to zod itself,
 * which gives the exact issues: the fast path only ever answers "valid".
 * `tests/prestazioni/fast_schema_test.ts` holds the two to the same answers.
 *
 * @example
 * ```ts
 * const parsed = safeParseFast(AnagraficaAttrs, attrs);
 * if (parsed.success) use(parsed.data);
 * ```
 * @module
 */
import type { z } from "zod";

/** What a compiled check returns for a value it does not accept. */
export const FAIL: unique symbol = Symbol("non valido");

/** A compiled check: zod's output for the value, or {@linkcode FAIL}. */
export type FastCheck = (value: unknown) => unknown;

/** zod's output for a value known to be valid: a datatype's transform alone. */
export type Output = (value: unknown) => unknown;

const leaves = new WeakMap<z.ZodType, FastCheck>();
const outputs = new WeakMap<z.ZodType, Output>();
const compiled = new WeakMap<z.ZodType, FastCheck | null>();
const compiledOutputs = new WeakMap<z.ZodType, Output | null>();

/**
 * Gives `schema` (a datatype) a plain check equivalent to it and, when it
 * transforms what it accepts, that transform (`output`); returns `schema`.
 */
export function withFastPath<S extends z.ZodType>(
  schema: S,
  check: FastCheck,
  output?: Output,
): S {
  leaves.set(schema, check);
  if (output) outputs.set(schema, output);
  return schema;
}

/**
 * zod's output for `value`, which `schema` accepted before — the same data,
 * checked again — without checking it again: the transforms alone. For a
 * schema of strict objects, optional fields and datatypes; any other is
 * checked (see {@linkcode safeParseFast}).
 */
export function outputOf<S extends z.ZodType>(
  schema: S,
  value: unknown,
): z.ZodSafeParseResult<z.output<S>> {
  const output = outputFunction(schema);
  return output
    ? { success: true, data: output(value) as z.output<S> }
    : safeParseFast(schema, value);
}

const same: Output = (v) => v;

function outputFunction(schema: z.ZodType): Output | null {
  let output = compiledOutputs.get(schema);
  if (output === undefined) {
    output = compileOutput(schema);
    compiledOutputs.set(schema, output);
  }
  return output;
}

function compileOutput(schema: z.ZodType): Output | null {
  if (leaves.has(schema)) return outputs.get(schema) ?? same;
  const def = defOf(schema);
  if (def.type === "optional") {
    const inner = outputFunction(def.innerType!);
    return inner && (inner === same ? same : (v) => (v === undefined ? undefined : inner(v)));
  }
  if (def.type !== "object" || defOf(def.catchall ?? schema).type !== "never") return null;
  const fields = new Map<string, Output>();
  for (const [name, field] of Object.entries(def.shape!)) {
    const output = outputFunction(field);
    if (!output) return null;
    if (output !== same) fields.set(name, output);
  }
  // An object whose fields are all their own output is its own (as the fast check gives it).
  if (fields.size === 0) return same;
  return (v) => {
    const input = v as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    // The input's keys are walked (see `strictObject`): a field it lacks costs nothing.
    for (const name in input) {
      const output = fields.get(name);
      if (output === undefined) continue;
      const value = input[name];
      if (value === undefined) continue;
      const parsed = output(value);
      if (parsed !== value) (out ??= { ...input })[name] = parsed;
    }
    return out ?? input;
  };
}

/** `schema.safeParse(value)`, through the compiled check when the value passes it. */
export function safeParseFast<S extends z.ZodType>(
  schema: S,
  value: unknown,
): z.ZodSafeParseResult<z.output<S>> {
  const check = fastCheck(schema);
  if (check) {
    const out = check(value);
    if (out !== FAIL) return { success: true, data: out as z.output<S> };
  }
  return schema.safeParse(value);
}

/** The compiled check of `schema`, or `null` when it holds a part the fast path does not know. */
export function fastCheck(schema: z.ZodType): FastCheck | null {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

type Def = {
  type: string;
  checks?: {
    _zod: { def: { check: string; minimum?: number; maximum?: number; length?: number } };
  }[];
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
};

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

function compile(schema: z.ZodType): FastCheck | null {
  const leaf = leaves.get(schema);
  if (leaf) return leaf;
  const def = defOf(schema);
  if (def.checks?.length && def.type !== "array") return null;
  switch (def.type) {
    case "optional": {
      const inner = fastCheck(def.innerType!);
      return inner && ((v) => (v === undefined ? undefined : inner(v)));
    }
    case "object":
      return defOf(def.catchall ?? schema).type === "never" ? strictObject(def.shape!) : null;
    case "array":
      return array(def);
    case "union": {
      const options = def.options!.map(fastCheck);
      if (options.some((o) => o === null)) return null;
      return (v) => {
        for (const option of options as FastCheck[]) {
          const out = option(v);
          if (out !== FAIL) return out;
        }
        return FAIL;
      };
    }
    default:
      return null;
  }
}

function strictObject(shape: Record<string, z.ZodType>): FastCheck | null {
  // Each field's place, check, and whether it may be absent.
  const place = new Map<string, number>();
  const checks: FastCheck[] = [];
  const isOptional: boolean[] = [];
  for (const [name, field] of Object.entries(shape)) {
    const check = fastCheck(field);
    if (!check) return null;
    place.set(name, checks.length);
    checks.push(check);
    isOptional.push(defOf(field).type === "optional");
  }
  const required = isOptional.filter((optional) => !optional).length;
  return (v) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return FAIL;
    const input = v as Record<string, unknown>;
    // The input's keys are walked, not the schema's fields: an absent optional field costs
    // nothing, and each value is read through the key the walk gives (the engine's fast path).
    // zod's output is a new object with the parsed fields; while every field parses to itself
    // (as a valid record's do) it is the input's copy, and the input stands for it.
    let out: Record<string, unknown> | undefined;
    let seen = 0;
    for (const key in input) {
      const f = place.get(key);
      // Strict: no key but the fields. A field present as `undefined` goes to zod.
      if (f === undefined) return FAIL;
      const value = input[key];
      if (value === undefined) return FAIL;
      const parsed = checks[f](value);
      if (parsed === FAIL) return FAIL;
      if (!isOptional[f]) seen++;
      if (parsed !== value && !out) {
        out = {};
        for (const earlier in input) {
          if (earlier === key) break;
          out[earlier] = input[earlier];
        }
      }
      if (out) out[key] = parsed;
    }
    // Every required field was among the keys.
    return seen === required ? out ?? input : FAIL;
  };
}

function array(def: Def): FastCheck | null {
  const element = fastCheck(def.element!);
  if (!element) return null;
  let min = 0, max = Infinity;
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === "min_length") min = d.minimum!;
    else if (d.check === "max_length") max = d.maximum!;
    else if (d.check === "length_equals") min = max = d.length!;
    else return null;
  }
  return (v) => {
    if (!Array.isArray(v) || v.length < min || v.length > max) return FAIL;
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const parsed = element(v[i]);
      if (parsed === FAIL) return FAIL;
      out[i] = parsed;
    }
    return out;
  };
}
