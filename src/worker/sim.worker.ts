/// <reference lib="webworker" />
// The simulation worker. Today it reads model files (so a large .pb never freezes the page) and keeps the parsed
// DpModel; the potential engines, the MD loop and the analysis will live here too, streaming frames back.
import type { DpModel } from '../model/types';
import { errorPayload, parseModel } from './modelLoading';
import type { FromWorker, ToWorker } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** The model the next simulation will use; replaced only by a successful load. */
let currentModel: DpModel | null = null;

function post(msg: FromWorker): void {
  scope.postMessage(msg);
}

scope.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'loadModel': {
      try {
        const { model, info } = await parseModel(new Uint8Array(msg.bytes), msg.fileName);
        currentModel = model;
        post({ type: 'modelLoaded', id: msg.id, model: info });
      } catch (e) {
        post({ type: 'modelError', id: msg.id, error: errorPayload(e) });
      }
      break;
    }
  }
};

post({ type: 'ready' });
