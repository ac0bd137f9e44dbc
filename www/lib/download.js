// @ts-check
// Files the page makes (a model, an export) go out as a Blob through an object URL on an
// <a download>: a download is not a fetch, so the Content-Security-Policy needs nothing more.

/**
 * Hand `data` to the browser as a download named `name`.
 * @param {Blob | Uint8Array | ArrayBuffer} data
 * @param {string} name
 */
export function saveFile(data, name) {
  const blob =
    data instanceof Blob ? data : new Blob([/** @type {BlobPart} */ (data)], { type: 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // Late enough for the browser to have started the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
