/**
 * `npm run bench [-- <scenario> [options]]`: runs every scenario, or one with its options, prints the figures as
 * tables beside the floor they are read against, and with BENCH_JSON=path writes them all as JSON.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { collectorScenario } from './collector.ts';
import { dashboardScenario } from './dashboard.ts';
import { drillsScenario } from './drills.ts';
import { scannerScenario } from './scanner.ts';
import { formatTable, toJson, type ScenarioReport } from './lib/report.ts';
import { UsageError, type BenchEnv, type OptionValues, type Scenario } from './lib/scenario.ts';
import { verifyScenario } from './verify.ts';
import { widgetScenario } from './widget.ts';

/** Every scenario, by the name `npm run bench -- <name>` takes. Add yours here: one line. */
const scenarios: Record<string, Scenario> = {
  collector: collectorScenario,
  widget: widgetScenario,
  dashboard: dashboardScenario,
  verify: verifyScenario,
  drills: drillsScenario,
  scanner: scannerScenario,
};

function help(): string {
  const lines = Object.entries(scenarios).flatMap(([name, scenario]) => [
    `  ${name.padEnd(12)} ${scenario.summary}`,
    ...scenario.help.map((line) => `      ${line}`),
  ]);
  return [
    'Usage: npm run bench                      every scenario with its defaults',
    '       npm run bench -- <scenario> [options]',
    '',
    'Scenarios:',
    ...lines,
    '',
    'Environment: DATABASE_URL (PostgreSQL server for the PostgreSQL runs), BENCH_JSON=path (also write the figures as JSON).',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === 'help') {
    console.log(help());
    return 0;
  }
  let selected: Array<[string, Scenario, OptionValues]>;
  try {
    if (name === undefined) {
      selected = Object.entries(scenarios).map(([key, scenario]) => [key, scenario, {}]);
    } else {
      const scenario = scenarios[name];
      if (!scenario) throw new UsageError(`Unknown scenario "${name}"`);
      const { values } = parseArgs({ args: rest, options: scenario.options, strict: true, allowPositionals: false });
      selected = [[name, scenario, values as OptionValues]];
    }
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${help()}`);
    return 2;
  }

  const env: BenchEnv = { databaseUrl: process.env.DATABASE_URL || undefined };
  const jsonPath = process.env.BENCH_JSON;
  const startedAt = new Date();
  const reports: Record<string, ScenarioReport> = {};
  for (const [key, scenario, values] of selected) {
    try {
      reports[key] = await scenario.run(values, env);
    } catch (error) {
      if (error instanceof UsageError) {
        console.error(`${error.message}\n\n${help()}`);
        return 2;
      }
      throw error;
    }
    console.log(`\n${formatTable(key, reports[key])}\n`);
  }
  if (jsonPath) {
    await writeFile(jsonPath, toJson(reports, startedAt));
    console.log(`Figures written to ${jsonPath}`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
