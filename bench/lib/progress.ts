/** Progress lines on stderr with the time since the scenario started, so stdout holds only the figures. */
export type Progress = (message: string) => void;

export function progressLog(scenario: string): Progress {
  const startedAt = Date.now();
  return (message) => console.error(`[${scenario} +${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${message}`);
}
