// `npm run cli -- info [--model default|FILE]`: the model summary as JSON (with the training record of the
// project's trainer when the file carries one). Without --model, or with --model default: the project's DP-Tab MoS2
// model, models/mos2-dptab.json.
import { loadModelFile } from '../../model/load.ts';
import { summarizeModel } from '../../model/summary.ts';
import { parseArgs } from '../args.ts';
import { readModelFile } from '../defaultModel.ts';

export const summary = 'print a model summary as JSON ([--model default|FILE]; default = models/mos2-dptab.json)';

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  const file = readModelFile(a.opts.get('model'));
  const m = await loadModelFile(file.bytes, file.fileName);
  process.stdout.write(JSON.stringify(summarizeModel(m), null, 1) + '\n');
  return 0;
}
