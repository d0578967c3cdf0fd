/** The admin API's schemas for texts a person types: trimmed, not empty, bounded, and in every locale where localised. */
import { z } from 'zod';

export const text = (max: number) => z.string().trim().min(1).max(max);
/** Nynorsk is optional: where a text has none, Nynorsk readers see the Bokmål. */
export const localizedText = (max: number) => z.strictObject({ nb: text(max), nn: text(max).optional(), en: text(max) });
