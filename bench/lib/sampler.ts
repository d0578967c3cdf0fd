/** Takes a sample at a fixed interval while a load runs, each stamped with Date.now(), for per-window deltas afterwards. */

export interface Timed<T> {
  readonly t: number;
  readonly value: T;
}

export interface Sampling<T> {
  /** Takes one last sample and returns them all, oldest first. */
  stop(): Promise<Timed<T>[]>;
}

export function sampleEvery<T>(intervalMs: number, take: () => Promise<T>): Sampling<T> {
  const samples: Timed<T>[] = [];
  let failure: unknown = null;
  let pending: Promise<void> = Promise.resolve();
  const once = () => {
    const t = Date.now();
    pending = take().then(
      (value) => void samples.push({ t, value }),
      (error: unknown) => void (failure ??= error),
    );
    return pending;
  };
  void once();
  const timer = setInterval(() => void pending.then(once), intervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await pending;
      await once();
      if (failure) throw failure;
      return samples;
    },
  };
}

/** The newest sample taken at or before `t` (the oldest when none was). */
export function sampleAt<T>(samples: readonly Timed<T>[], t: number): T | undefined {
  let found = samples[0];
  for (const sample of samples) {
    if (sample.t > t) break;
    found = sample;
  }
  return found?.value;
}
