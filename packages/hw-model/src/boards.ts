/**
 * The board catalog: core, clock, SRAM, flash and (where published) active power of the boards
 * `mcu estimate --board` knows. Every figure names the document it was read from. A figure we
 * could not find in a public source is marked `unverified` with the reason, never silently
 * guessed; active power is absent where we found no published figure (energy is then reported
 * as null).
 *
 * ESP32-S3 is deliberately not in the catalog: its Xtensa LX7 core has neither the Arm ISA our
 * QEMU instruction counts are measured on nor a published CMSIS-NN-equivalent int8 path we could
 * calibrate against (Espressif's ESP-NN uses the S3's own 128-bit PIE vector instructions), so
 * any latency we printed for it would be a number without a measurement behind it.
 */
import { McuError } from "@mcu/tensor";
import type { Citation, CitedFigure } from "./citation.js";
import type { CoreFamily } from "./cores.js";

/** A catalog figure that may lack a public source. */
export interface BoardFigure extends CitedFigure {
  /** Set when no public source was found for this value: why the value is what it is. */
  readonly unverified?: string;
}

/** Active power while running from flash at the catalog clock. */
export interface ActivePower {
  /** Milliwatts at `clockHz`. */
  readonly milliwatts: number;
  /** How the figure was derived from the datasheet (current × supply voltage). */
  readonly derivation: string;
  readonly source: Citation;
}

/** A board of the catalog. */
export interface Board {
  /** Lowercase kebab-case board name: `nucleo-l4r5zi`. */
  readonly id: string;
  readonly name: string;
  readonly mcu: string;
  readonly core: CoreFamily;
  readonly clockHz: BoardFigure;
  readonly sramBytes: BoardFigure;
  readonly flashBytes: BoardFigure;
  readonly activePower?: ActivePower;
  /** Caveats for the cost model (caches, external flash, ...). */
  readonly notes?: string;
}

const KiB = 1024;
const MiB = 1024 * 1024;

const RIOT_L4R5: Citation = {
  url: "https://doc.riot-os.org/boards/nucleo-l4r5zi",
  document:
    "RIOT board documentation STM32 Nucleo-L4R5ZI, MCU table (STM32L4R5ZI: Cortex-M4F, 640 KiB RAM, 2 MiB flash, up to 120 MHz)",
};
const H7A3_DS: Citation = {
  url: "https://www.st.com/resource/en/datasheet/stm32h7a3zi.pdf",
  document:
    "STM32H7A3xI/G datasheet DS13195, general description (Cortex-M7 up to 280 MHz), as quoted in the stm32h7a3-nucleo-144-rs-lab README",
};
const H7A3_MEM: Citation = {
  url: "https://docs.simplefoc.com/stm32pinouts/STM32H/STM32H7xx/H7A3Z(G-I)TxQ_H7B3ZITxQ/pinout",
  document:
    "SimpleFOC STM32 pinout tables, board entry Generic H7A3ZITxQ: 2.0 MB flash, 1.4 MB RAM, Cortex-M7 (from the STM32duino board database)",
};
const RIOT_U575: Citation = {
  url: "https://doc.riot-os.org/group__boards__nucleo-u575zi-q.html",
  document:
    "RIOT board documentation STM32 Nucleo-U575ZI-Q, MCU table (STM32U575ZIT6Q: Cortex-M33, 786 KiB RAM, 2 MiB flash, up to 160 MHz)",
};
const ZEPHYR_U575: Citation = {
  url: "https://docs.zephyrproject.org/3.2.0/boards/arm/nucleo_u575zi_q/doc/nucleou575zi_q.html",
  document: "Zephyr board documentation Nucleo U575ZI Q, Hardware (STM32U575: 19.5 µA/MHz run mode)",
};
const ZEPHYR_G0B1: Citation = {
  url: "https://docs.zephyrproject.org/boards/st/nucleo_g0b1re/doc/index.html",
  document:
    "Zephyr board documentation Nucleo G0B1RE, Hardware (Cortex-M0+, 64 MHz max, 512 KB flash, 144 kB SRAM); STM32G0B1xB/xC/xE datasheet DS13560",
};
const ZEPHYR_F446: Citation = {
  url: "https://docs.zephyrproject.org/boards/st/nucleo_f446re/doc/index.html",
  document:
    "Zephyr board documentation Nucleo F446RE, Hardware (Cortex-M4 with FPU, 180 MHz max, 512 KB flash, 128 KB SRAM)",
};
const KERNEL_F746: Citation = {
  url: "https://docs.kernel.org/6.3/_sources/arm/stm32/stm32f746-overview.rst.txt",
  document:
    "Linux kernel documentation STM32F746 Overview (Cortex-M7 up to 216 MHz, 1 MB flash, 320 KB RAM + 4 KB backup SRAM)",
};
const PIO_NRF52840: Citation = {
  url: "https://github.com/platformio/platformio-docs/blob/develop/boards/nordicnrf52/nrf52840_dk.rst",
  document: "PlatformIO board documentation Nordic nRF52840-DK (nRF52840, 64 MHz, 1 MB flash, 256 KB RAM)",
};
const PICO_BRIEF: Citation = {
  url: "https://datasheets.raspberrypi.com/pico/pico-product-brief.pdf",
  document:
    "Raspberry Pi Pico product brief (January 2021): dual-core Cortex-M0+ @ 133 MHz, 264 KB on-chip SRAM, 2 MB on-board QSPI flash",
};
const QIITA_RA: Citation = {
  url: "https://qiita.com/ta_yano/items/43a6157eedb706fa52c5",
  document: "Renesas RA family table (qiita, ta_yano): RA6M4 — Cortex-M33, 200 MHz",
};
const NANO33: Citation = {
  url: "https://github.com/arduino/docs-content/pull/1898/files",
  document:
    "Arduino Nano 33 BLE Sense (Rev2) datasheet, Features: 64 MHz Arm Cortex-M4F, 1 MB flash + 256 KB RAM (NINA B306, nRF52840)",
};

