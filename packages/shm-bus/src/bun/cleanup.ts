/**
 * Cleanup on exit and on signals: every open {@link Closable} is closed when the process exits
 * normally, and on SIGINT/SIGTERM/SIGHUP. When our handler is the only one for a signal, it
 * re-raises the signal after cleanup so the process still dies of it (exit status 128+n); when
 * the application has its own handler, that handler decides (and should call close itself).
 *
 * @example
 * ```ts
 * const off = registerCleanup({ cleanup: () => seg.close() });
 * off(); // when closed by hand
 * ```
 * @module
 */

/** Something to run at exit. */
export interface Closable {
  /** Must be synchronous and must not throw (errors are swallowed). */
  cleanup(): void;
}

const _open = new Set<Closable>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
let _installed = false;

function _runAll(): void {
  for (const c of [..._open]) {
    try {
      c.cleanup();
    } catch {
      // exit path: nothing sensible to do
    }
  }
  _open.clear();
}

function _onSignal(sig: NodeJS.Signals): void {
  _runAll();
  if (process.listenerCount(sig) === 1) {
    process.removeListener(sig, _onSignal);
    process.kill(process.pid, sig);
  }
}

function _install(): void {
  if (_installed) return;
  _installed = true;
  process.on("exit", _runAll);
  for (const s of SIGNALS) process.on(s, _onSignal);
}

/** Registers `c` for cleanup at exit/signal; returns the function that unregisters it. */
export function registerCleanup(c: Closable): () => void {
  _install();
  _open.add(c);
  return () => {
    _open.delete(c);
  };
}

/** Runs every registered cleanup now (for a daemon's own signal handler). */
export function runCleanups(): void {
  _runAll();
}
