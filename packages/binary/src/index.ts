/** @mcu/binary: Binarized networks, from ONNX to a 16 KB microcontroller */
export {};
