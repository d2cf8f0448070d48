// Saving a Blob as a file download (DOM; no React).

export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Let the download start before the URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-name-safe timestamp, e.g. 2025-01-31T12-30-05. */
export const stamp = (d = new Date()): string => d.toISOString().slice(0, 19).replace(/:/g, '-');
