// The subset of TensorFlow's GraphDef protobuf schema that a frozen DeePMD-kit model uses (field numbers from
// tensorflow/core/framework/{graph,node_def,attr_value,tensor,tensor_shape,types,versions}.proto).
// Fields not listed here (function library, debug info, resource handles, ...) are skipped by both decoders.
import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto3";
package tensorflow;
enum DataType {
  DT_INVALID = 0; DT_FLOAT = 1; DT_DOUBLE = 2; DT_INT32 = 3; DT_UINT8 = 4; DT_INT16 = 5; DT_INT8 = 6;
  DT_STRING = 7; DT_COMPLEX64 = 8; DT_INT64 = 9; DT_BOOL = 10; DT_QINT8 = 11; DT_QUINT8 = 12; DT_QINT32 = 13;
  DT_BFLOAT16 = 14; DT_QINT16 = 15; DT_QUINT16 = 16; DT_UINT16 = 17; DT_COMPLEX128 = 18; DT_HALF = 19;
  DT_RESOURCE = 20; DT_VARIANT = 21; DT_UINT32 = 22; DT_UINT64 = 23;
  DT_FLOAT_REF = 101; DT_DOUBLE_REF = 102; DT_INT32_REF = 103; DT_STRING_REF = 107; DT_INT64_REF = 109;
  DT_BOOL_REF = 110;
}
message TensorShapeProto {
  message Dim { int64 size = 1; string name = 2; }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}
message TensorProto {
  DataType dtype = 1;
  TensorShapeProto tensor_shape = 2;
  int32 version_number = 3;
  bytes tensor_content = 4;
  repeated int32 half_val = 13;
  repeated float float_val = 5;
  repeated double double_val = 6;
  repeated int32 int_val = 7;
  repeated bytes string_val = 8;
  repeated int64 int64_val = 10;
  repeated bool bool_val = 11;
  repeated uint32 uint32_val = 16;
  repeated uint64 uint64_val = 17;
}
message AttrValue {
  message ListValue {
    repeated bytes s = 2;
    repeated int64 i = 3;
    repeated float f = 4;
    repeated bool b = 5;
    repeated DataType type = 6;
    repeated TensorShapeProto shape = 7;
    repeated TensorProto tensor = 8;
  }
  oneof value {
    bytes s = 2;
    int64 i = 3;
    float f = 4;
    bool b = 5;
    DataType type = 6;
    TensorShapeProto shape = 7;
    TensorProto tensor = 8;
    ListValue list = 1;
    string placeholder = 9;
  }
}
message NodeDef {
  string name = 1;
  string op = 2;
  repeated string input = 3;
  string device = 4;
  map<string, AttrValue> attr = 5;
}
message VersionDef {
  int32 producer = 1;
  int32 min_consumer = 2;
  repeated int32 bad_consumers = 3;
}
message GraphDef {
  repeated NodeDef node = 1;
  VersionDef versions = 4;
  int32 version = 3;
}
`;

export const tfRoot = protobuf.parse(PROTO, { keepCase: true }).root;
export const GraphDefType = tfRoot.lookupType('tensorflow.GraphDef');

/** The plain-object form both decoders produce (protobufjs toObject with longs as numbers, enums as names). */
export interface TensorObj {
  dtype?: string | number;
  tensor_shape?: { dim?: { size?: number }[]; unknown_rank?: boolean };
  tensor_content?: Uint8Array;
  half_val?: number[];
  float_val?: number[];
  double_val?: number[];
  int_val?: number[];
  string_val?: Uint8Array[];
  int64_val?: number[];
  bool_val?: boolean[];
  uint32_val?: number[];
  uint64_val?: number[];
}
export interface AttrObj {
  s?: Uint8Array;
  i?: number;
  f?: number;
  b?: boolean;
  type?: string | number;
  shape?: unknown;
  tensor?: TensorObj;
  list?: { s?: Uint8Array[]; i?: number[]; f?: number[]; b?: boolean[]; type?: (string | number)[] };
  placeholder?: string;
}
export interface NodeObj {
  name?: string;
  op?: string;
  input?: string[];
  attr?: Record<string, AttrObj>;
}
export interface GraphObj {
  node?: NodeObj[];
  versions?: { producer?: number };
}

export const TO_OBJECT_OPTIONS: protobuf.IConversionOptions = { longs: Number, enums: String, arrays: false, defaults: false };
