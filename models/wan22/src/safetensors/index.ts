export * from './dtypes.ts';
export * from './half.ts';
export * from './safetensors-file.ts';
export * from './safetensors-writer.ts';
