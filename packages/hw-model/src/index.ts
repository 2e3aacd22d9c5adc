/** @mcu/hw-model: Will it fit, and how fast: per layer, per board */
export {};
