export * from './graph-builder.ts';
export * from './layers.ts';
export * from './model-writer.ts';
export * from './onnx-types.ts';
export * from './session.ts';
export * from './weights.ts';
