/** @mcu/cli: The mcu command: inspect, run, eval, convert, compress, codegen, estimate, compile, demo */
export {};
