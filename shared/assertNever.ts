/**
 * Ends a switch over a union that must handle every member: the compiler
 * rejects the call while a member is unhandled, so adding a message type
 * cannot leave it silently dropped by a handler.
 */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(x)}`);
}
