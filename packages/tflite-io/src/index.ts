/** @mcu/tflite-io: Read and write TensorFlow Lite flatbuffers */
export {};
