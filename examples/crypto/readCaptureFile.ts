import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CaptureReader, type Capture } from './captures.js';

const GZIP_MAGIC = [0x1f, 0x8b];

const isGzip = async (path: string): Promise<boolean> => {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await file.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await file.close();
  }
};

/**
 * The lines of a capture file, gzip (told by its first bytes, whatever its name) or plain, read as they are
 * consumed: a consumer that stops pulling stops the reading (back-pressure). Rejects when the file cannot
 * be read or is not valid gzip.
 */
export async function* captureFileLines(path: string): AsyncGenerator<string> {
  const file = createReadStream(path);
  // pipeline() passes an error of either stream on to the last one, which ends the line iterator with it.
  const text: Readable = (await isGzip(path)) ? pipeline(file, createGunzip(), () => undefined) : file;
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  try {
    yield* lines;
  } finally {
    // A consumer that stopped early closes the file; the streams' complaints about it are moot.
    lines.on('error', () => undefined);
    file.destroy();
  }
}

/** Reads a whole capture file (see {@link captureFileLines}). */
export const readCaptureFile = async (path: string): Promise<Capture> => {
  const reader = new CaptureReader(path);
  for await (const line of captureFileLines(path)) reader.add(line);
  return reader.capture();
};
