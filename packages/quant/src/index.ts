/** @mcu/quant: Post-training quantization and integer kernels bit-exact with TensorFlow Lite */
export {};
