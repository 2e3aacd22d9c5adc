/** Writing a compile into its output directory: the C project, report.json and report.html. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeProject } from "@mcu/codegen-c";
import { McuError, type Registry } from "@mcu/tensor";
import { CLI_VERSION } from "../version.js";
import type { CompileResult } from "./compile-flow.js";
import { type CompileReport, compileReport } from "./report.js";
import { renderReportHtml } from "./report-html.js";

/** The report files beside the C sources. */
export const REPORT_JSON = "report.json";
export const REPORT_HTML = "report.html";

/** Writes the project and both reports into `dir` (created if needed); returns the report. */
export async function writeCompileOutput(
  dir: string,
  result: CompileResult,
  meta: {
    readonly registry: Registry;
    readonly file: string;
    readonly format: string;
    readonly shownDir?: string;
  },
): Promise<CompileReport> {
  const files = [...result.project.files.keys(), REPORT_JSON, REPORT_HTML];
  const report = compileReport(result, {
    registry: meta.registry,
    file: meta.file,
    format: meta.format,
    version: CLI_VERSION,
    files,
  });
  try {
    await mkdir(dir, { recursive: true });
    await writeProject(result.project, dir);
    await writeFile(join(dir, REPORT_JSON), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(join(dir, REPORT_HTML), renderReportHtml(report));
  } catch (e) {
    throw new McuError(
      "MCU_E_FILE",
      `cannot write "${meta.shownDir ?? dir}": ${(e as Error).message}`,
      {},
      { cause: e },
    );
  }
  return report;
}
