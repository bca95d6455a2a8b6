/** TensorProto.DataType values of the ONNX spec, by the names onnxruntime-node uses for tensor types. */
export const ONNX_DATA_TYPE = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  bfloat16: 16,
} as const;

export type OnnxDType = keyof typeof ONNX_DATA_TYPE;

export const ONNX_DTYPE_BYTES: Readonly<Record<OnnxDType, number>> = {
  float32: 4,
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  int32: 4,
  int64: 8,
  bool: 1,
  float16: 2,
  float64: 8,
  uint32: 4,
  uint64: 8,
  bfloat16: 2,
};

/** AttributeProto.AttributeType values. */
export const ONNX_ATTRIBUTE_TYPE = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;

/** A dimension: a fixed size, or a symbolic name (dynamic axis). */
export type OnnxDim = number | string;

/** Operator set versions the compiler targets (onnxruntime 1.30 implements both). */
export const DEFAULT_OPSET = 21;
export const MICROSOFT_DOMAIN = 'com.microsoft';
export const IR_VERSION = 10;
