/**
 * The bytes of one input file, decompressed when it starts with the gzip magic bytes, with the
 * guards that make hostile input safe: a cap on the decompressed size and on the expansion ratio
 * (a 2 MB gzip that expands to 2 GiB is refused after a few megabytes, not after minutes), and a
 * progress callback counting the bytes read from disk.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';

export interface DecompressionLimits {
  /** Most bytes one file may expand to. Default 8 GiB. */
  maxDecompressedBytes: number;
  /** Most decompressed bytes per compressed byte read so far. Default 200. */
  maxRatio: number;
  /** Below this many decompressed bytes the ratio is not checked (small files compress well). Default 32 MiB. */
  ratioGraceBytes: number;
}

export const DEFAULT_DECOMPRESSION_LIMITS: DecompressionLimits = {
  maxDecompressedBytes: 8 * 1024 ** 3,
  maxRatio: 200,
  ratioGraceBytes: 32 * 1024 ** 2,
};

/** A gzip input that broke a limit: the file is refused, the message says which limit and how to raise it. */
export class DecompressionLimitError extends Error {
  readonly code = 'AUDIT_DECOMPRESSION_LIMIT';
}

export interface OpenedSource {
  stream: Readable;
  gzip: boolean;
  /** Size on disk. */
  size: number;
}

/** Called with the bytes read from disk so far (compressed bytes for gzip). */
export type BytesReadListener = (bytesRead: number) => void;

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const READ_CHUNK = 64 * 1024;

/** Opens the file. Rejects when it cannot be opened; the stream errors on I/O errors and broken limits. */
export async function openSource(path: string, limits: DecompressionLimits, onBytesRead?: BytesReadListener): Promise<OpenedSource> {
  const handle = await open(path, 'r');
  let gzip = false;
  let size = 0;
  try {
    size = (await handle.stat()).size;
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    gzip = bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } catch (error) {
    await handle.close();
    throw error;
  }
  const raw = fileStream(handle);
  let compressedBytes = 0;
  const counted = raw.pipe(new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      compressedBytes += chunk.length;
      onBytesRead?.(compressedBytes);
      callback(null, chunk);
    },
  }));
  raw.on('error', (error) => counted.destroy(error));
  // Destroying what the reader holds must close the file, also when it stops early.
  counted.on('close', () => raw.destroy());
  if (!gzip) return { stream: counted, gzip, size };

  const gunzip = createGunzip();
  let decompressed = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      decompressed += chunk.length;
      const broken = brokenLimit(decompressed, compressedBytes, limits);
      if (broken) {
        callback(new DecompressionLimitError(broken));
        return;
      }
      callback(null, chunk);
    },
  });
  counted.on('error', (error) => gunzip.destroy(error));
  gunzip.on('error', (error) => guard.destroy(error));
  guard.on('close', () => {
    counted.destroy();
    raw.destroy();
  });
  counted.pipe(gunzip).pipe(guard);
  return { stream: guard, gzip, size };
}

/** The message for the first limit broken, or null. */
export function brokenLimit(decompressed: number, compressed: number, limits: DecompressionLimits): string | null {
  if (decompressed > limits.maxDecompressedBytes) {
    return `refused: gzip data expands beyond ${formatBytes(limits.maxDecompressedBytes)} (limit --max-decompressed-size)`;
  }
  if (decompressed > limits.ratioGraceBytes && decompressed > limits.maxRatio * Math.max(compressed, 1)) {
    return `refused: gzip data expands more than ${limits.maxRatio}× (${formatBytes(decompressed)} from ${formatBytes(compressed)} read; limit --max-compression-ratio), a decompression bomb or not an export file`;
  }
  return null;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : Number(value.toFixed(1))} ${units[unit]}`;
}

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?\s*$/i;
const SIZE_UNIT: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `512MiB`, `2G`, `1048576` → bytes (units are binary); null when not a size. */
export function parseByteSize(text: string): number | null {
  const match = SIZE.exec(text);
  if (!match) return null;
  const unit = (match[2] ?? 'b').toLowerCase()[0] ?? 'b';
  const bytes = Math.floor(Number(match[1]) * (SIZE_UNIT[unit] ?? 1));
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

/** A readable over an open handle that closes it when done. */
function fileStream(handle: FileHandle): Readable {
  return handle.createReadStream({ highWaterMark: READ_CHUNK, autoClose: true });
}
