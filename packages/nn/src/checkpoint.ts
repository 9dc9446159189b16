// Checkpoints on disk (Node only): safetensors files written atomically — temp file in the same
// directory, fsync, rename over the target — so a crash mid-save never destroys the previous one.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ChainruleError, type Tensor } from '@chainrule/core';
import { loadSafetensorsWithMetadata, saveSafetensors } from './safetensors';

/**
 * Saves `state` (and optional string `metadata`) as a safetensors file at `path`, atomically:
 * the bytes go to a temporary file beside `path`, are fsynced, and the file is renamed over
 * `path`. A failure at any point leaves the previous file at `path` as it was and removes the
 * temporary file.
 * @throws ChainruleError for an invalid state or metadata (before any file is touched);
 *   the file system's error if writing or renaming fails.
 */
export function saveCheckpoint(path: string, state: Record<string, Tensor>, metadata?: Record<string, string>): void {
  if (typeof path !== 'string' || path === '')
    throw new ChainruleError(`saveCheckpoint: path must be a non-empty string, got ${typeof path}`);
  const bytes = saveSafetensors(state, metadata);
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx');
    try {
      writeFileSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created, or is already gone
    }
    throw e;
  }
  syncDirectory(dir);
}

/** Makes the rename durable where the platform allows fsync on a directory (not on Windows). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort: the rename itself is already atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The tensors of the safetensors file at `path`.
 * @throws ChainruleError naming loadCheckpoint, the path and the problem for a malformed file;
 *   the file system's error if it cannot be read.
 */
export function loadCheckpoint(path: string): Record<string, Tensor> {
  return loadCheckpointWithMetadata(path).tensors;
}

/**
 * The tensors and metadata strings of the safetensors file at `path` (what `unpackState` takes).
 * @throws ChainruleError naming loadCheckpoint, the path and the problem for a malformed file;
 *   the file system's error if it cannot be read.
 */
export function loadCheckpointWithMetadata(path: string): {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
} {
  const bytes = readFileSync(path);
  try {
    return loadSafetensorsWithMetadata(bytes);
  } catch (e) {
    if (e instanceof ChainruleError) throw new ChainruleError(`loadCheckpoint: ${path}: ${e.message}`);
    throw e;
  }
}
