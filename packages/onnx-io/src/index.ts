/** @mcu/onnx-io: Import ONNX models, float and QDQ */
export {};
