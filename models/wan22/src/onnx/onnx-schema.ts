// The subset of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto, proto2) that the model compiler
// writes, as a protobufjs JSON descriptor. Field numbers are the public spec's; enums are plain
// int32 fields (same varint wire format) whose values live in onnx-types.ts.

import type { INamespace } from 'protobufjs';

const f = (type: string, id: number, repeated = false): { type: string; id: number; rule?: string } =>
  repeated ? { type, id, rule: 'repeated' } : { type, id };

export const ONNX_SCHEMA: INamespace = {
  nested: {
    onnx: {
      nested: {
        StringStringEntryProto: { fields: { key: f('string', 1), value: f('string', 2) } },
        OperatorSetIdProto: { fields: { domain: f('string', 1), version: f('int64', 2) } },
        TensorShapeProto: {
          fields: { dim: f('Dimension', 1, true) },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: { dimValue: f('int64', 1), dimParam: f('string', 2), denotation: f('string', 3) },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: { tensorType: f('Tensor', 1), denotation: f('string', 6) },
          nested: {
            Tensor: { fields: { elemType: f('int32', 1), shape: f('onnx.TensorShapeProto', 2) } },
          },
        },
        ValueInfoProto: {
          fields: { name: f('string', 1), type: f('TypeProto', 2), docString: f('string', 3) },
        },
        TensorProto: {
          fields: {
            dims: f('int64', 1, true),
            dataType: f('int32', 2),
            floatData: { type: 'float', id: 4, rule: 'repeated', options: { packed: true } },
            int32Data: { type: 'int32', id: 5, rule: 'repeated', options: { packed: true } },
            int64Data: { type: 'int64', id: 7, rule: 'repeated', options: { packed: true } },
            name: f('string', 8),
            rawData: f('bytes', 9),
            docString: f('string', 12),
            externalData: f('StringStringEntryProto', 13, true),
            dataLocation: f('int32', 14),
          },
        },
        AttributeProto: {
          fields: {
            name: f('string', 1),
            f: f('float', 2),
            i: f('int64', 3),
            s: f('bytes', 4),
            t: f('TensorProto', 5),
            g: f('GraphProto', 6),
            floats: f('float', 7, true),
            ints: f('int64', 8, true),
            strings: f('bytes', 9, true),
            docString: f('string', 13),
            type: f('int32', 20),
          },
        },
        NodeProto: {
          fields: {
            input: f('string', 1, true),
            output: f('string', 2, true),
            name: f('string', 3),
            opType: f('string', 4),
            attribute: f('AttributeProto', 5, true),
            docString: f('string', 6),
            domain: f('string', 7),
          },
        },
        GraphProto: {
          fields: {
            node: f('NodeProto', 1, true),
            name: f('string', 2),
            initializer: f('TensorProto', 5, true),
            docString: f('string', 10),
            input: f('ValueInfoProto', 11, true),
            output: f('ValueInfoProto', 12, true),
            valueInfo: f('ValueInfoProto', 13, true),
          },
        },
        ModelProto: {
          fields: {
            irVersion: f('int64', 1),
            producerName: f('string', 2),
            producerVersion: f('string', 3),
            domain: f('string', 4),
            modelVersion: f('int64', 5),
            docString: f('string', 6),
            graph: f('GraphProto', 7),
            opsetImport: f('OperatorSetIdProto', 8, true),
            metadataProps: f('StringStringEntryProto', 14, true),
          },
        },
      },
    },
  },
};
