/** @mcu/codegen-c: Portable C99 that runs bit-exactly on the host and on Cortex-M */
export {};
