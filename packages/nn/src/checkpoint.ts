// Checkpoints on disk (Node only): safetensors files written atomically — temp file in the same
// directory, fsync, rename over the target — so a crash mid-save never destroys the previous one.
// A save killed before its rename leaves its temp file behind; the next successful save of the
// same path removes it (once the process that left it has ended, or by the same thread).
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { ChainruleError, type Tensor } from '@chainrule/core';
import { fail, show } from './check';
import { limits, read, type SafetensorsLoadOptions, type SafetensorsSaveOptions, write } from './safetensors';

/**
 * `.model.safetensors.<pid>-<thread>.<12 hex>.tmp`: the temp file of a save of `model.safetensors`
 * by thread `thread` (worker_threads' threadId, 0 for the main thread) of process pid. Worker
 * threads share the pid, so the thread is part of the owner: one thread's cleanup must not remove
 * another's save in flight.
 */
function tempName(base: string, pid: number, thread: number): string {
  return `.${base}.${pid}-${thread}.${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * The owner of a temp-file name of `base`: its pid and thread (null for another file; pid 0 for
 * the oldest, pid-less names, thread 0 for names from before threads were recorded).
 */
function tempOwner(name: string, base: string): { pid: number; thread: number } | null {
  if (!name.startsWith(`.${base}.`) || !name.endsWith('.tmp')) return null;
  const m = /^(?:(\d+)(?:-(\d+))?\.)?[0-9a-f]{12}$/.exec(name.slice(base.length + 2, -4));
  return m ? { pid: Number(m[1] ?? 0), thread: Number(m[2] ?? 0) } : null;
}

/** Whether process `pid` is running on this machine (a save by it may be in flight). */
function isRunning(pid: number): boolean {
  if (pid === 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A file-system error as `saveCheckpoint: could not write 'path' (ENOENT: no such file or directory)`. */
function fsError(op: string, verb: string, path: string, e: unknown): ChainruleError {
  const err = e as NodeJS.ErrnoException;
  // Node's message names the temp file and the syscall after a comma; the user knows `path`.
  const reason = typeof err?.message === 'string' ? err.message.split(',')[0] : String(e);
  return new ChainruleError(`${op}: could not ${verb} '${path}' (${reason})`, { cause: e });
}

/**
 * Saves `state` (and optional string `metadata`) as a safetensors file at `path`, atomically:
 * the bytes go to a temporary file beside `path`, are fsynced, and the file is renamed over
 * `path`. A failure at any point leaves the previous file at `path` as it was and removes the
 * temporary file. After the rename, temporary files that earlier saves of `path` left behind
 * when their process was killed are removed (not those of a process still running, nor those of
 * another worker thread of this process: saves from several threads to one path are safe).
 * @throws ChainruleError for an invalid path, state or metadata (before any file is touched), or
 *   naming `path` if the file system refuses (the Node error is its `cause`).
 * @example
 * saveCheckpoint('model.safetensors', model.stateDict());
 * saveCheckpoint('torch.safetensors', model.stateDict(), undefined, { int64: true }); // int32 as I64, as torch
 */
export function saveCheckpoint(
  path: string,
  state: Record<string, Tensor>,
  metadata?: Record<string, string>,
  opts: SafetensorsSaveOptions = {},
): void {
  const op = 'saveCheckpoint';
  if (typeof path !== 'string' || path === '') fail(op, `path must be a non-empty string, got ${show(path)}`);
  const bytes = write(op, state, metadata, opts);
  const dir = dirname(path);
  const base = basename(path);
  const tmp = join(dir, tempName(base, process.pid, threadId));
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
    throw fsError(op, 'write', path, e);
  }
  syncDirectory(dir);
  removeStaleTemps(dir, base);
}

/** Removes the temp files of killed saves of `base` in `dir` (best effort: the save itself succeeded). */
function removeStaleTemps(dir: string, base: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const owner = tempOwner(name, base);
    if (owner === null) continue;
    // this thread's own saves are synchronous, so none of them is in flight now; another thread
    // of this process, or another running process, may be mid-save
    const mine = owner.pid === process.pid;
    if (mine ? owner.thread !== threadId : isRunning(owner.pid)) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // removed meanwhile, or not ours to remove
    }
  }
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
 * The tensors of the safetensors file at `path` (views of the file's bytes where aligned; see
 * loadSafetensorsWithMetadata).
 * @param opts `maxTensors` and `maxHeaderBytes`: caps for untrusted files.
 * @throws ChainruleError naming loadCheckpoint, the path and the problem, for a malformed file or
 *   one that cannot be read.
 */
export function loadCheckpoint(path: string, opts: SafetensorsLoadOptions = {}): Record<string, Tensor> {
  return loadFile('loadCheckpoint', path, opts).tensors;
}

/**
 * The tensors and metadata strings of the safetensors file at `path` (what `unpackState` takes).
 * @throws ChainruleError naming loadCheckpointWithMetadata, the path and the problem, for a
 *   malformed file or one that cannot be read.
 */
export function loadCheckpointWithMetadata(
  path: string,
  opts: SafetensorsLoadOptions = {},
): {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
} {
  return loadFile('loadCheckpointWithMetadata', path, opts);
}

function loadFile(
  op: string,
  path: unknown,
  opts: unknown,
): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (typeof path !== 'string' || path === '') fail(op, `path must be a non-empty string, got ${show(path)}`);
  limits(op, opts); // before the file is read
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw fsError(op, 'read', path, e);
  }
  try {
    return read(op, bytes, opts);
  } catch (e) {
    if (e instanceof ChainruleError) {
      throw new ChainruleError(`${op}: '${path}': ${e.message.slice(op.length + 2)}`, { cause: e });
    }
    throw e;
  }
}
