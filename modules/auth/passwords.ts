/**
 * Password hashing with Argon2id (OWASP parameters: 19 MiB, 2 passes) and the
 * password rule shown to users.
 *
 * @example
 * ```ts
 * const h = await hashPassword("una frase lunga e segreta");
 * await verifyPassword(h, "una frase lunga e segreta"); // true
 * ```
 * @module
 */
import { hash, verify } from "@node-rs/argon2";

const PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

/** Hashes a password with Argon2id. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

/** Verifies a password against an Argon2id hash; false for a malformed hash. */
export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

// Verified against when the user does not exist, so that the answer takes as long either way.
let dummyHash: Promise<string> | undefined;

/** Spends the time of one verification, for an unknown account. */
export async function verifyNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword("nessun utente corrisponde a questo valore");
  await verifyPassword(await dummyHash, password);
  return false;
}

/** The Italian reason a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, username?: string): string | undefined {
  if (password.length < 12) return "La password deve avere almeno 12 caratteri.";
  if (password.length > 256) return "La password può avere al massimo 256 caratteri.";
  if (username && password.toLowerCase().includes(username.toLowerCase())) {
    return "La password non può contenere il nome utente o il codice fiscale.";
  }
  return undefined;
}
