/**
 * The server's version, from its package.json (bundled at build time).
 */
import packageJson from '../../package.json';

/** `@keel/server`'s version. */
export const serverVersion: string = packageJson.version;
