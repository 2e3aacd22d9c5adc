/** Progress bars for long work: shown on a terminal only, silent otherwise. */
import { SingleBar } from "cli-progress";
import type { Progress as PassProgress } from "@mcu/tensor";
import type { CliIo } from "./io.js";

/** A progress indicator: advance it once per unit of work, stop it when done. */
export interface Progress {
  /** Advances by `n` units (default 1). */
  tick(n?: number): void;
  stop(): void;
}

const silent: Progress = { tick() {}, stop() {} };

/** A cli-progress bar on stderr when it is a terminal and there is more than one step; otherwise silent. */
export function startProgress(io: CliIo, label: string, total: number): Progress {
  if (!io.isTTY || total <= 1) return silent;
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} | {duration_formatted} (ETA {eta_formatted})`,
    stream: io.stderr as NodeJS.WritableStream,
    clearOnComplete: true,
    hideCursor: true,
  });
  bar.start(total, 0);
  let done = 0;
  return {
    tick(n = 1) {
      done += n;
      bar.update(done);
    },
    stop() {
      bar.stop();
    },
  };
}

/** The progress callback of `runPipeline` and the @mcu/quant quality report, drawn with {@link startProgress}. */
export function pipelineProgress(io: CliIo): (label: string, total: number) => PassProgress {
  return (label, total) => {
    const bar = startProgress(io, label, total);
    return { tick: (n) => bar.tick(n), done: () => bar.stop() };
  };
}
