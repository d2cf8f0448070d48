// The store's handling of the built-in model: fetched once at start-up into its own worker slot, beside (not instead
// of) the user's file; while it loads, runs wait; when the download or the parse fails, the state says what failed
// and the classical baseline takes over the default. The worker is replaced by the same parser it runs
// (worker/modelLoading.ts) and fetch by a stub serving the real file or a failure.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseModel } from '../worker/modelLoading';
import { simClient } from '../worker/client';
import { DEFAULT_SETTINGS } from '../worker/settings';
import { builtinPending, dpFileOf, dpModelOf, settingsErrors, useApp } from './store';

const file = (rel: string) => readFileSync(fileURLToPath(new URL(rel, import.meta.url)));
const BUILTIN = file('../../models/mos2-dptab.json');
const WATER = file('../../e2e/fixtures/water_se_e2_a.json');

const client = simClient();
const loadModel = vi.spyOn(client, 'loadModel');
vi.spyOn(client, 'reset').mockImplementation(() => {});

let answer: () => Promise<Response>;
const fetchStub = vi.fn((_url: string) => answer());

beforeEach(() => {
  loadModel.mockReset().mockImplementation(async (_slot, name, bytes) => (await parseModel(new Uint8Array(bytes), name)).info);
  fetchStub.mockClear();
  vi.stubGlobal('fetch', fetchStub);
  useApp.setState({ settings: DEFAULT_SETTINGS, model: null, modelFile: null, modelError: null, builtin: { status: 'loading', info: null, file: null, error: null } });
});
afterEach(() => vi.unstubAllGlobals());

describe('the built-in model in the store', () => {
  it('loads into its own slot, stays beside a loaded file, and is chosen again without a refetch', async () => {
    answer = async () => new Response(BUILTIN);
    await useApp.getState().loadBuiltinModel();
    const s = useApp.getState();
    expect(fetchStub).toHaveBeenCalledTimes(1);
    expect(String(fetchStub.mock.calls[0][0])).toMatch(/mos2-dptab\.json$/);
    expect(loadModel.mock.calls[0].slice(0, 2)).toEqual(['dptab-builtin', 'mos2-dptab.json']);
    expect(s.builtin.status).toBe('ready');
    expect(s.builtin.info?.typeMap).toEqual(['Mo', 'S']);
    expect(s.settings.model).toBe('dptab-builtin');
    expect(dpModelOf(s)).toBe(s.builtin.info);
    expect(dpFileOf(s)?.name).toBe('mos2-dptab.json');
    expect(dpFileOf(s)?.size).toBe(BUILTIN.length);
    expect(settingsErrors(s)).toEqual({});

    await useApp.getState().loadModelFile(new File([WATER], 'water_se_e2_a.json'));
    expect(loadModel.mock.calls[1].slice(0, 2)).toEqual(['loaded', 'water_se_e2_a.json']);
    expect(useApp.getState().builtin.status).toBe('ready');
    expect(dpModelOf(useApp.getState())?.fileName).toBe('mos2-dptab.json');
    useApp.getState().updateSettings((x) => ({ ...x, model: 'loaded' }));
    expect(dpModelOf(useApp.getState())?.fileName).toBe('water_se_e2_a.json');
    expect(settingsErrors(useApp.getState()).model).toMatch(/type_map \[O, H\]/);
    useApp.getState().updateSettings((x) => ({ ...x, model: 'dptab-builtin' }));
    expect(settingsErrors(useApp.getState())).toEqual({});
    expect(fetchStub).toHaveBeenCalledTimes(1);
    expect(loadModel).toHaveBeenCalledTimes(2);
  });

  it('makes runs wait while it loads, and hands the default to the classical baseline when the download fails', async () => {
    let fail: (r: Response) => void = () => {};
    answer = () => new Promise<Response>((r) => { fail = r; });
    const loading = useApp.getState().loadBuiltinModel();
    expect(builtinPending(useApp.getState())).toBe(true);
    expect(settingsErrors(useApp.getState()).model).toMatch(/built-in DP-Tab model is not loaded/);
    fail(new Response('gone', { status: 404, statusText: 'Not Found' }));
    await loading;
    const s = useApp.getState();
    expect(s.builtin.status).toBe('error');
    expect(s.builtin.error?.message).toMatch(/^Downloading .*mos2-dptab\.json failed: the server answered 404 Not Found\.$/);
    expect(loadModel).not.toHaveBeenCalled();
    expect(s.settings.model).toBe('sw-wen2017');
    expect(builtinPending(s)).toBe(false);
    expect(settingsErrors(s)).toEqual({});
  });

  it('says what failed when the file arrives but cannot be read, or the network fails', async () => {
    answer = async () => new Response('{"model": {"type": "zbl", "models": [');
    await useApp.getState().loadBuiltinModel();
    expect(useApp.getState().builtin.error).toMatchObject({ fileName: 'mos2-dptab.json', kind: 'ModelFormatError', message: expect.stringMatching(/not valid JSON/) });
    expect(useApp.getState().settings.model).toBe('sw-wen2017');

    // A user who chose another potential meanwhile keeps it.
    useApp.setState({ settings: { ...DEFAULT_SETTINGS, model: 'sw-jiang2015' } });
    answer = async () => { throw new TypeError('Failed to fetch'); };
    await useApp.getState().loadBuiltinModel();
    expect(useApp.getState().builtin.error?.message).toMatch(/failed: Failed to fetch\.$/);
    expect(useApp.getState().settings.model).toBe('sw-jiang2015');
  });
});
