/**
 * The `mcu` command, callable in-process: `main(argv, io)` parses the arguments, runs one
 * command and returns the exit code — 0 on success, 1 for a user error (one line
 * `error MCU_E_...: message (where)` on stderr), 2 for an internal error (`internal error: ...`,
 * with the stack under `--verbose`).
 */
import { isMcuError } from "@mcu/tensor";
import { Command, CommanderError, Option } from "commander";
import { CODEGEN_TARGETS_HELP, codegenCommand } from "./commands/codegen.js";
import { compileCommand } from "./commands/compile.js";
import { compressCommand } from "./commands/compress.js";
import { convertCommand } from "./commands/convert.js";
import type { CommandContext } from "./commands/context.js";
import { DEMO_BOARD, DEMO_OUTPUT, demoCommand } from "./commands/demo.js";
import { estimateCommand } from "./commands/estimate.js";
import { evalCommand } from "./commands/eval.js";
import { inspectCommand } from "./commands/inspect.js";
import { runCommand } from "./commands/run.js";
import { type CliIo, processIo } from "./io.js";
import { loadRegistry } from "./plugins.js";

/** Options of {@link main} beyond the arguments and streams. */
export interface MainOptions {
  /** What `mcu --version` prints. */
  readonly version?: string;
}

/** Exit codes of the `mcu` command. */
export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_INTERNAL_ERROR = 2;

/** Error codes that mean a bug in @mcu or a plugin, not in the user's input: exit code 2. */
const INTERNAL_ERROR_CODES: ReadonlySet<string> = new Set(["MCU_E_VERIFY"]);

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

interface GlobalOptions {
  readonly plugin?: string[];
  readonly verbose?: boolean;
}

