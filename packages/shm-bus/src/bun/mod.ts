/**
 * @statd/shm-bus, Bun part: the shm bus (POSIX shared memory through libshm and bun:ffi).
 *
 * @example
 * ```ts
 * import { ShmSegment } from "@statd/shm-bus/bun";
 * const seg = ShmSegment.create("statd-prod", { maxInstances: 4, spscBytes: 1 << 20, broadcastBytes: 1 << 20, maxRecord: 65536 });
 * const bus = seg.join(0);                          // membership: pid, generation, heartbeat
 * bus.offer(2, record) || retryLater();           // SPSC ring 0 -> 2
 * bus.offer(BROADCAST, record);                   // broadcast ring of 0
 * bus.flush();                                    // publish cursors (lazy otherwise)
 * bus.poll((u8, off, len, from) => handle(u8, off, len, from), 1024);
 * await bus.wait(100);                            // park off the main thread until something arrives
 * ShmSegment.attach("statd-prod", { readOnly: true }).inspect(); // statctl bus
 * ```
 * @module
 */
export * from "../mod.ts";
export { type Closable, registerCleanup, runCleanups } from "./cleanup.ts";
export { DoorbellParker } from "./doorbell.ts";
export { errnoName, libshm, libshmPath, monotonicMs, napSync } from "./libshm.ts";
export { isProcessAlive, processStartTime, procStat } from "./liveness.ts";
export { SharedMemory, ShmError, unlinkSegment, validateName } from "./shm.ts";
export { type JoinOptions, type ShmBus, ShmSegment } from "./shm_bus.ts";
