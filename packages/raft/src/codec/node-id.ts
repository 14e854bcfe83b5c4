/**
 * The rules a node id must follow to travel between members: a non-empty string of at most
 * `nodeIdBytesMax` UTF-8 bytes, well-formed Unicode, without control characters (they would
 * corrupt logs and are never a deliberate choice of an operator).
 */
import { nodeIdBytesMax } from '../constants';
import { utf8Size } from './bytes';

/** True if `id` has no control character (C0, DEL or C1). */
export function hasNoControlCharacters(id: string): boolean {
  for (let i = 0; i < id.length; i++) {
    const unit = id.charCodeAt(i);
    if (unit < 0x20 || (unit >= 0x7f && unit <= 0x9f)) return false;
  }
  return true;
}

/** True if `id` may be used as a member id on the wire. */
export function isValidNodeId(id: unknown): id is string {
  if (typeof id !== 'string' || id.length === 0) return false;
  const size = utf8Size(id);
  return size > 0 && size <= nodeIdBytesMax && hasNoControlCharacters(id);
}