/** The commander definition of the `mcu` command (also read by tools/gen-cli-reference.ts for docs/cli-reference.md). */
export function buildProgram(io: CliIo, options: MainOptions = {}): Command {
  const cwd = io.cwd ?? process.cwd();
  const context = async (cmd: Command): Promise<CommandContext> => {
    const globals = cmd.optsWithGlobals<GlobalOptions>();
    return { io, registry: await loadRegistry(globals.plugin ?? [], cwd) };
  };

  const program = new Command("mcu")
    .description("Compress trained CNNs and emit bit-exact C for microcontrollers.")
    .option("--plugin <module>", "load a third-party plugin: a package name or a path (repeatable)", collect)
    .option("--verbose", "print the stack trace of internal errors")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Errors are printed by main() as one `error MCU_E_USAGE: ...` line.
      outputError: () => {},
    })
    .addHelpText(
      "after",
      "\nModels are read and written by extension through the installed plugins' formats; tensor\n" +
        "files are .npy or .csv. Exit codes: 0 ok, 1 user error, 2 internal error.",
    );
  if (options.version !== undefined) program.version(options.version, "--version");

  program
    .command("inspect")
    .description("ops, tensors, params, MACs and a per-layer table")
    .argument("<model>", "model file (.mcuir, or any extension an installed plugin reads)")
    .option("--json", "print the schema-1 JSON document instead of text")
    .action(async (model: string, opts: { json?: boolean }, cmd: Command) => {
      await inspectCommand(await context(cmd), model, opts);
    });

  program
    .command("run")
    .description("run a model on tensor files (.npy or .csv)")
    .argument("<model>", "model file")
    .addOption(
      new Option("--input <file>", "input tensor file, one per model input in order")
        .argParser(collect)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option("--output <file>", "output tensor file, one per model output")
        .argParser(collect)
        .makeOptionMandatory(),
    )
    .option("--engine <name>", "engine that runs the model (ts, or one an installed plugin provides)", "ts")
    .option("--stats <file>", "write the engine's statistics of the last run as JSON")
    .option("--json", "print the schema-1 JSON summary instead of text")
    .action(
      async (
        model: string,
        opts: { input: string[]; output: string[]; engine: string; stats?: string; json?: boolean },
        cmd: Command,
      ) => {
        await runCommand(await context(cmd), model, opts);
      },
    );

  program
    .command("eval")
    .description("top-1 accuracy on labelled inputs (and agreement with reference outputs)")
    .argument("<model>", "model file")
    .addOption(
      new Option("--input <file>", "input tensor file, one per model input in order")
        .argParser(collect)
        .makeOptionMandatory(),
    )
    .requiredOption("--labels <file>", "integer class labels, one per sample (.npy or .csv)")
    .option(
      "--reference <file>",
      "reference outputs (e.g. another runtime's logits) to compare top-1 classes with",
    )
    .option("--engine <name>", "engine that runs the model", "ts")
    .option("--json", "print the schema-1 JSON document instead of text")
    .action(
      async (
        model: string,
        opts: { input: string[]; labels: string; reference?: string; engine: string; json?: boolean },
        cmd: Command,
      ) => {
        await evalCommand(await context(cmd), model, opts);
      },
    );

  program
    .command("convert")
    .description("convert a model between formats, chosen by extension")
    .argument("<in>", "model file to read")
    .argument("<out>", "model file to write")
    .option("--json", "print the schema-1 JSON summary instead of text")
    .action(async (input: string, output: string, opts: { json?: boolean }, cmd: Command) => {
      await convertCommand(await context(cmd), input, output, opts);
    });

  program
    .command("estimate")
    .description("RAM, flash, latency and energy per layer on a board; `--board list` prints the catalog")
    .argument("[model]", "model file")
    .requiredOption("--board <id>", "catalog board id, or `list`")
    .option("--json", "print the schema-1 JSON document instead of text")
    .action(async (model: string | undefined, opts: { board: string; json?: boolean }, cmd: Command) => {
      await estimateCommand(await context(cmd), model, opts);
    });

  program
    .command("compress")
    .description("run a pipeline of passes (e.g. quant/int8) on a model and write the result")
    .argument("<in>", "model file to read")
    .requiredOption("-p, --pipeline <passes>", 'passes and options, e.g. "quant/int8:calib=kl"')
    .requiredOption("-o, --output <file>", "model file to write (format by extension)")
    .addOption(
      new Option(
        "--calib <file>",
        "calibration samples, one file per model input, leading batch axis",
      ).argParser(collect),
    )
    .option("--report <file>", "write the per-layer quality report (SQNR, top-1 agreement) as JSON")
    .option("--json", "print the schema-1 JSON summary instead of text")
    .action(
      async (
        input: string,
        opts: { pipeline: string; output: string; calib?: string[]; report?: string; json?: boolean },
        cmd: Command,
      ) => {
        await compressCommand(await context(cmd), input, opts);
      },
    );

  program
    .command("codegen")
    .description("generate C99 for the model, with harnesses and a Makefile, for a target")
    .argument("<model>", "model file")
    .requiredOption("--target <target>", CODEGEN_TARGETS_HELP)
    .requiredOption("-o, --output <dir>", "directory to write the C project into")
    .option("--name <name>", "C name of the model (mcu_<name>_invoke); default: the file name")
    .option("--no-dsp", "emit the portable C path even where the core has the DSP extension")
    .option("--json", "print the schema-1 JSON summary instead of text")
    .action(
      async (
        model: string,
        opts: { target: string; output: string; name?: string; dsp?: boolean; json?: boolean },
        cmd: Command,
      ) => {
        await codegenCommand(await context(cmd), model, opts);
      },
    );

  program
    .command("compile")
    .description(
      "the whole flow: passes, C for the board, estimate, verification, report.json and report.html",
    )
    .argument("<model>", "model file")
    .requiredOption("--board <id>", "catalog board id (`mcu estimate --board list`)")
    .option(
      "-p, --pipeline <passes>",
      "passes and options; default: quant/int8 with --calib, float32 without",
    )
    .addOption(
      new Option(
        "--calib <file>",
        "calibration samples, one file per model input, leading batch axis",
      ).argParser(collect),
    )
    .requiredOption("-o, --output <dir>", "directory for the C project and the reports")
    .option("--name <name>", "C name of the model (mcu_<name>_invoke); default: the file name")
    .option("--verify <n>", "inputs to check the host-built C against the TS interpreter on (0: skip)", "10")
    .option("--json", "print the schema-1 JSON summary instead of text")
    .action(
      async (
        model: string,
        opts: {
          board: string;
          pipeline?: string;
          calib?: string[];
          output: string;
          name?: string;
          verify?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        await compileCommand(await context(cmd), model, opts);
      },
    );

  program
    .command("demo")
    .description("the whole flow on the bundled model: mnist_cnn, int8, nucleo-l4r5zi, 100 test digits")
    .option("-o, --output <dir>", "directory for the C project and the reports", DEMO_OUTPUT)
    .option("--board <id>", "catalog board id", DEMO_BOARD)
    .option("--json", "print the schema-1 JSON summary instead of text")
    .action(async (opts: { output: string; board: string; json?: boolean }, cmd: Command) => {
      await demoCommand(await context(cmd), opts);
    });

  return program;
}

/** Prints an error the way the `mcu` contract says and returns the exit code. */
function reportError(e: unknown, io: CliIo, verbose: boolean): number {
  if (e instanceof CommanderError) {
    // --help and --version end with a CommanderError too, whose exit code is 0.
    if (e.exitCode === 0) return EXIT_OK;
    if (e.code === "commander.help") return EXIT_USER_ERROR;
    io.stderr.write(`error MCU_E_USAGE: ${e.message.replace(/^error: /, "")}\n`);
    return EXIT_USER_ERROR;
  }
  if (isMcuError(e)) {
    io.stderr.write(`${e.format()}\n`);
    if (verbose && e.stack !== undefined) io.stderr.write(`${e.stack}\n`);
    return INTERNAL_ERROR_CODES.has(e.code) ? EXIT_INTERNAL_ERROR : EXIT_USER_ERROR;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  io.stderr.write(`internal error: ${err.message}\n`);
  if (verbose && err.stack !== undefined) io.stderr.write(`${err.stack}\n`);
  return EXIT_INTERNAL_ERROR;
}

/** Runs the `mcu` command with these arguments (without `node` and the script) and returns its exit code. */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo(),
  options: MainOptions = {},
): Promise<number> {
  const verbose = argv.includes("--verbose");
  try {
    await buildProgram(io, options).parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (e) {
    return reportError(e, io, verbose);
  }
}
