/** Builds the browser bundles the server serves: the consent widget and the dashboard. */
import { buildDashboard } from '../dashboard/build.ts';
import { buildWidget } from '../widget/build.ts';

const builds: Array<{ name: string; run: () => Promise<void> }> = [{ name: 'widget', run: buildWidget }, { name: 'dashboard', run: buildDashboard }];

for (const build of builds) {
  const started = performance.now();
  await build.run();
  console.log(`built ${build.name} in ${Math.round(performance.now() - started)} ms`);
}
