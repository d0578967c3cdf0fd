/** Who is on the site now, polled while the page is open and visible: no reload, no request from a hidden tab. */
import { effect } from '@preact/signals';
import { api, type Realtime } from '../api.ts';
import { createLoader, type Loader } from './loader.ts';
import { currentSite } from './session.ts';

const POLL_MS = 15_000;

export interface RealtimeModel {
  readonly now: Loader<Realtime>;
  /** Starts polling the current site; the returned function stops it. */
  start(): () => void;
}

export function createRealtimeModel(): RealtimeModel {
  const now = createLoader(() => api.realtime(currentSite.value!.id));
  const refresh = () => {
    if (currentSite.peek() && document.visibilityState === 'visible') void now.load();
  };
  function start(): () => void {
    const stopSiteWatch = effect(() => {
      if (currentSite.value) void now.load();
    });
    const timer = setInterval(refresh, POLL_MS);
    document.addEventListener('visibilitychange', refresh);
    return () => {
      stopSiteWatch();
      clearInterval(timer);
      document.removeEventListener('visibilitychange', refresh);
    };
  }
  return { now, start };
}