/** Every board of the catalog, in the order `mcu estimate --board list` prints them. */
export const BOARDS: readonly Board[] = [
  {
    id: "nucleo-l4r5zi",
    name: "NUCLEO-L4R5ZI",
    mcu: "STM32L4R5ZI",
    core: "cortex-m4",
    clockHz: { value: 120e6, source: RIOT_L4R5 },
    sramBytes: { value: 640 * KiB, source: RIOT_L4R5 },
    flashBytes: { value: 2 * MiB, source: RIOT_L4R5 },
    notes:
      "The MLPerf Tiny v0.5 reference platform; model (b) is calibrated on it. Active power: no figure found for the L4R5 in the sources searched.",
  },
  {
    id: "nucleo-h7a3zi-q",
    name: "NUCLEO-H7A3ZI-Q",
    mcu: "STM32H7A3ZIT6Q",
    core: "cortex-m7",
    clockHz: { value: 280e6, source: H7A3_DS },
    sramBytes: {
      value: Math.round(1.4 * MiB),
      source: H7A3_MEM,
      unverified: "the source rounds to 1.4 MB (total of several SRAM banks, not one contiguous region)",
    },
    flashBytes: { value: 2 * MiB, source: H7A3_MEM },
    notes:
      "16 KB I/D L1 caches; the cost model assumes cached execution. Active power: not found in the sources searched.",
  },
  {
    id: "nucleo-u575zi-q",
    name: "NUCLEO-U575ZI-Q",
    mcu: "STM32U575ZIT6Q",
    core: "cortex-m33",
    clockHz: { value: 160e6, source: RIOT_U575 },
    sramBytes: { value: 786 * KiB, source: RIOT_U575 },
    flashBytes: { value: 2 * MiB, source: RIOT_U575 },
    activePower: {
      milliwatts: 19.5e-6 * 160 * 3.3 * 1000,
      derivation:
        "19.5 µA/MHz run mode × 160 MHz × 3.3 V (SMPS supply, as in the datasheet's run-mode figure)",
      source: ZEPHYR_U575,
    },
  },
  {
    id: "nucleo-g0b1re",
    name: "NUCLEO-G0B1RE",
    mcu: "STM32G0B1RET6",
    core: "cortex-m0plus",
    clockHz: { value: 64e6, source: ZEPHYR_G0B1 },
    sramBytes: { value: 144 * KiB, source: ZEPHYR_G0B1 },
    flashBytes: { value: 512 * KiB, source: ZEPHYR_G0B1 },
    notes:
      "No DSP extension: int8 kernels run the portable C path. Active power: not found in the sources searched.",
  },
  {
    id: "nucleo-f446re",
    name: "NUCLEO-F446RE",
    mcu: "STM32F446RET6",
    core: "cortex-m4",
    clockHz: { value: 180e6, source: ZEPHYR_F446 },
    sramBytes: { value: 128 * KiB, source: ZEPHYR_F446 },
    flashBytes: { value: 512 * KiB, source: ZEPHYR_F446 },
    notes: "Active power: not found in the sources searched.",
  },
  {
    id: "nucleo-f746zg",
    name: "NUCLEO-F746ZG",
    mcu: "STM32F746ZGT6",
    core: "cortex-m7",
    clockHz: { value: 216e6, source: KERNEL_F746 },
    sramBytes: { value: 320 * KiB, source: KERNEL_F746 },
    flashBytes: { value: 1 * MiB, source: KERNEL_F746 },
    notes:
      "4 KB I/D L1 caches; 4 KB backup SRAM not counted. Active power: not found in the sources searched.",
  },
  {
    id: "nrf52840-dk",
    name: "nRF52840 DK",
    mcu: "nRF52840",
    core: "cortex-m4",
    clockHz: { value: 64e6, source: PIO_NRF52840 },
    sramBytes: { value: 256 * KiB, source: PIO_NRF52840 },
    flashBytes: { value: 1 * MiB, source: PIO_NRF52840 },
    notes:
      "Active power: the nRF52840 product specification's 'CPU running' table was not in the sources we could read.",
  },
  {
    id: "rp2040",
    name: "Raspberry Pi Pico (RP2040)",
    mcu: "RP2040",
    core: "cortex-m0plus",
    clockHz: { value: 133e6, source: PICO_BRIEF },
    sramBytes: { value: 264 * KiB, source: PICO_BRIEF },
    flashBytes: { value: 2 * MiB, source: PICO_BRIEF },
    notes:
      "No internal flash: code and weights execute in place from external QSPI flash through a 16 KB cache, so " +
      "weight-streaming layers may be slower than the model predicts. One core used. Active power: not found in the sources searched.",
  },
  {
    id: "ek-ra6m4",
    name: "EK-RA6M4",
    mcu: "R7FA6M4AF3CFB",
    core: "cortex-m33",
    clockHz: { value: 200e6, source: QIITA_RA },
    sramBytes: {
      value: 256 * KiB,
      source: QIITA_RA,
      unverified:
        "SRAM size not found in the sources searched; 256 KB is Renesas' stated RA6M4 SRAM as we know it, not read from a cited page",
    },
    flashBytes: {
      value: 1 * MiB,
      source: QIITA_RA,
      unverified:
        "code flash size not found in the sources searched; 1 MB is the R7FA6M4AF part's code flash as we know it, not read from a cited page",
    },
    notes: "Active power: not found in the sources searched.",
  },
  {
    id: "arduino-nano-33-ble-sense",
    name: "Arduino Nano 33 BLE Sense",
    mcu: "nRF52840 (u-blox NINA-B306)",
    core: "cortex-m4",
    clockHz: { value: 64e6, source: NANO33 },
    sramBytes: { value: 256 * KiB, source: NANO33 },
    flashBytes: { value: 1 * MiB, source: NANO33 },
    notes:
      "The Arduino bootloader and Mbed OS core occupy part of the flash and RAM. Active power: not found in the sources searched.",
  },
];

/** The catalog board with this id, or `MCU_E_UNKNOWN_BOARD` listing the known ids. */
export function boardById(id: string): Board {
  const b = BOARDS.find((x) => x.id === id.toLowerCase());
  if (b === undefined) {
    throw new McuError(
      "MCU_E_UNKNOWN_BOARD",
      `unknown board "${id}" (known: ${BOARDS.map((x) => x.id).join(", ")}; \`mcu estimate --board list\` prints the catalog)`,
    );
  }
  return b;
}
