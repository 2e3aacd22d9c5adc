/** @mcu/cluster: Kernel clustering and weight sharing */
export {};
