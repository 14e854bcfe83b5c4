/**
 * Errors raised by the recipes themselves. Errors of the service (`NoNode`, `ConnectionLoss`,
 * `SessionExpired`, ...) reach callers unchanged as `KeelError`s from `@keel/client`.
 */

/** What went wrong inside a recipe. */
export type RecipeErrorCode =
  /** A recipe was started twice, or used before `start()` / after `close()`. */
  | 'IllegalState'
  /** A lock, lease or leadership was revoked (connection lost, per the error policy, or the node vanished). */
  | 'Revoked'
  /** `release()` on something this handle does not hold. */
  | 'NotHeld'
  /** Data in a recipe node could not be decoded. */
  | 'BadData';

// A registered symbol so the guard recognises errors from the ESM and CJS builds alike.
const recipeErrorBrand = Symbol.for('keel.RecipeError');

/** An error of a recipe, with a stable `code` and the recipe's path when known. */
export class RecipeError extends Error {
  override name = 'RecipeError';
  readonly code: RecipeErrorCode;
  readonly path: string | undefined;

  constructor(code: RecipeErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
    Object.defineProperty(this, recipeErrorBrand, { value: true });
  }
}

/** Whether a value is a recipe error, optionally of one code. */
export function isRecipeError(value: unknown, code?: RecipeErrorCode): value is RecipeError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<PropertyKey, unknown>;
  return candidate[recipeErrorBrand] === true && (code === undefined || candidate.code === code);
}
