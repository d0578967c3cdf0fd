/**
 * @samtykke/client: Samtykke for React Native / Expo apps and Node programs. Record the user's decision, read and
 * watch the choices, and send usage events through an offline queue that honours the server's Retry-After.
 */
export { createSamtykke, type DecideOptions, type Samtykke, type SamtykkeOptions, type ScreenOptions, type TrackOptions } from './client.js';
export { SamtykkeError, type SamtykkeErrorCode } from './errors.js';
export { memoryStorage, secureStoreStorage, type SecureStoreLike, type StorageAdapter } from './storage.js';
export { addressProblem } from './rules.js';
export { CATEGORIES, type Category, type Choices, type ConsentAction, type EventProps, type Locale } from './types.js';
export { handoffScripts, readLatestConsent, requestHandoff, type HandoffOptions, type LatestConsent, type WebViewHandoff } from './handoff.js';
