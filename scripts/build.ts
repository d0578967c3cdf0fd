/** `npm run build`: every bundle the server serves, and the server itself, into dist/. */
import { buildAll } from './bundles.ts';

await buildAll(console.log);
