/** Everything `npm run build` makes: the widget, the dashboard and the compiled server, each into dist/. */
import { buildDashboard } from '../dashboard/build.ts';
import { buildSdk } from '../sdk/build.ts';
import { buildServer } from '../server/build.ts';
import { buildWidget } from '../widget/build.ts';

const BUILDS: ReadonlyArray<{ name: string; run: () => Promise<void> }> = [
  { name: 'widget', run: buildWidget },
  { name: 'dashboard', run: buildDashboard },
  { name: 'server', run: buildServer },
  { name: 'client package (sdk/)', run: buildSdk },
];

/** Builds each in turn and says what each took through `report` (silent when left out). */
export async function buildAll(report: (line: string) => void = () => {}): Promise<void> {
  for (const { name, run } of BUILDS) {
    const started = performance.now();
    await run();
    report(`built ${name} in ${Math.round(performance.now() - started)} ms`);
  }
}
