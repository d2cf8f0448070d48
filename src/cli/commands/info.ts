// `npm run cli -- info --model FILE`: the model summary as JSON.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { loadModelFile } from '../../model/load.ts';
import { summarizeModel } from '../../model/summary.ts';
import { parseArgs, required } from '../args.ts';

export const summary = 'print a model summary as JSON (--model FILE)';

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  const file = required(a, 'model', 'npm run cli -- info --model FILE');
  const m = await loadModelFile(readFileSync(file), basename(file));
  process.stdout.write(JSON.stringify(summarizeModel(m), null, 1) + '\n');
  return 0;
}
