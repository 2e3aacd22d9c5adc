/**
 * `mcu estimate <model> --board <id> [--json]`: will it fit, and how fast — per layer, per board
 * (@mcu/hw-model). `mcu estimate --board list [--json]` prints the board catalog with its sources.
 */
import {
  BOARDS,
  boardById,
  estimateJson,
  estimateModel,
  formatBoardList,
  formatEstimate,
} from "@mcu/hw-model";
import { McuError } from "@mcu/tensor";
import { readModel } from "../model-file.js";
import type { CommandContext } from "./context.js";

/** Options of `mcu estimate`. */
export interface EstimateCommandOptions {
  readonly board: string;
  readonly json?: boolean;
}

/** Runs `mcu estimate`. */
export async function estimateCommand(
  ctx: CommandContext,
  model: string | undefined,
  opts: EstimateCommandOptions,
): Promise<void> {
  if (opts.board === "list") {
    // The catalog as data: every board with its cited figures (`--json`), or the printed table.
    ctx.io.stdout.write(
      opts.json === true ? `${JSON.stringify({ schema: 1, boards: BOARDS })}\n` : formatBoardList(),
    );
    return;
  }
  if (model === undefined) {
    throw new McuError("MCU_E_USAGE", "estimate needs a model file (or `--board list` for the catalog)");
  }
  const board = boardById(opts.board); // an unknown board fails before the model is read
  const { graph } = await readModel(ctx.io, ctx.registry, model);
  const report = estimateModel(graph, { registry: ctx.registry, board });
  ctx.io.stdout.write(
    opts.json === true ? `${JSON.stringify(estimateJson(report))}\n` : formatEstimate(report),
  );
}
