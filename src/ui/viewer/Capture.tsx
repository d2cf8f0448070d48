// PNG screenshot and WebM video of the 3D view (the renderer keeps its drawing buffer, so the canvas can be read
// at any time; the video records the frames the view paints, via MediaRecorder on canvas.captureStream).
import { useRef, useState } from 'react';
import { downloadBlob, stamp } from '../download';

function viewerCanvas(): HTMLCanvasElement | null {
  return document.querySelector<HTMLCanvasElement>('.viewer-canvas canvas');
}

function pickMime(): string | null {
  for (const m of ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm']) {
    if (typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(m)) return m;
  }
  return null;
}

export function CaptureButtons() {
  const [recording, setRecording] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const recorder = useRef<MediaRecorder | null>(null);

  const screenshot = () => {
    const c = viewerCanvas();
    if (!c) return;
    c.toBlob((b) => {
      if (b) downloadBlob(b, `cascade-${stamp()}.png`);
      else setError('The browser could not encode the view as PNG.');
    }, 'image/png');
  };

  const toggleVideo = () => {
    if (recorder.current) {
      recorder.current.stop();
      return;
    }
    const c = viewerCanvas();
    const mime = pickMime();
    if (!c || !mime) {
      setError('This browser cannot record WebM video.');
      return;
    }
    const chunks: Blob[] = [];
    const rec = new MediaRecorder(c.captureStream(30), { mimeType: mime, videoBitsPerSecond: 6_000_000 });
    rec.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
    rec.onstop = () => {
      recorder.current = null;
      setRecording(false);
      downloadBlob(new Blob(chunks, { type: 'video/webm' }), `cascade-${stamp()}.webm`);
    };
    rec.start(250);
    recorder.current = rec;
    setRecording(true);
    setError(null);
  };

  return (
    <div className="button-group" role="group" aria-label="Capture">
      <button type="button" onClick={screenshot} title="Save the view as a PNG image">Save PNG</button>
      <button type="button" onClick={toggleVideo} aria-pressed={recording} className={recording ? 'recording' : undefined}
        title="Record the view as WebM video; press again to stop and save">
        {recording ? 'Stop video' : 'Record video'}
      </button>
      {error && <span className="capture-error" role="alert">{error}</span>}
    </div>
  );
}
