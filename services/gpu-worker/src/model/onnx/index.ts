export * from './graph-builder.ts';
export * from './model-writer.ts';
export * from './onnx-types.ts';
export * from './session.ts';
